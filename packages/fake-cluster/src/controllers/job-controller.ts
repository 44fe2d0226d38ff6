import type { NewObject, ObjectStore, StoreEvent } from "../store/object-store.js";
import { isTerminalPhase } from "../store/object-store.js";
import {
  CONTROLLER_UID_LABEL,
  INIT_CONTAINERS_ANNOTATION,
  JOB_NAME_LABEL,
  JOB_TRACKING_FINALIZER,
  type Condition,
  type InitContainerSpec,
  type JobObject,
  type PodObject,
} from "../store/objects.js";
import type { VirtualClock } from "../virtual-clock.js";
import type { Random } from "../prng.js";
import { setCondition } from "../kubelet/kubelet.js";
import { WorkQueue } from "./work-queue.js";

export interface JobControllerOptions {
  readonly latencyMs: number;
  /** Extra delay before the terminal condition (Complete/Failed) is written (fault: Job-condition lag). */
  readonly conditionLagMs: () => number;
}

/**
 * The batch/v1 Job controller for our Jobs (completions 1, parallelism 1, backoffLimit 0): creates the pod
 * when not suspended, tracks pods with the job-tracking finalizer, enforces activeDeadlineSeconds, and writes
 * the interim condition (SuccessCriteriaMet / FailureTarget) before the terminal one (Complete / Failed), the
 * latter only once no pod is still terminating — as Kubernetes ≥ 1.31 does.
 */
