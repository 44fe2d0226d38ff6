// Runs the built CLI as a child process, the way a user does. Every child is killed (by PID) if it outlives
// its time limit, so a hanging CLI fails its test instead of the whole run.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

export interface CliProcess {
  /** Resolves once stdout contains `text`. */
  waitForOutput(text: string): Promise<void>;
  /** Sends `signal` (Ctrl-C's SIGINT unless named) to the CLI process. */
  interrupt(signal?: NodeJS.Signals): void;
  readonly done: Promise<CliResult>;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** The environment of a machine with no cluster configured, and no colour. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env["KUBECONFIG"];
  delete env["KUBERNETES_SERVICE_HOST"];
  delete env["KUBERNETES_SERVICE_PORT"];
  return env;
}

export function startCli(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: options.env ?? cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const w of waiters.filter((w) => stdout.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const guard = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  }, options.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return {
    done,
    interrupt: (signal = "SIGINT") => {
      if (child.pid !== undefined) process.kill(child.pid, signal);
    },
    waitForOutput: (text) =>
      stdout.includes(text)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ text, resolve })),
            done.then((r) => Promise.reject(new Error(`CLI exited (${r.code}) before printing ${JSON.stringify(text)}:\n${r.stdout}\n${r.stderr}`))),
          ]),
  };
}

export function runCliProcess(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
