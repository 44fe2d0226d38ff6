import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CHILD_FLAG = "--child";

/**
 * Runs one measurement in a fresh `node --expose-gc` process, so its peak RSS is its own and not what earlier
 * benchmarks left in this process. The child prints its result as JSON.
 */
export function runInChild<T>(task: string, arg: number): T {
  const script = fileURLToPath(new URL("./bench.js", import.meta.url));
  const child = spawnSync(process.execPath, ["--expose-gc", script, CHILD_FLAG, task, String(arg)], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`child ${task} ${arg} failed (exit ${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as T;
}

export function forcedGc(): () => void {
  const gc = globalThis.gc;
  if (!gc) throw new Error("run with node --expose-gc");
  return gc;
}
