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
