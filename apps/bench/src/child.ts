import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CHILD_FLAG = "--child";

/**
 * Runs one measurement in a fresh `node --expose-gc` process, so its peak RSS is its own and not what earlier
 * benchmarks left in this process (and so the chaos matrix can use every core). The child prints JSON.
 */
export function runInChild<T>(task: string, args: readonly number[]): Promise<T> {
  const script = fileURLToPath(new URL("./bench.js", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", script, CHILD_FLAG, task, ...args.map(String)], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`child ${task} ${args.join(" ")} failed (exit ${code}): ${Buffer.concat(err).toString()}`));
      try {
        resolve(JSON.parse(Buffer.concat(out).toString()) as T);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

export function forcedGc(): () => void {
  const gc = globalThis.gc;
  if (!gc) throw new Error("run with node --expose-gc");
  return gc;
}

/**
 * Samples RSS on the wall clock until stopped. (`resourceUsage().maxRSS` would be wrong in a child: Linux keeps
 * the parent's high-water mark across exec.)
 */
export function peakRssSampler(everyMs = 20): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => void (peak = Math.max(peak, process.memoryUsage.rss())), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}
