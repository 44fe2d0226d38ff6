// `pnpm bench` (full; rewrites docs/benchmarks.md), `pnpm bench --quick` (CI smoke; prints only) and
// `pnpm bench --only SECTION` (one section, full size; rewrites only that section of docs/benchmarks.md).
// Prints markdown tables; exits non-zero only when a correctness invariant breaks, never on a timing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { apiCostBench } from "./api-cost-bench.js";
import { chaosBench, chaosWorker } from "./chaos/chaos-bench.js";
import { CHILD_FLAG } from "./child.js";
import { latencyBench } from "./latency-bench.js";
import { describeMachine, machineLine } from "./machine.js";
import { memoryBench, memoryChild } from "./memory-bench.js";
import { pacingBench } from "./pacing-bench.js";
import { realNodeBench } from "./real-node-bench.js";
import { parserBench } from "./parser-bench.js";
import { pluginMemoryBench, pluginMemoryChild } from "./plugin-memory-bench.js";
import { scaleBench, scaleChild } from "./scale-bench.js";
import { renderSection, type Section } from "./section.js";

const DOC_PATH = fileURLToPath(new URL("../../../docs/benchmarks.md", import.meta.url));

async function child(task: string, args: number[]): Promise<unknown> {
  switch (task) {
    case "memory":
      return memoryChild(args[0]!);
    case "plugin-memory":
      return pluginMemoryChild(args[0]!);
    case "scale":
      return scaleChild(args[0]!, args[1]!, args[2]!);
    case "chaos":
      return chaosWorker(args[0]!, args[1]!, args[2]!);
    default:
      throw new Error(`unknown child task ${task}`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const childAt = argv.indexOf(CHILD_FLAG);
  if (childAt >= 0) {
    const result = await child(argv[childAt + 1]!, argv.slice(childAt + 2).map(Number));
    process.stdout.write(JSON.stringify(result));
    return 0;
  }
  const quick = argv.includes("--quick");
  const onlyAt = argv.indexOf("--only");
  const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
  if (onlyAt >= 0 && (only === undefined || !(only in BENCHES))) {
    process.stderr.write(`--only needs one of: ${Object.keys(BENCHES).join(", ")}\n`);
    return 2;
  }
  const machine = describeMachine();
  const startedAt = new Date();
  const command = `pnpm bench${quick ? " --quick" : ""}${only ? ` --only ${only}` : ""}`;
  const header = `# clipjob benchmarks\n\nCommand: \`${command}\` (from the repository root; builds \`@clipjob/bench\` and its dependencies, then runs \`node --expose-gc apps/bench/dist/bench.js${quick ? " --quick" : ""}\`).\n\nMachine: ${machineLine(machine)}. Run started ${startedAt.toISOString()}.\n`;
  process.stdout.write(`${header}\n`);
  const benches = only ? [BENCHES[only as keyof typeof BENCHES]] : Object.values(BENCHES);
  const sections: Section[] = [];
  for (const bench of benches) {
    const section = await bench(quick);
    sections.push(section);
    process.stdout.write(`${renderSection(section)}\n`);
  }
  const missed = sections.flatMap((s) => s.missedTargets);
  const broken = sections.flatMap((s) => s.brokenInvariants);
  const elapsedS = Math.round((Date.now() - startedAt.getTime()) / 1000);
  const summary = [
    "## Summary",
    "",
    `- Targets missed: ${missed.length ? missed.join("; ") : "none"}.`,
    `- Invariants broken: ${broken.length ? `${broken.length} (see the chaos section)` : "none"}.`,
    `- Total wall time: ${elapsedS} s.`,
  ].join("\n");
  process.stdout.write(`${summary}\n`);
  if (!quick && only) {
    // One section, regenerated alone: it replaces its own part of the file; the rest stays from the last full run.
    const section = sections[0]!;
    const alone = { ...section, notes: [...section.notes, `Regenerated alone by \`${command}\` (run started ${startedAt.toISOString()}, ${elapsedS} s wall; machine: ${machineLine(machine)}); the other sections and the summary above come from the last full run.`] };
    const old = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, "utf8") : "";
    writeFileSync(DOC_PATH, replaceSection(old, section.title, renderSection(alone)));
    process.stdout.write(`\nRewrote the "${section.title}" section of ${DOC_PATH}\n`);
  } else if (!quick) {
    const doc = [header, DOC_NOTES, summary, "", ...sections.map(renderSection)].join("\n");
    mkdirSync(dirname(DOC_PATH), { recursive: true });
    writeFileSync(DOC_PATH, doc);
    process.stdout.write(`\nWrote ${DOC_PATH}\n`);
  }
  return broken.length ? 1 : 0;
}

/** Every section, by the name `--only` takes. */
const BENCHES = {
  parser: (quick: boolean) => parserBench(quick),
  memory: (quick: boolean) => memoryBench(quick),
  "plugin-memory": (quick: boolean) => pluginMemoryBench(quick),
  latency: (quick: boolean) => latencyBench(quick),
  pacing: (quick: boolean) => pacingBench(quick),
  "api-cost": (quick: boolean) => apiCostBench(quick),
  "real-node": () => realNodeBench(),
  scale: (quick: boolean) => scaleBench(quick),
  chaos: (quick: boolean) => chaosBench(quick),
} satisfies Record<string, (quick: boolean) => Section | Promise<Section>>;

/** `doc` with the section headed `## title` (up to the next \`## \` heading) replaced by `rendered`, or `rendered` appended. */
function replaceSection(doc: string, title: string, rendered: string): string {
  const heading = `## ${title}\n`;
  const start = doc.indexOf(heading);
  if (start < 0) return `${doc.trimEnd()}\n\n${rendered}`;
  const next = doc.indexOf("\n## ", start + heading.length);
  return `${doc.slice(0, start)}${rendered}${next < 0 ? "" : doc.slice(next)}`;
}

const DOC_NOTES = [
  "This file is generated by the full run (`pnpm bench`); `pnpm bench --quick` (the CI smoke, smaller sizes and seed counts) prints the same tables without writing it.",
  "Timings come from a shared machine that other jobs were loading while the bench ran (see the load average above): read them as an upper bound, and compare ratios (reader vs JSON.parse, concurrent vs alone) rather than absolute numbers. Correctness counts (lines, leaks, settling) do not depend on load.",
  "Everything except the real-control-plane row runs on `@clipjob/fake-cluster` (a simulated Kubernetes on a virtual clock) through core's `runAgentJob`, exactly as the CLI and the Paperclip adapter call it. Most sections use auto-advancing virtual time (`speed: \"max\"`: every simulated wait is skipped, wall time is pure processing); the rows marked **real time** pace the fake's clock at real time (`speed: 1`, as `clipjob run --speed 1` and `CLIPJOB_SIM_SPEED=1` do), so their latencies and overheads include the simulated cluster's waits the way a real cluster's would.",
  "",
].join("\n\n");

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
