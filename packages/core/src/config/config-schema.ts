// The adapterConfig schema: every key clipjob reads, in one table. `parseConfig`, the Paperclip form
// (`configUiSchema`) and the reference docs (`configReferenceMarkdown`) are all generated from it, so a
// default can never differ between the form and the code (the predecessor's maxTurnsPerRun did).

import { isDnsLabel, isDnsSubdomain, isEnvVarName, isLabelKey, isLabelValue } from "../job/k8s-names.js";
import { isReservedLabelKey, RESERVED_LABEL_PREFIXES } from "../job/labels.js";
import { defineField, setTo, type ConfigField } from "./config-field.js";
import { envConfig } from "./env-config.js";
import { argumentList, boolean, oneOf, stringList, templateText, text, wholeNumber } from "./field-parsers.js";
import { keyValueMap } from "./key-value-config.js";
import { DEFAULT_RESOURCES, nestedResources, quantity } from "./resources-config.js";
import { tolerations } from "./tolerations-config.js";
import { SIMULATED_SCENARIOS, type SimulatedScenario } from "./simulated-scenarios.js";

export const DEFAULT_CLAUDE_COMMAND = "claude";
export const DEFAULT_PROMPT_TEMPLATE = "You are agent {{agent.id}} ({{agent.name}}). Continue your Paperclip work.";
export const IMAGE_PULL_POLICIES = ["IfNotPresent", "Always", "Never"] as const;
export const CLUSTER_KINDS = ["kubernetes", "simulated"] as const;

/** Rendered by Paperclip's own agent form under `label` (2026.916.1). */
const platform = (label: string) => ({ kind: "platform", label }) as const;
const none = { kind: "none" } as const;
/** Kubernetes-only fields are hidden in the form while Cluster is Simulated. */
const ONLY_KUBERNETES = { key: "cluster", values: ["kubernetes"] } as const;

const absolutePath = (s: string): string | null => (s.startsWith("/") ? null : "expected an absolute path");
/** The claude executable: exec'd as the shell's $0, so a bare name is looked up on PATH. */
const commandPath = (s: string): string | null =>
  /^(\/[^\s]+|[A-Za-z0-9._+-]+)$/.test(s) ? null : "expected the Claude executable inside the agent image: a command name (claude) or an absolute path, without spaces or arguments (put arguments in extraArgs)";
const imageReference = (s: string): string | null => (/\s/.test(s) ? "an image reference cannot contain whitespace" : null);
const dnsLabel = (what: string) => (s: string): string | null =>
  isDnsLabel(s) ? null : `${JSON.stringify(s)} is not a valid ${what} (lowercase letters, digits and '-', at most 63 characters)`;
const dnsSubdomain = (what: string) => (s: string): string | null =>
  isDnsSubdomain(s) ? null : `${JSON.stringify(s)} is not a valid ${what} (lowercase letters, digits, '-' and '.', at most 253 characters)`;
const labelValue = (v: string): string | null => (isLabelValue(v) ? null : "not a valid label value (at most 63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric)");
const labelKey = (k: string): string | null => (isLabelKey(k) ? null : "not a valid label key ([prefix/]name, name at most 63 of A-Z a-z 0-9 - _ .)");

const resourceEntry = (section: "requests" | "limits", name: "cpu" | "memory", label: string) =>
  defineField<string>({
    key: `resources.${section}.${name}`,
    type: "quantity",
    default: DEFAULT_RESOURCES[section][name]!,
    label,
    description: `Container ${name} ${section === "requests" ? "request" : "limit"}. Overrides the nested \`resources\` object.`,
    hint: `${label} of the agent container, as a Kubernetes quantity (${name === "cpu" ? "1000m is one core" : "2Gi, 512Mi"}).`,
    group: "Kubernetes",
    ui: { kind: "form", type: "text", visibleWhen: ONLY_KUBERNETES },
    parse: quantity,
    apply: (draft, value) => {
      draft.resources = { ...draft.resources, [section]: { ...draft.resources[section], [name]: value } };
    },
  });

