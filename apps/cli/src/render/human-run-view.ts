import type { JobStarted, ProgressEvent, RunOutcome, RunPhase } from "@clipjob/core";
import type { OutputStream } from "../cli/cli-io.js";
import { line, type DisplayLine } from "./display-line.js";
import { outcomeSummary } from "./outcome-summary.js";
import { paint } from "./paint.js";
import { statusText } from "./status-line.js";
import { oneLine } from "./terminal-text.js";
import { TranscriptFormatter } from "./transcript-formatter.js";
import type { RunView } from "./run-view.js";

const STATUS_REFRESH_MS = 250;
const CLEAR_LINE = "\r\x1b[2K";

export interface HumanRunViewOptions {
  readonly out: OutputStream;
  readonly colour: boolean;
  /** The run's clock (virtual time on the simulated cluster). */
  readonly now: () => number;
  readonly simulated: boolean;
}

/**
 * The transcript as readable lines. On a terminal a status line (phase, elapsed time, silence) stays under
 * the output and is redrawn in place; elsewhere every phase change is a plain line instead.
 */
export class HumanRunView implements RunView {
  private readonly formatter = new TranscriptFormatter();
  private readonly startedAt: number;
  private readonly live: boolean;
  private phase: RunPhase = "planning";
  private job: string | null = null;
  private lastOutputAt: number | null = null;
  private statusShown = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: HumanRunViewOptions) {
    this.startedAt = options.now();
    this.live = options.out.isTTY === true;
    if (this.live) {
      this.timer = setInterval(() => this.drawStatus(), STATUS_REFRESH_MS);
      this.timer.unref();
    }
  }

  onJob(job: JobStarted): void {
    this.job = `${job.namespace}/${job.name}`;
  }

  onLine(stream: "stdout" | "stderr", raw: string): void {
    this.lastOutputAt = this.options.now();
    this.print(this.formatter.format(stream, raw));
  }

  onProgress(event: ProgressEvent): void {
    switch (event.type) {
      case "phase":
        this.phase = event.phase;
        if (event.phase !== "done") this.print([line("dim", `· ${event.phase.replace(/_/g, " ")}`)]);
        break;
      case "pod":
        this.print([line("dim", `· pod ${event.pod}: ${oneLine(event.detail, 200)}`)]);
        break;
      case "keepalive":
        this.print([line("dim", `· Claude has been silent for ${event.secondsSinceOutput}s`)]);
        break;
      case "notice":
        this.print([line(event.level === "warn" ? "warn" : "dim", `${event.level === "warn" ? "⚠" : "·"} ${oneLine(event.message, 400)}`)]);
        break;
    }
  }

  message(text: string, style: "plain" | "warn" | "error" = "plain"): void {
    this.print([line(style, text)]);
  }

  finish(outcome: RunOutcome, exitCode: number, epilogue: readonly string[]): void {
    this.stopStatus();
    this.print(outcomeSummary(outcome, exitCode));
    this.print(epilogue.map((text) => line("dim", text)));
  }

  close(): void {
    this.stopStatus();
  }

  private print(lines: readonly DisplayLine[]): void {
    if (lines.length === 0) return;
    const text = lines.map((l) => paint(l, this.options.colour)).join("\n");
    this.options.out.write(`${this.statusShown ? CLEAR_LINE : ""}${text}\n`);
    this.statusShown = false;
    this.drawStatus();
  }

  private drawStatus(): void {
    if (!this.live || this.timer === null) return;
    const now = this.options.now();
    const text = statusText(
      {
        phase: this.phase,
        elapsedMs: now - this.startedAt,
        sinceOutputMs: this.lastOutputAt === null ? null : now - this.lastOutputAt,
        job: this.job,
        simulated: this.options.simulated,
      },
      Math.max(20, (this.options.out.columns || 100) - 1),
    );
    this.options.out.write(`${CLEAR_LINE}${paint(line("dim", text), this.options.colour)}`);
    this.statusShown = true;
  }

  private stopStatus(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.statusShown) this.options.out.write(CLEAR_LINE);
    this.statusShown = false;
  }
}
