import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { err, MAX_PROMPT_BYTES, ok, runAgentJob, sanitizeLabelValue, type ClipjobConfig, type Result, type RunOutcome, type RunRequest } from "@clipjob/core";
import { simImage } from "@clipjob/fake-cluster";
import { interruptName, type CliIo } from "../cli/cli-io.js";
import { booleanFlag, CLUSTER_FLAGS, listFlag, parseCommandArgs, stringFlag, type ParsedArgs } from "../cli/command-args.js";
import { EXIT, exitCodeForOutcome } from "../cli/exit-codes.js";
import { RUN_HELP } from "../cli/help-text.js";
import { kubeconfigFromEnv } from "../cli/real-cluster.js";
import { parseSpeed } from "../cli/speed.js";
import { CompositionRoot } from "../composition/composition-root.js";
import type { ClusterTarget } from "../composition/cluster-target.js";
import { resolveConfig } from "../config/resolve-config.js";
import { HumanRunView } from "../render/human-run-view.js";
import { JsonRunView } from "../render/json-run-view.js";
import { wantsColour } from "../render/paint.js";
import type { RunView } from "../render/run-view.js";
import type { EmbeddedSimulation, SimulationSpeed } from "../simulation/embedded-simulation.js";

const DEFAULT_AGENT_ID = "clipjob-cli";
const OPTIONS = {
  ...CLUSTER_FLAGS,
  scenario: { type: "string" },
  speed: { type: "string" },
  cluster: { type: "string" },
  image: { type: "string" },
  config: { type: "string" },
  set: { type: "string", multiple: true },
  agent: { type: "string" },
  "agent-id": { type: "string" },
  "task-id": { type: "string" },
  resume: { type: "string" },
  "workspace-claim": { type: "string" },
  "prompt-file": { type: "string" },
  json: { type: "boolean" },
} as const;

export async function runCommand(args: readonly string[], io: CliIo, root: CompositionRoot = new CompositionRoot()): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS);
  if (!parsed.ok) return usage(io, parsed.error);
  if (booleanFlag(parsed.value, "help")) {
    io.stdout.write(RUN_HELP);
    return EXIT.ok;
  }
  const flags = parsed.value;
  const speed = parseSpeed(stringFlag(flags, "speed"));
  if (!speed.ok) return usage(io, speed.error);

  const configFile = stringFlag(flags, "config");
  const resolved = resolveConfig({
    ...(configFile !== undefined ? { configFile } : {}),
    sets: listFlag(flags, "set"),
    flags: pick(flags.values, ["cluster", "scenario", "namespace", "image", "kubeconfig", "context"]),
    cwd: io.cwd,
  });
  if (!resolved.ok) return usage(io, resolved.error.lines.join("\n"));
  const { config } = resolved.value;
  const raw = { ...resolved.value.raw };
  if (config.cluster === "simulated" && config.image === null) {
    // parseConfig already refused a scenario outside SIMULATED_SCENARIOS (config_invalid naming them all).
    raw["image"] = simImage(config.simulatedScenario);
  }

  // Every usage error before the scope opens: an opened scope (its simulation) is disposed only by the run below.
  const prompt = await readPrompt(flags.positionals, stringFlag(flags, "prompt-file"), io);
  if (!prompt.ok) return usage(io, prompt.error);
  const run = runFlags(flags);
  if (!run.ok) return usage(io, run.error);

  const target = clusterTarget(config, speed.value, io.env);
  const scope = await root.openScope(target, io.env);
  if (!scope.ok) return usage(io, scope.error.message);
  const deps = scope.value.runDependencies;
  const simulation = scope.value.simulation;
  const namespace = config.namespace ?? deps.defaultNamespace;
  const json = booleanFlag(flags, "json");
  const now = () => deps.clock.now();
  const view: RunView = json
    ? new JsonRunView(io.stdout, io.stderr, now)
    : new HumanRunView({ out: io.stdout, colour: wantsColour(io.stdout.isTTY === true, io.env), now, simulated: simulation !== null });

  const cancel = new AbortController();
  let interrupts = 0;
  const unsubscribe = io.onInterrupt((signal) => {
    interrupts += 1;
    const name = interruptName(signal);
    if (interrupts === 1) {
      // Said before any Job may exist (the run can still be waiting for the agent's claim).
      view.message(`${name}: cancelling the run and deleting its Job if one was created… (${name} again exits at once)`, "warn");
      cancel.abort(`cancelled with ${name}`);
      return;
    }
    view.close();
    io.stderr.write("Exiting without waiting for the clean-up; the Job may still exist.\n");
    io.exitNow(EXIT.cancelled);
  });

  const request: RunRequest = {
    runId: randomUUID(),
    agent: { id: run.value.agentId, companyId: "local", name: "clipjob CLI" },
    config: raw,
    taskMarkdown: prompt.value,
    taskId: run.value.taskId,
    session: run.value.resume !== null ? { sessionId: run.value.resume } : null,
    workspaceClaim: run.value.workspaceClaim,
    startedBy: `clipjob CLI, pid ${process.pid} on ${hostname()}`,
  };
  try {
    // The embedded cluster has whichever namespace the run asks for.
    if (simulation && (await simulation.fake.access.namespaceExists(namespace)) === false) simulation.fake.addNamespace(namespace);
    // …and whichever workspace claim it names (a real cluster that lacks it leaves the pod unschedulable).
    const claim = request.workspaceClaim;
    if (simulation && claim && (await simulation.fake.access.claimAccessModes(namespace, claim)) === null) simulation.fake.addPvc(claim, ["ReadWriteOnce"], namespace);
    if (!json) view.message(intro(config, target, namespace), "plain");
    const outcome = await runAgentJob(deps, request, { observer: view, cancelSignal: cancel.signal });
    const exitCode = exitCodeForOutcome(outcome);
    const blocked = blockedHint(outcome, request.agent.id, namespace);
    if (simulation) {
      const left = await simulation.settle(namespace, outcome.job === null || !outcome.job.kept);
      view.finish(outcome, exitCode, [...simulatedEpilogue(outcome, left.jobs, simulation), ...blocked], { simulatedCluster: left });
    } else {
      view.finish(outcome, exitCode, [...realEpilogue(outcome), ...blocked]);
    }
    return exitCode;
  } finally {
    unsubscribe();
    view.close();
    await scope.value.dispose();
  }
}