export const CONFIG_FIELDS: readonly ConfigField[] = [
  // Claude
  defineField<string | null>({
    key: "model", type: "text", default: null, label: "Model", group: "Claude", ui: platform("Model"),
    description: "Claude model (`--model`). Unset: Claude's default (or `ANTHROPIC_MODEL` inherited from the host).",
    parse: text(), apply: setTo("model"),
  }),
  defineField<string | null>({
    key: "effort", aliases: ["thinkingEffort"], type: "text", default: null, label: "Effort", group: "Claude", ui: platform("Thinking effort"),
    description: "Reasoning effort (`--effort`). Paperclip's form stores it as `thinkingEffort`.", parse: text(), apply: setTo("effort"),
  }),
  defineField<number>({
    key: "maxTurnsPerRun", type: "integer ≥ 0", default: 0, label: "Max Turns Per Run", group: "Claude",
    ui: { kind: "form", type: "number" },
    description: "`--max-turns` for each run. 0 means unlimited (bound runs with `timeoutSec` instead).",
    hint: "Claude stops after this many turns in one run. 0 means no limit; bound a run's length with Timeout instead.",
    parse: wholeNumber(0), apply: setTo("maxTurnsPerRun"),
  }),
  defineField<boolean>({
    key: "dangerouslySkipPermissions", type: "boolean", default: true, label: "Skip Permission Prompts", group: "Claude",
    ui: { kind: "form", type: "toggle" },
    description: "Pass `--dangerously-skip-permissions`. Agent pods run unattended, so a permission prompt would stall the run.",
    hint: "Claude runs tools without asking. Agent pods run unattended, so a permission prompt would stall the run.",
    parse: boolean, apply: setTo("dangerouslySkipPermissions"),
  }),
  defineField<string | null>({
    key: "instructionsFilePath", type: "absolute path", default: null, label: "Instructions File", group: "Claude", ui: platform("Instructions"),
    description: "Agent instructions, appended to the system prompt of new sessions (`--append-system-prompt-file`).",
    parse: text(absolutePath), apply: setTo("instructionsFilePath"),
  }),
  defineField<readonly string[]>({
    key: "extraArgs", aliases: ["args"], type: "string[] | text (one per line)", default: [], label: "Extra Arguments", group: "Claude", ui: platform("Extra args"),
    description: "Appended to Claude's argv, after everything clipjob passes.",
    parse: argumentList, apply: setTo("extraArgs"),
  }),
  defineField({
    key: "env", type: "object | JSON text", default: { env: {}, envSecretRefs: {} }, docDefault: "{}", label: "Environment", group: "Claude", ui: platform("Environment variables"),
    description:
      'Environment for Claude. Values are text, `{ "type": "plain", "value": "…" }`, or `{ "secretKeyRef": { "name", "key" } }`. ' +
      "A value whose name looks like a credential (KEY, TOKEN, SECRET, PASSWORD, CREDENTIAL) is never written into the Job spec: it travels in the run's payload Secret and reaches the container by reference (a `secretKeyRef` to your own Secret keeps it out of the run entirely); run-scoped `PAPERCLIP_*` keys are set by clipjob.",
    parse: envConfig,
    apply: (draft, value) => {
      draft.env = value.env;
      draft.envSecretRefs = value.envSecretRefs;
    },
  }),
  defineField<string>({
    key: "promptTemplate", type: "template", default: DEFAULT_PROMPT_TEMPLATE, label: "Prompt Template", group: "Claude",
    ui: { kind: "form", type: "textarea" },
    description: "The heartbeat prompt; `{{dotted.path}}` placeholders (`agent.id`, `agent.name`, `runId`, `context.…`). Omitted when a resumed session is woken with news.",
    hint: "The prompt of each heartbeat. Placeholders such as {{agent.name}} and {{runId}} are filled in. Left out when a resumed session is woken with news.",
    parse: templateText, apply: setTo("promptTemplate"),
  }),
  defineField<string>({
    key: "bootstrapPromptTemplate", type: "template", default: "", label: "Bootstrap Prompt", group: "Claude",
    ui: { kind: "form", type: "textarea" },
    description: "Prepended to the prompt of new sessions only.",
    hint: "Put before the Prompt Template when a new session starts; resumed sessions do not get it.", parse: templateText, apply: setTo("bootstrapPromptTemplate"),
  }),
  defineField<string | null>({
    key: "cwd", type: "absolute path", default: null, label: "Working Directory", group: "Claude", ui: none,
    description: "Working directory when the run has no workspace. Unset: `/paperclip`.",
    parse: text(absolutePath), apply: setTo("cwd"),
  }),
  defineField<string>({
    key: "command", type: "command name | absolute path", default: DEFAULT_CLAUDE_COMMAND, label: "Command", group: "Claude", ui: platform("Command"),
    description: "The Claude Code executable inside the agent image: a name looked up on the image's PATH, or an absolute path.",
    parse: text(commandPath), apply: setTo("command"),
  }),
  // Kubernetes
  defineField<ClipjobConfigCluster>({
    key: "cluster", type: CLUSTER_KINDS.map((c) => `"${c}"`).join(" | "), default: "kubernetes", label: "Cluster", group: "Kubernetes",
    ui: { kind: "form", type: "select", options: [{ label: "Kubernetes", value: "kubernetes" }, { label: "Simulated (no cluster)", value: "simulated" }] },
    description: "`kubernetes` runs Jobs on a real cluster; `simulated` runs scripted Claude transcripts in an embedded simulated cluster (evaluation, demos).",
    hint: "Kubernetes runs each heartbeat as a Job on your cluster. Simulated plays scripted Claude runs inside Paperclip, with no cluster and no Claude: use it to try the adapter.",
    parse: oneOf(CLUSTER_KINDS), apply: setTo("cluster"),
  }),
  defineField<SimulatedScenario>({
    key: "simulatedScenario", type: SIMULATED_SCENARIOS.map((c) => `"${c}"`).join(" | "), default: "success", label: "Simulated Scenario", group: "Kubernetes",
    ui: { kind: "form", type: "select", options: SIMULATED_SCENARIOS.map((s) => ({ label: s, value: s })), visibleWhen: { key: "cluster", values: ["simulated"] } },
    description: "The scripted Claude behaviour when `cluster` is `simulated`.",
    hint: "The scripted run the simulated cluster plays when Cluster is Simulated: a success, or one of the failures a real run can end in.",
    parse: oneOf(SIMULATED_SCENARIOS), apply: setTo("simulatedScenario"),
  }),
  defineField<string | null>({
    key: "namespace", type: "namespace name", default: null, label: "Namespace", group: "Kubernetes", ui: { kind: "form", type: "text", visibleWhen: ONLY_KUBERNETES },
    hint: "Where agent Jobs run. Empty: the namespace Paperclip's pod runs in.",
    description: "Namespace of agent Jobs. Unset: the host pod's namespace (or the kubeconfig's).",
    parse: text(dnsLabel("namespace name")), apply: setTo("namespace"),
  }),
  defineField<string | null>({
    key: "image", type: "image reference", default: null, label: "Container Image", group: "Kubernetes", ui: { kind: "form", type: "text", visibleWhen: ONLY_KUBERNETES },
    hint: "The agent container's image. Empty: the image Paperclip's pod runs.",
    description: "Image of the agent container. Unset: the host pod's image.", parse: text(imageReference), apply: setTo("image"),
  }),
  defineField<ClipjobConfigPullPolicy>({
    key: "imagePullPolicy", type: IMAGE_PULL_POLICIES.map((p) => `"${p}"`).join(" | "), default: "IfNotPresent", label: "Image Pull Policy", group: "Kubernetes",
    ui: { kind: "form", type: "select", options: IMAGE_PULL_POLICIES.map((p) => ({ label: p, value: p })), visibleWhen: ONLY_KUBERNETES },
    hint: "When the node pulls the agent image.",
    description: "Pull policy of the agent container.", parse: oneOf(IMAGE_PULL_POLICIES), apply: setTo("imagePullPolicy"),
  }),
  defineField<string | null>({
    key: "kubeconfig", type: "path", default: null, label: "Kubeconfig Path", group: "Kubernetes", ui: { kind: "form", type: "text", visibleWhen: ONLY_KUBERNETES },
    hint: "A kubeconfig file on the Paperclip server. Empty: the service account of Paperclip's pod.",
    description: "Kubeconfig file on the Paperclip server. Unset: in-cluster credentials.", parse: text(), apply: setTo("kubeconfig"),
  }),
  defineField<string | null>({
    key: "kubeContext", type: "text", default: null, label: "Kubeconfig Context", group: "Kubernetes", ui: { kind: "form", type: "text", visibleWhen: ONLY_KUBERNETES },
    hint: "The kubeconfig context to use. Empty: its current context.",
    description: "Context of the kubeconfig to use. Unset: its current context.", parse: text(), apply: setTo("kubeContext"),
  }),
  defineField<string | null>({
    key: "serviceAccountName", type: "name", default: null, label: "Service Account", group: "Kubernetes", ui: { kind: "form", type: "text", visibleWhen: ONLY_KUBERNETES },
    hint: "The service account agent pods run as. Empty: the namespace's default.",
    description: "Service account of agent pods. Unset: the namespace's default.",
    parse: text(dnsSubdomain("service account name")), apply: setTo("serviceAccountName"),
  }),
  defineField<boolean>({
    key: "automountServiceAccountToken", type: "boolean", default: false, label: "Mount Service Account Token", group: "Kubernetes",
    ui: { kind: "form", type: "toggle", visibleWhen: ONLY_KUBERNETES },
    hint: "Give agent pods a Kubernetes API token. Off by default: Claude needs no cluster access.",
    description: "Give agent pods a Kubernetes API token. Off by default: Claude does not need cluster access.",
    parse: boolean, apply: setTo("automountServiceAccountToken"),
  }),
  defineField({
    key: "resources", type: "{ requests, limits } (object or JSON text)", default: DEFAULT_RESOURCES, label: "Resources", group: "Kubernetes", ui: none,
    description: "Requests and limits of the agent container (`cpu`, `memory`, `ephemeral-storage`); omitted entries keep their defaults.",
    parse: nestedResources, apply: setTo("resources"),
  }),
  resourceEntry("requests", "cpu", "CPU Request"),
  resourceEntry("requests", "memory", "Memory Request"),
  resourceEntry("limits", "cpu", "CPU Limit"),
  resourceEntry("limits", "memory", "Memory Limit"),
  defineField<Readonly<Record<string, string>>>({
    key: "nodeSelector", type: "object | JSON text | key=value lines", default: {}, label: "Node Selector", group: "Kubernetes",
    ui: { kind: "form", type: "textarea", visibleWhen: ONLY_KUBERNETES },
    hint: "Node labels agent pods must run on, one key=value per line.",
    description: "Node labels agent pods must run on; one `key=value` per line (`#` comments allowed).",
    parse: keyValueMap({ key: labelKey, value: labelValue }), apply: setTo("nodeSelector"),
  }),
  defineField({
    key: "tolerations", type: "array | JSON text", default: [], label: "Tolerations", group: "Kubernetes", ui: { kind: "form", type: "textarea", visibleWhen: ONLY_KUBERNETES },
    hint: "Pod tolerations as a JSON array, for example [{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}].",
    description: 'Pod tolerations as a JSON array, e.g. `[{"key":"gpu","operator":"Exists","effect":"NoSchedule"}]`.',
    parse: tolerations, apply: setTo("tolerations"),
  }),
  defineField<Readonly<Record<string, string>>>({
    key: "labels", type: "object | JSON text | key=value lines", default: {}, label: "Labels", group: "Kubernetes",
    ui: { kind: "form", type: "textarea", visibleWhen: ONLY_KUBERNETES },
    hint: "Extra labels on agent Jobs and pods, one key=value per line.",
    description: `Extra labels on agent Jobs and pods; one \`key=value\` per line. Prefixes ${RESERVED_LABEL_PREFIXES.map((p) => `\`${p}/\``).join(", ")} are reserved.`,
    parse: keyValueMap({
      key: (k) => labelKey(k) ?? (isReservedLabelKey(k) ? "uses a reserved prefix" : null),
      value: labelValue,
    }),
    apply: setTo("labels"),
  }),
  defineField<readonly string[]>({
    key: "inheritEnv", type: "string[] | comma/newline text", default: [], label: "Inherited Env", group: "Kubernetes",
    ui: { kind: "form", type: "textarea", visibleWhen: ONLY_KUBERNETES },
    hint: "Names of Paperclip environment variables agent pods also get, one per line. Credentials are passed only by reference.",
    description:
      "Host env names agent pods inherit besides the built-in allowlist (Anthropic/Bedrock/Vertex settings, proxies, `PAPERCLIP_API_URL`). Credentials are inherited only by reference.",
    parse: stringList((s) => (isEnvVarName(s) ? null : "not a valid environment variable name")), apply: setTo("inheritEnv"),
  }),
  defineField<string>({
    key: "secretRef", type: "Secret name", default: "paperclip-secrets", label: "Credentials Secret", group: "Kubernetes",
    ui: { kind: "form", type: "text", visibleWhen: ONLY_KUBERNETES },
    hint: "The Secret the environment test looks for: it should hold the model credentials.",
    description: "The Secret the environment test checks for (it should hold the model credentials the host pod references).",
    parse: text(dnsSubdomain("Secret name")), apply: setTo("secretRef"),
  }),
  // Lifecycle
  defineField<number>({
    key: "ttlSecondsAfterFinished", type: "integer ≥ 0", default: 300, label: "TTL Seconds After Finished", group: "Lifecycle",
    ui: { kind: "form", type: "number", visibleWhen: ONLY_KUBERNETES },
    hint: "Kubernetes deletes a finished Job after this many seconds if the adapter could not. Keep it above a minute.",
    description: "Kubernetes deletes finished Jobs after this long: the backstop when clipjob cannot clean up. Keep it above a minute so runs can read their outcome.",
    parse: wholeNumber(0), apply: setTo("ttlSecondsAfterFinished"),
  }),
  defineField<boolean>({
    key: "retainJobs", type: "boolean", default: false, label: "Retain Jobs", group: "Lifecycle", ui: { kind: "form", type: "toggle", visibleWhen: ONLY_KUBERNETES },
    hint: "Keep finished Jobs until that time for debugging, instead of deleting them at once.",
    description: "Keep finished Jobs (until their TTL) for debugging instead of deleting them.", parse: boolean, apply: setTo("retainJobs"),
  }),
  defineField<boolean>({
    key: "reattachOrphanedJobs", type: "boolean", default: true, label: "Reattach to Orphaned Jobs", group: "Lifecycle",
    ui: { kind: "form", type: "toggle", visibleWhen: ONLY_KUBERNETES },
    hint: "After a Paperclip restart, the next run of the agent adopts a Job that is still running on the same task and session. Off: such a Job blocks new runs.",
    description:
      "When a Job of an earlier run is still running (e.g. after a Paperclip restart) on the same task and session, adopt it instead of blocking. Off: any such Job blocks new runs.",
    parse: boolean, apply: setTo("reattachOrphanedJobs"),
  }),
  defineField<number>({
    key: "timeoutSec", type: "integer ≥ 0", default: 0, label: "Timeout (s)", group: "Lifecycle", ui: { kind: "form", type: "number" },
    description: "Run deadline (the Job's `activeDeadlineSeconds`). 0 means none.",
    hint: "A run is stopped after this many seconds. 0 means no deadline.", parse: wholeNumber(0), apply: setTo("timeoutSec"),
  }),
  defineField<number>({
    key: "graceSec", type: "integer ≥ 0", default: 60, label: "Grace (s)", group: "Lifecycle", ui: { kind: "form", type: "number" },
    description: "Seconds Claude gets between SIGTERM and SIGKILL when its pod is stopped.",
    hint: "Seconds Claude gets to stop cleanly when its run is cancelled or times out.", parse: wholeNumber(0), apply: setTo("graceSec"),
  }),
  defineField<number>({
    key: "startTimeoutSec", type: "integer ≥ 1", default: 300, label: "Start Timeout (s)", group: "Lifecycle", ui: { kind: "form", type: "number", visibleWhen: ONLY_KUBERNETES },
    hint: "How long a run waits for its pod to start. States known to be fatal end the run at once.",
    description: "How long a run waits for its pod to start (states known to be fatal end it at once).",
    parse: wholeNumber(1), apply: setTo("startTimeoutSec"),
  }),
  defineField<number>({
    key: "apiUnreachableSec", type: "integer ≥ 1", default: 300, label: "API Unreachable Limit (s)", group: "Lifecycle",
    ui: { kind: "form", type: "number", visibleWhen: ONLY_KUBERNETES },
    hint: "How long the Kubernetes API may stay unreachable before the run ends as outcome unknown; the Job is kept.",
    description: "How long the Kubernetes API may stay unreachable before the run ends as outcome-unknown (the Job is kept).",
    parse: wholeNumber(1), apply: setTo("apiUnreachableSec"),
  }),
  defineField<number>({
    key: "keepaliveSec", type: "integer ≥ 1", default: 15, label: "Keepalive (s)", group: "Lifecycle", ui: none,
    description: "Interval of liveness updates to Paperclip while Claude is silent. The run's transcript shows them rarer: after this long, then at doubling intervals up to every 10 minutes.", parse: wholeNumber(1), apply: setTo("keepaliveSec"),
  }),
];

type ClipjobConfigCluster = (typeof CLUSTER_KINDS)[number];
type ClipjobConfigPullPolicy = (typeof IMAGE_PULL_POLICIES)[number];
