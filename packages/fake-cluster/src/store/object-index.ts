import { CLUSTER_SCOPED, type AnyObject, type Kind } from "./objects.js";

interface Bucket {
  readonly byName: Map<string, AnyObject>;
  /** "key=value" → names carrying that label. */
  readonly byLabel: Map<string, Set<string>>;
}

/**
 * The store's indexes, as a real API server's watch cache keeps them: by kind and namespace, by label within a
 * namespace, by uid, and by owner uid (for the garbage collector). Storage order (creation order, which a name
 * re-created later joins at the end) is kept so that reads stay deterministic.
 */
export class ObjectIndex {
  private readonly buckets = new Map<Kind, Map<string, Bucket>>();
  private readonly byUid = new Map<string, AnyObject>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly order = new Map<string, number>();
  private nextOrder = 0;

  get(kind: Kind, namespace: string, name: string): AnyObject | undefined {
    return this.buckets.get(kind)?.get(scope(kind, namespace))?.byName.get(name);
  }

  getByUid(uid: string): AnyObject | undefined {
    return this.byUid.get(uid);
  }

  /** Objects owned by `uid`, in storage order. */
  dependents(uid: string): AnyObject[] {
    const uids = this.byOwner.get(uid);
    return uids ? this.inStorageOrder([...uids].map((u) => this.byUid.get(u)!)) : [];
  }

  /**
   * Candidates for a list: every object of the kind in the namespace (all namespaces when undefined), narrowed by
   * the selector's most selective label. The caller still applies the full selector.
   */
  candidates(kind: Kind, namespace: string | undefined, selector: Readonly<Record<string, string>>): AnyObject[] {
    const perNs = this.buckets.get(kind);
    if (!perNs) return [];
    const buckets = namespace === undefined || CLUSTER_SCOPED.has(kind) ? [...perNs.values()] : [perNs.get(namespace)].filter((b) => b !== undefined);
    const pairs = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
    const out: AnyObject[] = [];
    for (const b of buckets) {
      if (pairs.length === 0) {
        out.push(...b.byName.values());
        continue;
      }
      let narrowest: Set<string> | undefined;
      for (const p of pairs) {
        const names = b.byLabel.get(p);
        if (!names) {
          narrowest = new Set();
          break;
        }
        if (!narrowest || names.size < narrowest.size) narrowest = names;
      }
      for (const n of narrowest!) out.push(b.byName.get(n)!);
    }
    return out;
  }

  /** Sorts objects by the order they entered storage. */
  inStorageOrder(objs: AnyObject[]): AnyObject[] {
    return objs.sort((a, b) => this.order.get(a.metadata.uid)! - this.order.get(b.metadata.uid)!);
  }

  /** `previous` is the stored version being replaced or removed (undefined for a new object). */
  put(obj: AnyObject, previous: AnyObject | undefined): void {
    const b = this.bucket(obj.kind, obj.metadata.namespace);
    const name = obj.metadata.name;
    if (previous === undefined) this.order.set(obj.metadata.uid, this.nextOrder++);
    if (!previous || !sameLabels(previous.metadata.labels, obj.metadata.labels)) {
      if (previous) for (const [k, v] of Object.entries(previous.metadata.labels)) removeFrom(b.byLabel, `${k}=${v}`, name);
      for (const [k, v] of Object.entries(obj.metadata.labels)) addTo(b.byLabel, `${k}=${v}`, name);
    }
    if (!previous || !sameOwners(previous, obj)) {
      if (previous) for (const r of previous.metadata.ownerReferences) removeFrom(this.byOwner, r.uid, previous.metadata.uid);
      for (const r of obj.metadata.ownerReferences) addTo(this.byOwner, r.uid, obj.metadata.uid);
    }
    b.byName.set(name, obj);
    this.byUid.set(obj.metadata.uid, obj);
  }

  remove(obj: AnyObject): void {
    const b = this.bucket(obj.kind, obj.metadata.namespace);
    for (const [k, v] of Object.entries(obj.metadata.labels)) removeFrom(b.byLabel, `${k}=${v}`, obj.metadata.name);
    for (const r of obj.metadata.ownerReferences) removeFrom(this.byOwner, r.uid, obj.metadata.uid);
    b.byName.delete(obj.metadata.name);
    this.byUid.delete(obj.metadata.uid);
    this.order.delete(obj.metadata.uid);
  }

  private bucket(kind: Kind, namespace: string): Bucket {
    let perNs = this.buckets.get(kind);
    if (!perNs) this.buckets.set(kind, (perNs = new Map()));
    const ns = scope(kind, namespace);
    let b = perNs.get(ns);
    if (!b) perNs.set(ns, (b = { byName: new Map(), byLabel: new Map() }));
    return b;
  }
}

function scope(kind: Kind, namespace: string): string {
  return CLUSTER_SCOPED.has(kind) ? "" : namespace;
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function sameOwners(a: AnyObject, b: AnyObject): boolean {
  const ra = a.metadata.ownerReferences;
  const rb = b.metadata.ownerReferences;
  return ra.length === rb.length && ra.every((r, i) => r.uid === rb[i]!.uid);
}

function addTo(map: Map<string, Set<string>>, key: string, member: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(member);
}

function removeFrom(map: Map<string, Set<string>>, key: string, member: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(member);
  if (set.size === 0) map.delete(key);
}
