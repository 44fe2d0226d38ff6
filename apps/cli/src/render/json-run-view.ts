import type { AgentJobSpec, JobStarted, ProgressEvent, RunOutcome } from "@clipjob/core";
import type { OutputStream } from "../cli/cli-io.js";
import type { RunView } from "./run-view.js";

/**
 * `--json`: one object per line on stdout, for scripts. `progress` carries core's progress events (plus a
 * `job` event when the Job exists), `line` every raw transcript line untouched, `outcome` comes last.
 * The CLI's own messages go to stderr so stdout stays parseable.
 */
export class JsonRunView implements RunView {
  constructor(
    private readonly out: OutputStream,
    private readonly err: OutputStream,
    private readonly now: () => number,
  ) {}

  /**
   * The planned Job, as a `plan` progress event: what a script needs to check the run it asked for (name,
   * labels, annotations, claude's arguments, volumes, working directory); never the payload (prompt, tokens).
   */
  onPlan(spec: AgentJobSpec): void {
    const { ref, labels, annotations, claudeArgs, volumes, workingDir } = spec;
    this.emit({ type: "progress", event: { type: "plan", job: { namespace: ref.namespace, name: ref.name, labels, annotations, claudeArgs, volumes, workingDir }, atMs: this.now() } });
  }

  onJob(job: JobStarted): void {
    this.emit({ type: "progress", event: { type: "job", namespace: job.namespace, name: job.name, reattached: job.reattached, atMs: this.now() } });
  }

  onLine(stream: "stdout" | "stderr", line: string): void {
    this.emit({ type: "line", stream, line });
  }

  onProgress(event: ProgressEvent): void {
    this.emit({ type: "progress", event });
  }

  message(text: string): void {
    this.err.write(`${text}\n`);
  }

  finish(outcome: RunOutcome, exitCode: number, epilogue: readonly string[], extra: Readonly<Record<string, unknown>> = {}): void {
    for (const text of epilogue) this.err.write(`${text}\n`);
    this.emit({ type: "outcome", exitCode, outcome, ...extra });
  }

  close(): void {}

  private emit(value: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify(value)}\n`);
  }
}
