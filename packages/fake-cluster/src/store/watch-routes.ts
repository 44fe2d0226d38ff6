import { CLUSTER_SCOPED, type AnyObject, type Kind } from "./objects.js";

export interface Routable {
  readonly kind: Kind;
  readonly options: { readonly namespace?: string; readonly name?: string; readonly labelSelector?: Readonly<Record<string, string>> };
  /** Opening order: events reach watches in this order. */
  readonly seq: number;
}

/**
 * Open watches filed under one narrow key each (the name it watches, else one label of its selector, else its
 * kind and namespace), so a change is offered only to the watches that could select it instead of to all.
 * Offered watches still apply their full filter.
 */
export class WatchRoutes<W extends Routable> {
  private readonly routes = new Map<string, Set<W>>();

  add(w: W): void {
    const k = routeOf(w);
    let set = this.routes.get(k);
    if (!set) this.routes.set(k, (set = new Set()));
    set.add(w);
  }

  delete(w: W): boolean {
    const k = routeOf(w);
    const set = this.routes.get(k);
    if (!set?.delete(w)) return false;
    if (set.size === 0) this.routes.delete(k);
    return true;
  }

  all(): W[] {
    return [...this.routes.values()].flatMap((s) => [...s]).sort((a, b) => a.seq - b.seq);
  }

  /** The watches that may care about a change from `previous` to `object`, in opening order. */
  candidates(object: AnyObject, previous: AnyObject | undefined): W[] {
    const kind = object.kind;
    const scopes = CLUSTER_SCOPED.has(kind) ? ["*"] : ["*", object.metadata.namespace];
    const keys = new Set<string>();
    for (const ns of scopes) {
      keys.add(`${kind}/${ns}/*`);
      keys.add(`${kind}/${ns}/name:${object.metadata.name}`);
      for (const o of previous ? [object, previous] : [object]) {
        for (const [k, v] of Object.entries(o.metadata.labels)) keys.add(`${kind}/${ns}/label:${k}=${v}`);
      }
    }
    const out: W[] = [];
    for (const k of keys) {
      const set = this.routes.get(k);
      if (set) out.push(...set);
    }
    return out.length > 1 ? out.sort((a, b) => a.seq - b.seq) : out;
  }
}

function routeOf(w: Routable): string {
  const o = w.options;
  const ns = o.namespace === undefined || CLUSTER_SCOPED.has(w.kind) ? "*" : o.namespace;
  if (o.name !== undefined) return `${w.kind}/${ns}/name:${o.name}`;
  const first = Object.entries(o.labelSelector ?? {})[0];
  if (first) return `${w.kind}/${ns}/label:${first[0]}=${first[1]}`;
  return `${w.kind}/${ns}/*`;
}