export class JobController {
  private readonly queue: WorkQueue;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: VirtualClock,
    private readonly random: Random,
    private readonly options: JobControllerOptions,
  ) {
    this.queue = new WorkQueue(clock, options.latencyMs, (k) => this.reconcile(k));
    store.onChange((e) => this.onEvent(e));
  }

  stop(): void {
    this.queue.stop();
  }

  private onEvent(e: StoreEvent): void {
    const o = e.object;
    if (o.kind === "Job") this.queue.enqueue(`${o.metadata.namespace}/${o.metadata.name}`);
    if (o.kind === "Pod") {
      const owner = o.metadata.ownerReferences.find((r) => r.controller && r.kind === "Job");
      if (owner) this.queue.enqueue(`${o.metadata.namespace}/${owner.name}`);
    }
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split("/") as [string, string];
    const job = this.store.get("Job", ns, name);
    const candidates = this.store.list("Pod", ns, { [JOB_NAME_LABEL]: name }).items;
    if (!job) {
      // Pods of a Job that is gone: release them so garbage collection can remove them.
      for (const p of candidates) this.releasePod(p);
      return;
    }
    const pods = candidates.filter((p) => p.metadata.ownerReferences.some((r) => r.uid === job.metadata.uid));
    for (const p of candidates) if (!pods.includes(p)) this.releasePod(p);

    const now = this.clock.now();
    const status = structuredClone(job.status);
    for (const p of pods) {
      if (!p.metadata.finalizers.includes(JOB_TRACKING_FINALIZER)) continue;
      const unboundDeleting = p.metadata.deletionTimestamp !== undefined && p.spec.nodeName === undefined;
      if (!isTerminalPhase(p.status.phase) && !unboundDeleting) continue;
      if (p.status.phase === "Succeeded") status.succeeded++;
      else status.failed++;
      this.releasePod(p);
    }
    const live = pods.filter((p) => !isTerminalPhase(p.status.phase) && !(p.metadata.deletionTimestamp !== undefined && p.spec.nodeName === undefined));
    const active = live.filter((p) => p.metadata.deletionTimestamp === undefined);
    status.active = active.length;
    status.terminating = live.length - active.length;

    const finished = hasTrue(status.conditions, "Complete") || hasTrue(status.conditions, "Failed");
    const spec = job.spec;
    if (job.metadata.deletionTimestamp === undefined && !finished) {
      if (spec.suspend) {
        if (!hasTrue(status.conditions, "Suspended")) setCondition(status.conditions, "Suspended", "True", "JobSuspended", now, "Job suspended");
        for (const p of active) this.deletePod(p);
        status.startTime = undefined;
      } else {
        if (hasTrue(status.conditions, "Suspended")) setCondition(status.conditions, "Suspended", "False", "JobResumed", now, "Job resumed");
        status.startTime ??= now;
        let interim = interimCondition(status.conditions);
        if (!interim) {
          const deadlineAt = spec.activeDeadlineSeconds !== undefined ? status.startTime + spec.activeDeadlineSeconds * 1000 : undefined;
          if (deadlineAt !== undefined && now >= deadlineAt) {
            setCondition(status.conditions, "FailureTarget", "True", "DeadlineExceeded", now, "Job was active longer than specified deadline");
          } else if (status.failed > spec.backoffLimit) {
            setCondition(status.conditions, "FailureTarget", "True", "BackoffLimitExceeded", now, "Job has reached the specified backoff limit");
          } else if (status.succeeded >= spec.completions) {
            setCondition(status.conditions, "SuccessCriteriaMet", "True", "CompletionsReached", now, "Reached expected number of succeeded pods");
          } else if (live.length === 0) {
            this.createPod(job);
            status.active = 1;
          }
          if (deadlineAt !== undefined && now < deadlineAt) this.queue.enqueue(key, deadlineAt - now);
          interim = interimCondition(status.conditions);
          if (interim?.type === "FailureTarget") for (const p of active) this.deletePod(p);
        }
        if (interim && live.length === 0) {
          const due = interim.lastTransitionTime + this.options.conditionLagMs();
          if (now >= due) {
            const terminal = interim.type === "SuccessCriteriaMet" ? "Complete" : "Failed";
            setCondition(status.conditions, terminal, "True", interim.reason, now, interim.message);
            if (terminal === "Complete") status.completionTime = now;
          } else {
            this.queue.enqueue(key, due - now);
          }
        }
      }
    } else if (finished) {
      for (const p of active) this.deletePod(p);
    }
    if (JSON.stringify(status) !== JSON.stringify(job.status)) {
      this.store.update("Job", ns, name, (j) => (j.status = status), { uid: job.metadata.uid });
    }
  }

  private createPod(job: JobObject): void {
    const t = job.spec.template;
    const name = `${job.metadata.name}-${this.random.nameSuffix(5)}`;
    const pod: NewObject<"Pod"> = {
      kind: "Pod",
      metadata: {
        name,
        namespace: job.metadata.namespace,
        labels: {
          ...t.labels,
          [CONTROLLER_UID_LABEL]: job.metadata.uid,
          [JOB_NAME_LABEL]: job.metadata.name,
          "controller-uid": job.metadata.uid,
          "job-name": job.metadata.name,
        },
        annotations: { ...t.annotations },
        finalizers: [JOB_TRACKING_FINALIZER],
        ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        template: t,
        initContainers: initContainersOf(t.annotations, t.image),
        restartPolicy: "Never",
        terminationGracePeriodSeconds: t.terminationGracePeriodSeconds,
      },
      status: {
        phase: "Pending",
        conditions: [],
        initContainerStatuses: [],
        containerStatuses: [],
      },
    };
    this.store.create<"Pod">(pod);
  }

  private deletePod(p: PodObject): void {
    if (p.metadata.deletionTimestamp !== undefined) return;
    this.store.delete("Pod", p.metadata.namespace, p.metadata.name, { uid: p.metadata.uid });
  }

  private releasePod(p: PodObject): void {
    if (!p.metadata.finalizers.includes(JOB_TRACKING_FINALIZER)) return;
    this.store.update("Pod", p.metadata.namespace, p.metadata.name, (q) => {
      q.metadata.finalizers = q.metadata.finalizers.filter((f) => f !== JOB_TRACKING_FINALIZER);
    });
  }
}

function hasTrue(list: readonly Condition[], type: string): boolean {
  return list.some((c) => c.type === type && c.status === "True");
}

function interimCondition(list: readonly Condition[]): Condition | undefined {
  return list.find((c) => (c.type === "FailureTarget" || c.type === "SuccessCriteriaMet") && c.status === "True");
}

function initContainersOf(annotations: Readonly<Record<string, string>>, image: string): InitContainerSpec[] {
  const raw = annotations[INIT_CONTAINERS_ANNOTATION];
  if (!raw) return [];
  const parsed = JSON.parse(raw) as { name: string; image?: string; exitCode?: number; runMs?: number }[];
  return parsed.map((c) => ({ name: c.name, image: c.image ?? image, exitCode: c.exitCode ?? 0, runMs: c.runMs ?? 500 }));
}
