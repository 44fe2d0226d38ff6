import { benchCluster, benchRequest, timedProgram } from "./bench-cluster.js";
import { table, verdict } from "./markdown.js";
import type { Section } from "./section.js";
import { shortRun } from "./short-run.js";
import { ms, percentile } from "./stats.js";

const EXIT_TO_OUTCOME_TARGET_MS = 100;

interface Sample {
  readonly wall: { readonly submitToFirstLine: number; readonly exitToOutcome: number };
  readonly virtual: { readonly submitToFirstLine: number; readonly exitToOutcome: number };
}

async function oneRun(): Promise<{ sample: Sample | null; problem: string | null }> {
  const bench = benchCluster();
  const real = { submit: 0, firstLine: 0, exit: 0 };
  const virt = { submit: 0, firstLine: 0, exit: 0 };
  bench.fake.registerProgram("short", timedProgram(shortRun, (at) => {
    real.exit = at;
    virt.exit = bench.fake.clock.now();
  }));
  const outcome = await bench.run(benchRequest("short"), {
    observer: {
      onJob: () => {
        real.submit = performance.now();
        virt.submit = bench.fake.clock.now();
      },
      onLine: () => {
        if (real.firstLine !== 0) return;
        real.firstLine = performance.now();
        virt.firstLine = bench.fake.clock.now();
      },
    },
  });
  const realOutcome = performance.now();
  const virtualOutcome = bench.fake.clock.now();
  bench.dispose();
  if (outcome.status !== "succeeded" || real.exit === 0 || real.firstLine === 0) return { sample: null, problem: `run ended ${outcome.status} (${outcome.errorCode ?? "no code"})` };
  return {
    sample: {
      wall: { submitToFirstLine: real.firstLine - real.submit, exitToOutcome: realOutcome - real.exit },
      virtual: { submitToFirstLine: virt.firstLine - virt.submit, exitToOutcome: virtualOutcome - virt.exit },
    },
    problem: null,
  };
}

export async function latencyBench(quick: boolean): Promise<Section> {
  const runs = quick ? 40 : 300;
  const samples: Sample[] = [];
  const problems: string[] = [];
  // Two unmeasured runs first, so JIT warm-up is not in the percentiles.
  await oneRun();
  await oneRun();
  for (let i = 0; i < runs; i++) {
    const { sample, problem } = await oneRun();
    if (sample) samples.push(sample);
    if (problem) problems.push(problem);
  }
  const row = (label: string, pick: (s: Sample) => number, target: (p50: number) => string) => {
    const values = samples.map(pick);
    const p50 = percentile(values, 50);
    return [label, String(values.length), ms(p50), ms(percentile(values, 95)), ms(percentile(values, 99)), target(p50)];
  };
  const exitP50 = percentile(samples.map((s) => s.wall.exitToOutcome), 50);
  return {
    title: "Latency",
    table: table(
      ["Interval", "Runs", "p50 ms", "p95 ms", "p99 ms", "Target"],
      [
        row("container exit → outcome (wall: our processing + fake)", (s) => s.wall.exitToOutcome, (p50) => `≤ ${EXIT_TO_OUTCOME_TARGET_MS} ms p50 ${verdict(p50 <= EXIT_TO_OUTCOME_TARGET_MS)}`),
        row("submit → first transcript line (wall: our processing + fake)", (s) => s.wall.submitToFirstLine, () => "–"),
        row("container exit → outcome (virtual: simulated cluster time)", (s) => s.virtual.exitToOutcome, () => "–"),
        row("submit → first transcript line (virtual: simulated cluster time)", (s) => s.virtual.submitToFirstLine, () => "–"),
      ],
    ),
    notes: [
      "The fake cluster has no real-time clock option: `FakeCluster` always builds its own `VirtualClock` (auto-advancing, or frozen and stepped with `advance`). So the runs use auto-advance, where every virtual wait (kubelet status lag 1 s, controller latency 10 ms, the run's own back-offs) is skipped: the **wall** rows are pure processing time of our code plus the fake's simulation, from `performance.now()` hooks (`observer.onJob` = submit done, first `observer.onLine`, the container program returning, `runAgentJob` resolving).",
      "The **virtual** rows are the same intervals on the simulated clock: what a cluster with the fake's lags (status lag 1 s, controller latency 10 ms) adds on top. On a real cluster, expect roughly virtual + wall.",
      `Each run uses a fresh FakeCluster and one short program (~40 KB of stream-json over ~2 virtual seconds); two warm-up runs are not counted.${problems.length ? ` ${problems.length} runs did not succeed: ${problems.slice(0, 3).join("; ")}.` : ""}`,
    ],
    missedTargets: exitP50 > EXIT_TO_OUTCOME_TARGET_MS ? [`container exit → outcome p50 ${ms(exitP50)} ms`] : [],
    brokenInvariants: problems.map((p) => `latency run: ${p}`),
  };
}