interface RunFlags {
  readonly agentId: string;
  readonly taskId: string | null;
  readonly resume: string | null;
  readonly workspaceClaim: string | null;
}

/** What Paperclip's heartbeat would supply: the agent, the task, the session to resume and the workspace claim. */
function runFlags(flags: ParsedArgs): Result<RunFlags, string> {
  const agent = stringFlag(flags, "agent-id");
  const legacy = stringFlag(flags, "agent");
  if (agent !== undefined && legacy !== undefined && agent !== legacy) return err("Give the agent id once: --agent-id (or its older spelling --agent).");
  const given = (name: string): Result<string | null, string> => {
    const value = stringFlag(flags, name);
    if (value === undefined) return ok(null);
    return value.trim() === "" ? err(`--${name} needs a value`) : ok(value.trim());
  };
  const [taskId, resume, workspaceClaim] = [given("task-id"), given("resume"), given("workspace-claim")];
  if (!taskId.ok) return taskId;
  if (!resume.ok) return resume;
  if (!workspaceClaim.ok) return workspaceClaim;
  const agentId = agent ?? legacy ?? DEFAULT_AGENT_ID;
  const agentProblem = labelProblem(agentId, "agent-id", "(k8s_agent_id_invalid) ", "the one-Job-per-agent guard");
  if (agentProblem !== null) return err(agentProblem);
  const taskProblem = taskId.value === null ? null : labelProblem(taskId.value, "task-id", "", "the adoption of a left-behind Job");
  if (taskProblem !== null) return err(taskProblem);
  return ok({ agentId, taskId: taskId.value, resume: resume.value, workspaceClaim: workspaceClaim.value });
}

/**
 * Why an agent or task id cannot be used as given, or null. Its Jobs carry it as a label value
 * (`paperclip.io/agent-id`, `paperclip.io/task-id`), in the predecessor's sanitised form, and the guard and
 * reattach match on that form: an id it would rewrite ("a/b" → "ab") would silently share them with another id.
 */
function labelProblem(id: string, flag: string, code: string, shared: string): string | null {
  const label = sanitizeLabelValue(id);
  if (label === id) return null;
  const effect = label === null ? "cannot be a label value at all" : `would be labelled ${JSON.stringify(label)}, sharing ${shared} with that id`;
  return `--${flag} ${JSON.stringify(id)} ${code}${effect}: use letters, digits, '-', '_' and '.', beginning and ending with a letter or digit, at most 63 characters.`;
}

/**
 * The prompt: the words after the flags, or a file (`--prompt-file PATH`, `-` for standard input) for one too
 * large for an argument list (the OS refuses arguments of a few hundred KiB). Its size limit is the run's own
 * (`k8s_payload_too_large`), whichever way it came.
 */
