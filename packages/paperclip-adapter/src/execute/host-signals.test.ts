// watchProcessSignals in a real child process that receives a real signal: the order of a process's signal
// listeners and the signal's default action cannot be observed on a stand-in emitter.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostSignalLatch } from "./host-signals.js";

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The child: a host shutdown handler as Paperclip 2026.916.1 registers it (`process.once`, at start, plus the
 * OTel backstop's `once`), then, later, the plugin's latch as the first `execute` registers it. The host's
 * handler drains asynchronously (several turns of the event loop, as Paperclip's database updates take) and
 * then exits 0. Lines go to fd 1 synchronously, so none is lost when the process dies of the signal.
 */
const CHILD = `
import { writeSync } from "node:fs";
import { HostSignalLatch, watchProcessSignals } from "./host-signals.ts";
const say = (line) => writeSync(1, line + "\\n");
const withHost = process.argv[2] === "with-host";
if (withHost) {
  for (const name of ["SIGTERM", "SIGINT"]) {
    process.once(name, () => {
      void (async () => {
        for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
        say("host drained " + name);
        process.exit(0);
      })();
    });
    process.once(name, () => undefined);
  }
}
const latch = new HostSignalLatch();
watchProcessSignals(latch);
latch.subscribe(() => say("latched"));
say("ready");
setInterval(() => undefined, 60_000);
`;

let workDir: string;
let childScript: string;

beforeAll(async () => {
  const { build } = await import("esbuild");
  const out = await build({
    stdin: { contents: CHILD, resolveDir: HERE, loader: "js", sourcefile: "signal-child.mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  workDir = mkdtempSync(join(tmpdir(), "clipjob-signals-"));
  childScript = join(workDir, "signal-child.mjs");
  writeFileSync(childScript, out.outputFiles[0]!.text);
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: string[];
}

/** Starts the child, sends `signal` once it says "ready", and resolves with how it ended and what it said. */
function signalChild(mode: "with-host" | "alone", signal: NodeJS.Signals): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, mode], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    let sent = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (!sent && out.split("\n").includes("ready")) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on("error", reject);
    child.on("close", (code, exitSignal) => resolve({ code, signal: exitSignal, lines: out.split("\n").filter(Boolean) }));
  });
}

describe("watchProcessSignals in a real process", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "registered after the host's once(%s) shutdown handler, the latch fires and the host's asynchronous drain still runs to its exit 0",
    async (signal) => {
      const exit = await signalChild("with-host", signal);
      expect(exit).toEqual({ code: 0, signal: null, lines: ["ready", "latched", `host drained ${signal}`] });
    },
  );

  it.each(["SIGTERM", "SIGINT"] as const)("with no host handler, %s still ends the process by its default action after the latch fires", async (signal) => {
    const exit = await signalChild("alone", signal);
    expect(exit).toEqual({ code: null, signal, lines: ["ready", "latched"] });
  });
});

describe("HostSignalLatch", () => {
  it("calls a listener that subscribes after the signal at once, and each listener once", () => {
    const latch = new HostSignalLatch();
    const calls: string[] = [];
    latch.subscribe(() => calls.push("early"));
    latch.fire();
    latch.fire();
    latch.subscribe(() => calls.push("late"));
    expect({ received: latch.received(), calls }).toEqual({ received: true, calls: ["early", "late"] });
  });
});
