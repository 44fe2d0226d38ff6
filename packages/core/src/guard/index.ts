export { classifyOrphan, orphanBlockCode, type ExpectedRun, type OrphanBlockCode, type OrphanClassification } from "./classify-orphan.js";
export { decideGuard, describeLiveJob, type GuardDecision, type GuardInput } from "./decide-guard.js";
export { isJobTerminal, isPodLive, jobLiveness, needsPodCheck, type JobLiveness } from "./job-liveness.js";