async function readPrompt(words: readonly string[], file: string | undefined, io: CliIo): Promise<Result<string | null, string>> {
  if (file === undefined) return ok(words.join(" ").trim() || null);
  if (words.length > 0) return err("Give the prompt either as words or with --prompt-file, not both.");
  try {
    const text = await readAtMost(file === "-" ? io.stdin : createReadStream(resolve(io.cwd, file)), PROMPT_READ_LIMIT);
    if (text === null) {
      const what = file === "-" ? "Standard input" : `The prompt file ${JSON.stringify(file)}`;
      return err(`${what} holds more than ${PROMPT_READ_LIMIT / 1024} KiB, far over the ${MAX_PROMPT_BYTES / 1024} KiB payload limit (k8s_payload_too_large); reading stopped there.`);
    }
    // An empty file is a mistake (a wrong path, a failed redirect), not a run without a task: leave the flag out for that.
    if (text.trim() === "") return err(`The prompt file ${file === "-" ? "(standard input)" : JSON.stringify(file)} is empty; leave out --prompt-file to run without a task.`);
    return ok(text.trim());
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return err(`Cannot read the prompt file ${JSON.stringify(file)}: ${code === "ENOENT" ? "no such file" : error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * How much of a prompt file is read at most: four times the payload limit, so a prompt a little over it still
 * gets the run's own exact error, while /dev/zero or an endless pipe cannot fill the memory.
 */
const PROMPT_READ_LIMIT = 4 * MAX_PROMPT_BYTES;

/** The text of `source` as UTF-8, or null once it holds more than `maxBytes` (reading stops there). */
async function readAtMost(source: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    total += bytes.length;
    if (total > maxBytes) return null;
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function clusterTarget(config: ClipjobConfig, speed: SimulationSpeed, env: NodeJS.ProcessEnv): ClusterTarget {
  if (config.cluster === "simulated") return { kind: "simulated", speed };
  const kubeconfigPath = config.kubeconfig ?? kubeconfigFromEnv(env);
  return {
    kind: "kubernetes",
    ...(kubeconfigPath !== undefined ? { kubeconfigPath } : {}),
    ...(config.kubeContext !== null ? { context: config.kubeContext } : {}),
  };
}

function intro(config: ClipjobConfig, target: ClusterTarget, namespace: string): string {
  if (target.kind === "simulated") {
    const pace = target.speed === "max" ? "virtual time" : `${target.speed}× real time`;
    return `clipjob run · simulated cluster · scenario ${config.simulatedScenario} · ${pace} · namespace ${namespace}`;
  }
  // Without an explicit namespace the run takes the host pod's, else the kubeconfig's: the summary names it.
  const where = config.namespace ? ` · namespace ${namespace}` : "";
  return `clipjob run · Kubernetes ${target.kubeconfigPath ?? "(in-cluster)"}${target.context ? ` context ${target.context}` : ""}${where}`;
}

function simulatedEpilogue(outcome: RunOutcome, jobsLeft: number, simulation: EmbeddedSimulation): string[] {
  const left = `${jobsLeft} Job${jobsLeft === 1 ? "" : "s"} left in the simulated cluster`;
  const job = outcome.job;
  if (!job) return [`No Job was created; ${left}.`];
  if (!job.kept) return [`Job ${job.namespace}/${job.name} deleted; ${left}.`];
  const pods = simulation.fake.pods(job.namespace).length;
  return [`Job ${job.namespace}/${job.name} kept (${job.keptBecause ?? "retained"}); ${left} (${pods} pod${pods === 1 ? "" : "s"}). It ends with this process.`];
}

function realEpilogue(outcome: RunOutcome): string[] {
  const job = outcome.job;
  if (!job?.kept) return [];
  return [`Job ${job.namespace}/${job.name} was kept (${job.keptBecause ?? "retained"}): 'clipjob logs ${job.name} -n ${job.namespace}' or 'clipjob cancel ${job.name} -n ${job.namespace}'.`];
}

const GUARD_BLOCKS: ReadonlySet<string> = new Set(["k8s_concurrent_run_blocked", "k8s_orphan_task_unknown", "k8s_orphan_session_mismatch"]);

/**
 * What to do about a live Job of the same agent. The guard cannot tell whether the process that started it
 * still supervises it, so both ways out are named: wait or use another agent id, or delete a true orphan.
 */
function blockedHint(outcome: RunOutcome, agentId: string, namespace: string): string[] {
  if (outcome.errorCode === null || !GUARD_BLOCKS.has(outcome.errorCode)) return [];
  // Blocked by the agent's claim: its holder is a live process (its Lease was renewed while this run watched).
  const holder = outcome.errorMeta?.["holder"];
  if (typeof holder === "string") return [`Agent ${agentId} is supervised by another clipjob process (${holder}): wait for its run to end, or give this run its own --agent-id.`];
  const jobs = outcome.errorMeta?.["jobs"];
  const job = Array.isArray(jobs) && typeof jobs[0] === "string" ? jobs[0] : null;
  if (job === null) return [];
  return [
    `Agent ${agentId} runs one Job at a time. If the process that started ${job} is still running, wait for it or give this run its own --agent-id; if that process is gone, 'clipjob cancel ${job} -n ${namespace}' deletes the Job.`,
  ];
}

function pick(values: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = values[key];
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

function usage(io: CliIo, message: string): number {
  io.stderr.write(`${message}\nRun 'clipjob run --help' for the options.\n`);
  return EXIT.usage;
}
