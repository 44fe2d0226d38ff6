import type { Program } from "@clipjob/fake-cluster";
import { benchCluster, benchRequest } from "./bench-cluster.js";
import { table, verdict } from "./markdown.js";
import { realisticTranscript } from "./realistic-transcript.js";
import type { Section } from "./section.js";

const REQUESTS_TARGET = 15;
const LENGTHS = [
  { label: "30 s", ms: 30_000 },
  { label: "10 min", ms: 10 * 60_000 },
  { label: "60 min", ms: 60 * 60_000 },
];

/** A fault-free run of `runMs` virtual time: ~60 lines of stream-json spread evenly over it. */
function evenRun(runMs: number): Program {
  return async (ctx) => {
    const lines = [...realisticTranscript().lines(120_000)];
    for (const line of lines) {
      await ctx.sleep(Math.floor(runMs / lines.length));
      ctx.stdout(line);
    }
    return 0;
  };
}

async function requestsFor(runMs: number): Promise<{ byKind: Readonly<Record<string, number>>; status: string }> {
  const bench = benchCluster();
  bench.fake.registerProgram("even", evenRun(runMs));
  const outcome = await bench.run(benchRequest("even"));
  const byKind = bench.fake.requests();
  bench.dispose();
  return { byKind, status: outcome.status };
}

export async function apiCostBench(): Promise<Section> {
  const results: { label: string; byKind: Readonly<Record<string, number>>; status: string }[] = [];
  for (const length of LENGTHS) results.push({ label: length.label, ...(await requestsFor(length.ms)) });
  const kinds = [...new Set(results.flatMap((r) => Object.keys(r.byKind)))].sort();
  const totals = results.map((r) => Object.values(r.byKind).reduce((a, b) => a + b, 0));
  const rows = kinds.map((kind) => [kind, ...results.map((r) => String(r.byKind[kind] ?? 0))]);
  rows.push(["**total**", ...totals.map((t) => `**${t}** ${verdict(t <= REQUESTS_TARGET)}`)]);
  rows.push(["outcome", ...results.map((r) => r.status)]);
  const kubeconfig = process.env["CLIPJOB_KUBECONFIG"];
  return {
    title: "API cost: requests per fault-free run",
    table: table(["Request kind (fake.requests())", ...results.map((r) => `${r.label} (fake)`)], rows),
    notes: [
      `Target: ≤ ${REQUESTS_TARGET} requests per fault-free run at every length. Counted by the fake API server, one per port call (the fake's ports never retry). A \`watch\` / \`follow\` is one request however long it stays open.`,
      "Where the requests go in a fault-free run (12): submit 3 (create job, create secret, patch job to unsuspend), guard 1 (list jobs), the Job watch 2 (list + watch), the pod watch 2 (list + watch), host introspection 1 (get pod: `describeHost` reads the Paperclip pod), log follows 2, clean-up 1 (delete job). The second follow is the one re-follow a finished container costs: the first stream ends when the container exits, but the pod status still says Running (kubelet status lag), so that EOF does not prove the log complete; core's follower (`run-agent-job.ts`, `followLoop`) waits for the pod watch to report the termination (or a 2 s back-off) and follows once more, and that EOF, begun after the exit, does.",
      "Longer runs add watch renewals: the fake's API server closes each watch after 30–60 min, and a resume after more than its 5 min of event history gets 410 Gone and relists (the fake sends no bookmarks). That is what takes the 60 min run past the target; a real API server with bookmarks resumes without the relist, but k8s-infra asks for `timeoutSeconds` 300, i.e. a renewal per watch every 5 min — about 24 more requests per hour on a real cluster.",
      kubeconfig
        ? `Real control plane: CLIPJOB_KUBECONFIG is set (${kubeconfig}), but this bench does not drive a real cluster (it needs an agent image and credentials); the lead fills the real-cluster row from the e2e suite's audit of API requests.`
        : "Real control plane: not measured (CLIPJOB_KUBECONFIG is not set); the lead fills the real-cluster row.",
    ],
    missedTargets: totals.flatMap((t, i) => (t > REQUESTS_TARGET ? [`${t} requests for a ${results[i]!.label} run`] : [])),
    brokenInvariants: results.flatMap((r) => (r.status === "succeeded" ? [] : [`fault-free ${r.label} run ended ${r.status}`])),
  };
}
