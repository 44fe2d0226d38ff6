// The module Paperclip loads: `createServerAdapter()` returns the `claude_k8s` ServerAdapterModule.
import { configUiSchema, sessionCodec } from "@clipjob/core";
import type { AdapterModel, AdapterSessionCodec, AdapterSkillContext, AdapterSkillSnapshot, ServerAdapterModule } from "@paperclipai/adapter-utils";
import { agentConfigurationDoc } from "./catalog/agent-configuration-doc.js";
import { hostClaudeCatalogue, modelsFor, type ClaudeModelCatalogue } from "./catalog/models.js";
import { skillSnapshot, type SkillSources, DEFAULT_SKILL_SOURCES } from "./catalog/skills.js";
import { AdapterRoot } from "./composition/adapter-root.js";
import { testEnvironment } from "./environment/test-environment.js";
import { executeRun } from "./execute/execute-run.js";
import { HostSignalLatch, watchProcessSignals, type HostSignals } from "./execute/host-signals.js";
import type { TakeoverTimer } from "./execute/host-takeover.js";
import { ADAPTER_TYPE } from "./execute/invocation-meta.js";
import { promptBundleHomeFromEnv, type PromptBundleHome } from "./prompt-bundle/bundle-delivery.js";
import { deliveryForConfig } from "./prompt-bundle/run-prompt-bundle.js";

export interface ServerAdapterOptions {
  /** The composition root; one per process by default. */
  readonly root?: AdapterRoot;
  /** Host termination signals; by default the process's SIGTERM/SIGINT. Tests pass a latch they fire. */
  readonly signals?: HostSignals;
  /** The adapter process's env (models, billing, simulation speed); `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly skillSources?: SkillSources;
  /** Where prompt bundles are written; by default `/paperclip` and `PAPERCLIP_HOME`/`PAPERCLIP_INSTANCE_ID` from `env`. */
  readonly promptBundleHome?: PromptBundleHome;
  /** claude_local's model catalogue; by default the one of the Paperclip server running this process. */
  readonly claudeCatalogue?: () => Promise<ClaudeModelCatalogue | null>;
  /** Bounds how long a run kept on host shutdown waits for Paperclip to end it; a real timer by default. */
  readonly takeoverTimer?: TakeoverTimer;
}

const PROCESS_SIGNALS = Symbol.for("clipjob.paperclip.processSignals");
const PROCESS_ROOT = Symbol.for("clipjob.paperclip.root");

type ProcessGlobals = typeof globalThis & { [PROCESS_SIGNALS]?: HostSignalLatch; [PROCESS_ROOT]?: AdapterRoot };

/**
 * Kept on globalThis: Paperclip's hot reload re-imports this module, and a second root would start a second
 * simulated cluster (losing its sessions) and a second set of agent locks.
 */
function processRoot(): AdapterRoot {
  const globals = globalThis as ProcessGlobals;
  return (globals[PROCESS_ROOT] ??= new AdapterRoot());
}

function processSignals(): HostSignals {
  const globals = globalThis as ProcessGlobals;
  let latch = globals[PROCESS_SIGNALS];
  if (!latch) {
    latch = new HostSignalLatch();
    watchProcessSignals(latch);
    globals[PROCESS_SIGNALS] = latch;
  }
  return latch;
}

export function createServerAdapter(options: ServerAdapterOptions = {}): ServerAdapterModule {
  const env = options.env ?? process.env;
  const root = (): AdapterRoot => options.root ?? processRoot();
  const signals = (): HostSignals => options.signals ?? processSignals();
  const skillSources = options.skillSources ?? DEFAULT_SKILL_SOURCES;
  const promptBundle = { home: options.promptBundleHome ?? promptBundleHomeFromEnv(env), moduleDir: skillSources.moduleDir };
  const snapshot = async (ctx: AdapterSkillContext, desired: readonly string[] | null): Promise<AdapterSkillSnapshot> =>
    skillSnapshot(ctx, desired, await deliveryForConfig(root(), ctx.config ?? {}, promptBundle.home), skillSources);
  let doc: string | undefined;
  const loadCatalogue = options.claudeCatalogue ?? (() => hostClaudeCatalogue(process.argv[1]));
  let catalogue: ClaudeModelCatalogue | null = null;
  const catalogueLoaded = loadCatalogue().then(
    (c) => (catalogue = c),
    () => null,
  );
  // claude_local's catalogue when the server has it (the same list on the same server), else our own.
  const listed = async (pick: (c: ClaudeModelCatalogue) => Promise<AdapterModel[]>): Promise<AdapterModel[]> => {
    const c = await catalogueLoaded;
    return c ? pick(c) : modelsFor(env);
  };

  return {
    type: ADAPTER_TYPE,
    execute: (ctx) => executeRun({ root: root(), signals: signals(), env, promptBundle, ...(options.takeoverTimer ? { takeoverTimer: options.takeoverTimer } : {}) }, ctx),
    testEnvironment: (ctx) => testEnvironment(root(), ctx),
    sessionCodec: sessionCodec as AdapterSessionCodec,
    sessionManagement: {
      supportsSessionResume: true,
      nativeContextManagement: "confirmed",
      defaultSessionCompaction: { enabled: true, maxSessionRuns: 0, maxRawInputTokens: 0, maxSessionAgeHours: 0 },
    },
    /** Static list (Paperclip counts it in GET /api/adapters): claude_local's once its package is loaded. */
    get models(): AdapterModel[] {
      return catalogue ? [...catalogue.models] : modelsFor(env);
    },
    listModels: () => listed((c) => c.list()),
    refreshModels: () => listed((c) => c.refresh()),
    listSkills: (ctx) => snapshot(ctx, null),
    syncSkills: (ctx, desired) => snapshot(ctx, desired),
    getConfigSchema: () => configUiSchema() as ReturnType<NonNullable<ServerAdapterModule["getConfigSchema"]>>,
    get agentConfigurationDoc(): string {
      return (doc ??= agentConfigurationDoc());
    },
    supportsInstructionsBundle: true,
    instructionsPathKey: "instructionsFilePath",
    supportsLocalAgentJwt: true,
  };
}
