import { systemClock, type AccessCheck, type AccessPort, type AccessVerdict, type Clock } from "@clipjob/core";
import { AuthorizationV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { toClusterError } from "../errors/classify-kube-error.js";
import { kubeOperation, type KubeOperation } from "../errors/kube-operation.js";
import { DEFAULT_READ_RETRY, retryRead, type RetryPolicy } from "../retry/read-retry.js";

export interface KubeAccessAdapterOptions {
  readonly clock?: Clock;
  readonly readRetry?: RetryPolicy;
}

/**
 * "Can I?" for the identity in the kubeconfig. Every check is a SelfSubjectAccessReview, which any
 * authenticated identity may create, so the answer never depends on the permissions being checked.
 */
export class KubeAccessAdapter implements AccessPort {
  private readonly authz: AuthorizationV1Api;
  private readonly core: CoreV1Api;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;

  constructor(kc: KubeConfig, opts: KubeAccessAdapterOptions = {}) {
    this.authz = kc.makeApiClient(AuthorizationV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.clock = opts.clock ?? systemClock;
    this.policy = opts.readRetry ?? DEFAULT_READ_RETRY;
  }

  review(checks: readonly AccessCheck[]): Promise<AccessVerdict[]> {
    return Promise.all(checks.map((check) => this.reviewOne(check)));
  }

  async namespaceExists(namespace: string): Promise<boolean | "unknown"> {
    return this.exists(kubeOperation("read namespace", "get", "namespaces", undefined), () => this.core.readNamespace({ name: namespace }));
  }

  async secretExists(namespace: string, name: string): Promise<boolean | "unknown"> {
    return this.exists(kubeOperation("read secret", "get", "secrets", namespace), () => this.core.readNamespacedSecret({ name, namespace }));
  }

  async claimAccessModes(namespace: string, claimName: string): Promise<readonly string[] | null> {
    const op = kubeOperation("read persistent volume claim", "get", "persistentvolumeclaims", namespace);
    try {
      const claim = await this.read(op, () => this.core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace }));
      // A bound claim reports the modes it actually got; an unbound one only what it asks for.
      return [...(claim.status?.accessModes ?? claim.spec?.accessModes ?? [])];
    } catch (e) {
      if (toClusterError(e, op).code === "not_found") return null;
      throw e;
    }
  }

  private async reviewOne(check: AccessCheck): Promise<AccessVerdict> {
    const op = kubeOperation("review access", "create", "selfsubjectaccessreviews", undefined, { group: "authorization.k8s.io" });
    try {
      const review = await this.read(op, () =>
        this.authz.createSelfSubjectAccessReview({
          body: {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SelfSubjectAccessReview",
            spec: {
              resourceAttributes: {
                verb: check.verb,
                group: check.group,
                resource: check.resource,
                namespace: check.namespace,
                ...(check.subresource === undefined ? {} : { subresource: check.subresource }),
              },
            },
          },
        }),
      );
      const status = review.status;
      if (status?.allowed === true) return { check, allowed: true };
      const reason = status?.reason || status?.evaluationError;
      return { check, allowed: false, ...(reason ? { reason } : {}) };
    } catch (e) {
      return { check, allowed: "unknown", error: toClusterError(e, op).message };
    }
  }

  /** A read that only asks "is it there": 404 → false, 403 → we may not know. */
  private async exists(op: KubeOperation, read: () => Promise<unknown>): Promise<boolean | "unknown"> {
    try {
      await this.read(op, read);
      return true;
    } catch (e) {
      const err = toClusterError(e, op);
      if (err.code === "not_found") return false;
      if (err.code === "forbidden") return "unknown";
      throw err;
    }
  }

  private read<T>(op: KubeOperation, call: () => Promise<T>): Promise<T> {
    return retryRead(op, { policy: this.policy, clock: this.clock }, call);
  }
}
