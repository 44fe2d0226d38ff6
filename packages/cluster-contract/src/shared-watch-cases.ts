// Contract cases for the shared watches: every run's watchJob/watchPods and the guard's listJobs are served by
// one informer per resource and namespace in the process (core's SharedInformer). What a run must still see:
// only its own Job and pods, however many runs share the watch, and its own writes at once.
import { describe, expect, it } from "vitest";
import type { JobSnapshot, JobWatchEvent, PodWatchEvent } from "@clipjob/core";
import type { ContractHarness } from "./contract-harness.js";
import { collectUntil, isFinished, uniqueName } from "./contract-helpers.js";

export function describeSharedWatchCases(harness: () => ContractHarness, submit: (prefix: string, behaviour?: object, overrides?: object) => Promise<JobSnapshot>): void {
  describe("shared watches", () => {
    it("concurrent watches of several Jobs in one namespace each see only their own Job and pods, to the end", async () => {
      const h = harness();
      const jobs = await Promise.all([1, 2, 3, 4, 5].map((i) => submit(`shared-${i}`)));
      const ac = new AbortController();
      const [jobViews, podViews] = await Promise.all([
        Promise.all(jobs.map((job) => collectUntil<JobWatchEvent>(h.cluster.watchJob(job.ref, ac.signal), (e) => e.job !== null && isFinished(e.job)))),
        Promise.all(jobs.map((job) => collectUntil<PodWatchEvent>(h.cluster.watchPods(job.ref, ac.signal), (e) => e.pod.phase === "Succeeded"))),
      ]);
      ac.abort();
      jobs.forEach((job, i) => {
        expect(jobViews[i]!.every((e) => e.job?.ref.uid === job.ref.uid)).toBe(true);
        expect(jobViews[i]![0]?.type).toBe("added");
        expect(podViews[i]!.every((e) => e.pod.jobName === job.ref.name)).toBe(true);
      });
    });

    it("listJobs shows this process's own writes at once: a Job right after its submit, none right after its Background delete", async () => {
      const h = harness();
      const tag = uniqueName("ryw");
      const selector = { "clipjob.dev/test": tag };
      // The first read starts the namespace's informer (its list is this read); it lingers for what follows.
      expect(await h.cluster.listJobs(h.namespace, selector)).toEqual([]);
      const job = await submit("ryw", { runMs: 30_000 }, { labels: { "app.kubernetes.io/managed-by": "clipjob", "clipjob.dev/test": tag } });
      expect((await h.cluster.listJobs(h.namespace, selector)).map((j) => j.ref.uid)).toEqual([job.ref.uid]);
      expect(await h.cluster.deleteJob(job.ref, "Background")).toBe(true);
      expect(await h.cluster.listJobs(h.namespace, selector)).toEqual([]);
    });
  });
}
