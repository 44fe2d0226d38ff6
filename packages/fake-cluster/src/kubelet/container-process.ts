// A container's process in the fake kubelet: a program run with its argv, prompt and env, writing to the
// container log, with SIGTERM (trapped or not), SIGKILL after the grace period, OOM kills and vanishing nodes.
import type { Random } from "../prng.js";
import { ContainerStartError, type Program, type ProgramContext } from "../programs/program.js";
import type { VirtualClock } from "../virtual-clock.js";
import type { ContainerLog } from "./container-log.js";

/** What a process needs of its kubelet. */
export interface ProcessDeps {
  readonly clock: VirtualClock;
  readonly random: Random;
  readonly sessions: ProgramContext["sessions"];
}

/** Why a container stopped: its own exit, or the kubelet/kernel killing it. */
export type Death = { readonly exitCode: number; readonly reason: string; readonly signal?: number; readonly message?: string };

class ProcessKilled extends Error {}

export interface ProcessOutcome {
  readonly death: Death;
  readonly vanished: boolean;
  readonly evicted: boolean;
}

/** A program running as the container's process. */
export class RunningProcess {
  private readonly term = new AbortController();
  private readonly killSignal = new AbortController();
  private trapped = false;
  private allocated = 0;
  private ended = false;
  private resolveOutcome!: (o: ProcessOutcome) => void;
  private readonly outcome = new Promise<ProcessOutcome>((r) => (this.resolveOutcome = r));

  constructor(
    private readonly deps: ProcessDeps,
    program: Program,
    private readonly opts: { argv: readonly string[]; prompt: string; env: Record<string, string>; memoryLimit: number; log: ContainerLog },
  ) {
    const alive = (): boolean => !this.ended;
    const ctx: ProgramContext = {
      argv: opts.argv,
      prompt: opts.prompt,
      env: opts.env,
      stdout: (line) => {
        if (alive()) opts.log.append(deps.clock.now(), "stdout", line);
      },
      stderr: (line) => {
        if (alive()) opts.log.append(deps.clock.now(), "stderr", line);
      },
      write: (stream, data) => {
        if (alive()) opts.log.write(deps.clock.now(), stream, data);
      },
      sleep: (ms) => deps.clock.sleep(ms, this.trapped ? this.killSignal.signal : AbortSignal.any([this.term.signal, this.killSignal.signal])),
      signal: this.term.signal,
      onSigterm: (handler) => {
        this.trapped = true;
        this.term.signal.addEventListener("abort", handler, { once: true });
      },
      allocate: (bytes) => {
        if (!alive()) throw new ProcessKilled("killed");
        this.allocated += bytes;
        if (this.allocated > opts.memoryLimit) {
          this.kill({ exitCode: 137, reason: "OOMKilled", signal: 9 });
          throw new ProcessKilled("OOM");
        }
      },
      random: () => deps.random.next(),
      now: () => deps.clock.now(),
      sessions: deps.sessions,
    };
    // The program starts on a later turn so the caller can attach SIGTERM handling first.
    queueMicrotask(() => {
      program(ctx).then(
        (code) => this.exit({ exitCode: code, reason: code === 0 ? "Completed" : "Error" }),
        (err: unknown) => {
          if (err instanceof ProcessKilled) return;
          // What containerd reports when the command cannot even be executed (e.g. no `sh` in the image).
          if (err instanceof ContainerStartError) {
            this.exit({ exitCode: 128, reason: "StartError", message: err.message });
            return;
          }
          ctx.stderr(err instanceof Error ? (err.stack ?? err.message) : String(err));
          this.exit({ exitCode: 1, reason: "Error" });
        },
      );
    });
  }

  wait(): Promise<ProcessOutcome> {
    return this.outcome;
  }

  /** SIGTERM: untrapped, the process dies now with 143; trapped, it has until `deadline` before SIGKILL (137). */
  sigterm(deadline: number): void {
    if (this.ended || this.term.signal.aborted) return;
    this.term.abort();
    if (!this.trapped) {
      this.kill({ exitCode: 143, reason: "Error", signal: 15 });
      return;
    }
    this.deps.clock.schedule(Math.max(0, deadline - this.deps.clock.now()), () => this.kill({ exitCode: 137, reason: "Error", signal: 9 }));
  }

  kill(death: Death, opts: { evicted?: boolean } = {}): void {
    if (this.ended) return;
    this.ended = true;
    this.killSignal.abort();
    this.resolveOutcome({ death, vanished: false, evicted: opts.evicted ?? false });
  }

  vanish(): void {
    if (this.ended) return;
    this.ended = true;
    this.killSignal.abort();
    this.resolveOutcome({ death: { exitCode: 137, reason: "Unknown" }, vanished: true, evicted: false });
  }

  private exit(death: Death): void {
    if (this.ended) return;
    this.ended = true;
    this.killSignal.abort();
    this.resolveOutcome({ death, vanished: false, evicted: false });
  }
}
