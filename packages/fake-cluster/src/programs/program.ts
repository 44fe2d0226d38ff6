/** What a simulated container process sees. Everything runs on the cluster's virtual clock. */
export interface ProgramContext {
  /** Claude's argv: what follows `claude` in the container command. */
  readonly argv: readonly string[];
  /** Standard input: the prompt read from the payload Secret. Empty when the command redirects nothing. */
  readonly prompt: string;
  /** The container's resolved environment (literals, secret and payload references, field references). */
  readonly env: Readonly<Record<string, string>>;
  /** Writes one line to stdout (a newline inside splits it, as the kubelet would). */
  stdout(line: string): void;
  stderr(line: string): void;
  /**
   * Writes raw text to a stream, newlines only where `data` has them: a line can be written in pieces
   * (the runtime stores a partial record as soon as it has read more than 16 KiB of the line, in 4 KiB reads,
   * the rest when the line ends).
   */
  write(stream: "stdout" | "stderr", data: string): void;
  /** Virtual-time sleep; resolves early once SIGTERM arrives (unless SIGTERM is trapped) or the process is killed. */
  sleep(ms: number): Promise<void>;
  /** Aborted when the container receives SIGTERM. */
  readonly signal: AbortSignal;
  /**
   * Traps SIGTERM. Without a trap the process dies at once with 143 (Node's default disposition); with one it
   * gets the pod's terminationGracePeriodSeconds to exit before SIGKILL (137).
   */
  onSigterm(handler: () => void): void;
  /** Claims memory; passing the container's memory limit gets the process OOM-killed (137, OOMKilled). */
  allocate(bytes: number): void;
  /** Seeded randomness: the same seed replays the same run. */
  random(): number;
  /** Virtual epoch milliseconds. */
  now(): number;
  /** Claude's session store, shared by every container of the cluster (what `--resume` looks up). */
  readonly sessions: { has(id: string): boolean; add(id: string): void };
}

/** A simulated container process; resolves with its exit code. A thrown error exits 1 with the message on stderr. */
export type Program = (ctx: ProgramContext) => Promise<number>;

/** The image that selects a program: `clipjob.dev/sim:<name>`. An unregistered name fails to pull. */
export function simImage(programName: string): string {
  return `${SIM_IMAGE_REPOSITORY}:${programName}`;
}

export const SIM_IMAGE_REPOSITORY = "clipjob.dev/sim";

/** The program name an image selects, when it is a sim image. */
export function programNameOfSimImage(image: string): string | undefined {
  const prefix = `${SIM_IMAGE_REPOSITORY}:`;
  return image.startsWith(prefix) ? image.slice(prefix.length) : undefined;
}

/**
 * Thrown by a program to play a container the runtime could not start (its command's executable is missing
 * from the image): the kubelet reports it as a real one does — terminated, exit code 128, reason
 * `StartError`, the runtime's message — and the process wrote nothing.
 */
export class ContainerStartError extends Error {
  override readonly name = "ContainerStartError";
}
