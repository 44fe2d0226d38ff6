import { Observable, type ConfigurationOptions, type ObservableMiddleware } from "@kubernetes/client-node";

/**
 * Per-call options for client-node's object-parameter APIs: an AbortSignal and/or a Content-Type
 * override. Those APIs run observable-style middleware. The generated patch calls always send
 * application/json-patch+json; a merge patch needs the header replaced, with the exact "Content-Type"
 * casing or the generated header survives next to ours.
 */
export function requestOptions(opts: { readonly signal?: AbortSignal; readonly contentType?: string }): ConfigurationOptions | undefined {
  if (opts.signal === undefined && opts.contentType === undefined) return undefined;
  const middleware: ObservableMiddleware = {
    pre: (ctx) => {
      if (opts.signal !== undefined) ctx.setSignal(opts.signal);
      if (opts.contentType !== undefined) ctx.setHeaderParam("Content-Type", opts.contentType);
      return new Observable(Promise.resolve(ctx));
    },
    post: (res) => new Observable(Promise.resolve(res)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" };
}

export const MERGE_PATCH = "application/merge-patch+json";
