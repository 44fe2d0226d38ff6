import type { Program } from "@clipjob/fake-cluster";
import { realisticTranscript } from "./realistic-transcript.js";

const LINES = [...realisticTranscript().lines(40_000)];

/** A short agent run: ~40 KB of realistic stream-json over about two virtual seconds. */
export const shortRun: Program = async (ctx) => {
  await ctx.sleep(300);
  let i = 0;
  for (const line of LINES) {
    ctx.stdout(line);
    if (++i % 4 === 0) await ctx.sleep(100);
  }
  return 0;
};

/** Virtual length of `fiveSecondRun`, start to exit. */
export const FIVE_SECOND_RUN_MS = 5_000;

/** The same ~40 KB transcript spread evenly over five virtual seconds: a run whose simulated length is known. */
export const fiveSecondRun: Program = async (ctx) => {
  const gap = FIVE_SECOND_RUN_MS / LINES.length;
  for (const line of LINES) {
    await ctx.sleep(gap);
    ctx.stdout(line);
  }
  return 0;
};

/** A brief run for real-time latency: the first 12 lines over ~300 virtual ms, then the result line. */
export const briefRun: Program = async (ctx) => {
  for (const line of LINES.slice(0, 12)) {
    await ctx.sleep(25);
    ctx.stdout(line);
  }
  ctx.stdout(LINES.at(-1)!);
  return 0;
};
