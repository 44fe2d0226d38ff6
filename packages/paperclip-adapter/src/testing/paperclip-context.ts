// A Paperclip execution context as the host builds it (shape recorded live, apps/e2e/paperclip/README.md),
// with sinks that record what the adapter reported.
import type { AdapterExecutionContext, AdapterInvocationMeta, AdapterRuntimeEvent } from "@paperclipai/adapter-utils";

export interface RecordedContext {
  readonly ctx: AdapterExecutionContext;
  readonly logs: { stream: "stdout" | "stderr"; chunk: string }[];
  readonly metas: AdapterInvocationMeta[];
  readonly events: AdapterRuntimeEvent[];
  readonly progress: { phase: string; message: string }[];
  readonly calls: string[];
  /** Lines written to one stream, without their newline. */
  lines(stream: "stdout" | "stderr"): string[];
}

export interface ContextOptions {
  readonly runId?: string;
  readonly agentId?: string;
  readonly config?: Record<string, unknown>;
  readonly context?: Record<string, unknown>;
  readonly runtime?: Partial<AdapterExecutionContext["runtime"]>;
  readonly signal?: AbortSignal;
  readonly authToken?: string;
  /** Called when the adapter reports its Job exists (onDispatch). */
  readonly onDispatch?: () => void;
}

let counter = 0;

export function paperclipContext(options: ContextOptions = {}): RecordedContext {
  counter += 1;
  const logs: RecordedContext["logs"] = [];
  const metas: AdapterInvocationMeta[] = [];
  const events: AdapterRuntimeEvent[] = [];
  const progress: RecordedContext["progress"] = [];
  const calls: string[] = [];
  const agentId = options.agentId ?? `agent-${counter}`;
  const ctx: AdapterExecutionContext = {
    runId: options.runId ?? `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    agent: { id: agentId, companyId: "company-1", name: "Builder", adapterType: "claude_k8s", adapterConfig: options.config ?? {} },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null, ...options.runtime },
    config: options.config ?? { cluster: "simulated", simulatedScenario: "success" },
    context: {
      wakeReason: "manual wake",
      wakeSource: "on_demand",
      paperclipWake: { connectorSkillInstructions: "" },
      paperclipWorkspace: { cwd: "/paperclip/workspaces/builder", source: "agent_home", workspaceId: null, repoUrl: null, repoRef: null },
      ...options.context,
    },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.authToken ? { authToken: options.authToken } : {}),
    onLog: async (stream, chunk) => {
      logs.push({ stream, chunk });
    },
    onMeta: async (meta) => {
      metas.push(meta);
    },
    onEvent: async (event) => {
      events.push(event);
    },
    onRuntimeProgress: async (update) => {
      progress.push({ phase: update.phase, message: update.message });
    },
    onCancellationReady: async () => {
      calls.push("onCancellationReady");
    },
    onDispatch: () => {
      calls.push("onDispatch");
      options.onDispatch?.();
    },
    onSpawn: async () => {
      calls.push("onSpawn");
    },
  } as AdapterExecutionContext;
  return {
    ctx,
    logs,
    metas,
    events,
    progress,
    calls,
    lines: (stream) =>
      logs
        .filter((l) => l.stream === stream)
        .map((l) => l.chunk)
        .join("")
        .split("\n")
        .filter((l) => l !== ""),
  };
}
