// How closely a paced FakeCluster clock (`speed: n`, what `clipjob run --speed n` and CLIPJOB_SIM_SPEED use)
// keeps up with real time. These numbers depend on how busy the machine is, which is why they live here and
// not in the unit tests (those assert only what holds under any load: never ahead of real time × speed,
// forward only, stopped dead on dispose).
import { setTimeout as delay } from "node:timers/promises";
import { FakeCluster } from "@clipjob/fake-cluster";
import { table, verdict } from "./markdown.js";
import type { Section } from "./section.js";

/** The pacer steps every 20 ms; falling behind by about two steps is what an unloaded machine should manage. */
const LAG_TARGET_MS = 45;
const SAMPLE_EVERY_MS = 100;

interface PaceSample {
  readonly speed: number;
  readonly wallMs: number;
  /** Virtual ms that passed ÷ (real ms × speed). */
  readonly ratio: number;
  /** Real ms × speed − virtual ms, in real ms (how far behind real time the clock is), at the end and at worst. */
  readonly finalLagMs: number;
  readonly worstLagMs: number;
  /** Virtual ms the clock ahead of real time × speed at any sample (must be 0). */
  readonly aheadMs: number;
}

async function pace(speed: number, wallMs: number): Promise<PaceSample> {
  const wallStart = performance.now();
  const fake = new FakeCluster({ speed });
  const virtualStart = fake.clock.now();
  let worst = 0;
  let ahead = 0;
  let last = { wall: 0, virtual: 0 };
  while (performance.now() - wallStart < wallMs) {
    await delay(SAMPLE_EVERY_MS);
    const virtual = fake.clock.now() - virtualStart;
    const wall = performance.now() - wallStart;
    worst = Math.max(worst, wall - virtual / speed);
    ahead = Math.max(ahead, virtual - wall * speed);
    last = { wall, virtual };
  }
  fake.dispose();
  return { speed, wallMs: last.wall, ratio: last.virtual / (last.wall * speed), finalLagMs: last.wall - last.virtual / speed, worstLagMs: worst, aheadMs: ahead };
}

/** Virtual ms the clock moved in `graceMs` of real time after dispose() (must be 0). */
async function afterDispose(graceMs: number): Promise<number> {
  const fake = new FakeCluster({ speed: 1000 });
  await fake.clock.sleep(1);
  fake.dispose();
  const stopped = fake.clock.now();
  await delay(graceMs);
  return fake.clock.now() - stopped;
}

export async function pacingBench(quick: boolean): Promise<Section> {
  const wallMs = quick ? 1_000 : 5_000;
  const samples = [await pace(1, wallMs), await pace(100, wallMs), await pace(1000, wallMs)];
  const moved = await afterDispose(200);
  const broken = [
    ...samples.filter((s) => s.aheadMs > 1).map((s) => `pacing: speed ${s.speed} ran ${s.aheadMs.toFixed(1)} virtual ms ahead of real time × speed`),
    ...(moved !== 0 ? [`pacing: the clock moved ${moved} virtual ms after dispose()`] : []),
  ];
  const missed = samples.filter((s) => s.finalLagMs > LAG_TARGET_MS).map((s) => `pacing at speed ${s.speed}: ${s.finalLagMs.toFixed(1)} ms behind real time`);
  return {
    title: "Clock pacing",
    table: table(
      ["Speed", "Real ms", "Virtual ÷ (real × speed)", "Behind real time at the end (ms)", "Worst (ms)", "Target"],
      samples.map((s) => [String(s.speed), s.wallMs.toFixed(0), s.ratio.toFixed(4), s.finalLagMs.toFixed(1), s.worstLagMs.toFixed(1), `≤ ${LAG_TARGET_MS} ms ${verdict(s.finalLagMs <= LAG_TARGET_MS)}`]),
    ),
    notes: [
      `A \`FakeCluster({ speed })\` left idle for ${wallMs} ms of real time, its clock read every ${SAMPLE_EVERY_MS} ms. The pacer steps the clock every 20 ms by the real time that passed × speed, carrying the sub-millisecond fraction, so it trails real time by at most one step plus however late the machine runs its timer; it is never ahead (checked at every sample: a broken invariant otherwise). After \`dispose()\` the clock moved ${moved} virtual ms in 200 ms of real time (must be 0, also when disposed mid-step).`,
    ],
    missedTargets: missed,
    brokenInvariants: broken,
  };
}
