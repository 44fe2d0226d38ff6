// The configuration reference Paperclip shows agents and the UI. The table is generated from core's config
// schema, so the documented defaults are the ones the code applies.
import { configReferenceMarkdown } from "@clipjob/core";

export function agentConfigurationDoc(): string {
  return [
    "# claude_k8s agent configuration",
    "",
    "Each heartbeat runs Claude Code in its own Kubernetes Job; the transcript streams back live and the outcome is classified precisely.",
    "",
    "- **Inherited from the Paperclip pod** (when Paperclip runs in Kubernetes): image, image pull secrets, DNS settings, the `/paperclip` volume, secret volumes, and model credentials by reference.",
    "- **Sessions** live under `HOME=/paperclip` on the shared ReadWriteMany volume, so the next wake resumes with `--resume`.",
    "- **Cancel** deletes the Job. A Paperclip **restart** keeps it running, but Paperclip records the run `interrupted` and holds its task until a board user reconciles that run (plugin README, troubleshooting: \"A task is blocked after a Paperclip restart\"); the task's next run then reattaches to the Job and streams its transcript from the start (`reattachOrphanedJobs`), or, if the Job finished meanwhile, delivers its transcript and result without creating another. A run without a task is not reattached.",
    "- **Secrets** never appear in a Job spec: credentials in `env` (including Paperclip secret bindings) and the run token reach the pod through the run's payload Secret (the agent's claim, which owns the Job), or through your own Secret with `{ \"secretKeyRef\": { \"name\", \"key\" } }`.",
    '- **Evaluation mode**: `"cluster": "simulated"` runs scripted transcripts (`simulatedScenario`) on an in-process simulated cluster: no Kubernetes, no Claude.',
    "",
    "## Fields",
    "",
    configReferenceMarkdown(),
  ].join("\n");
}
