import { describe, expect, it } from "vitest";
import type { ClipjobConfig } from "../config/clipjob-config.js";
import { defaultConfig } from "../config/parse-config.js";
import { NO_HOST_FACTS, type HostFacts } from "../ports/host-port.js";
import type { RunRequest } from "../run/run-request.js";
import type { AgentJobSpec } from "./agent-job-spec.js";
import { MAX_PROMPT_BYTES } from "./payload-limits.js";
import { planAgentJob, type PlanError, type PlanInput } from "./plan-agent-job.js";

const host: HostFacts = {
  podName: "paperclip-0",
  namespace: "paperclip",
  image: "ghcr.io/paperclip/server:1.2.3",
  imagePullSecrets: ["ghcr"],
  dnsConfig: { searches: ["svc.cluster.local"] },
  paperclipClaimName: "paperclip-data",
  secretVolumes: [{ volumeName: "gcp-creds", secretName: "gcp", mountPath: "/var/secrets/gcp", defaultMode: 0o400 }],
  env: {},
  envFrom: [{ kind: "secret", name: "paperclip-secrets" }],
};

const baseRequest: RunRequest = {
  runId: "4c1d9e7a-0b1e-4c4e-9d55-2f1f6f0c9a11",
  agent: { id: "8a7b6c5d-1111-2222-3333-444455556666", companyId: "co-1", name: "Echo <bot>" },
  config: {},
  taskId: "task-9",
  runToken: "jwt.token.value",
};

function plan(overrides: { request?: Partial<RunRequest>; config?: Partial<ClipjobConfig>; host?: HostFacts; promptBundle?: PlanInput["promptBundle"] } = {}) {
  return planAgentJob({
    request: { ...baseRequest, ...overrides.request },
    config: { ...defaultConfig(), ...overrides.config },
    host: overrides.host ?? host,
    defaultNamespace: "default",
    promptBundle: overrides.promptBundle ?? null,
  });
}

function spec(overrides: Parameters<typeof plan>[0] = {}): AgentJobSpec {
  const result = plan(overrides);
  if (!result.ok) throw new Error(`expected a plan, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure(overrides: Parameters<typeof plan>[0]): PlanError {
  const result = plan(overrides);
  if (result.ok) throw new Error("expected a plan error");
  return result.error;
}

describe("planAgentJob", () => {
  it("plans a Job in the host's namespace with the host's image, volume and pull secrets", () => {
    const s = spec();
    expect(s.ref).toEqual({ namespace: "paperclip", name: expect.stringMatching(/^ac-8a7b6c5d-1111-22-4c1d9e7a-0b1e-4c-[0-9a-f]{12}$/) });
    expect(s.image).toBe("ghcr.io/paperclip/server:1.2.3");
    expect(s.imagePullPolicy).toBe("IfNotPresent");
    expect(s.imagePullSecrets).toEqual(["ghcr"]);
    expect(s.dnsConfig).toEqual({ searches: ["svc.cluster.local"] });
    expect(s.volumes).toEqual([
      { kind: "pvc", name: "paperclip-data", claimName: "paperclip-data", mountPath: "/paperclip" },
      { kind: "secret", name: "host-gcp-creds", secretName: "gcp", mountPath: "/var/secrets/gcp", defaultMode: 0o400, optional: true },
    ]);
    expect(s.workingDir).toBe("/paperclip");
    expect(s.envFrom).toEqual([]);
  });

  it("labels the Job with the predecessor's keys and sanitised ids, and annotates the raw agent name", () => {
    const s = spec({ request: { session: { sessionId: "sess 1" } }, config: { labels: { team: "infra" } } });
    expect(s.labels).toEqual({
      team: "infra",
      "app.kubernetes.io/managed-by": "paperclip",
      "app.kubernetes.io/component": "agent-job",
      "paperclip.io/agent-id": "8a7b6c5d-1111-2222-3333-444455556666",
      "paperclip.io/adapter-type": "claude_k8s",
      "paperclip.io/run-id": "4c1d9e7a-0b1e-4c4e-9d55-2f1f6f0c9a11",
      "paperclip.io/company-id": "co-1",
      "paperclip.io/task-id": "task-9",
      "paperclip.io/session-id": "sess1",
    });
    expect(s.annotations).toEqual({ "paperclip.io/adapter-type": "claude_k8s", "paperclip.io/agent-name": "Echo <bot>" });
  });

  it("annotates who started the Job, bounded to 256 characters", () => {
    expect(spec({ request: { startedBy: "clipjob CLI, pid 4242 on dev-1" } }).annotations["clipjob.dev/started-by"]).toBe("clipjob CLI, pid 4242 on dev-1");
    expect(spec({ request: { startedBy: "x".repeat(300) } }).annotations["clipjob.dev/started-by"]).toHaveLength(256);
    expect(spec({ request: { startedBy: null } }).annotations).not.toHaveProperty("clipjob.dev/started-by");
  });

  describe("a workspace claim the run names (issue 14, fault 12)", () => {
    it("mounts it at /paperclip in place of the host pod's claim", () => {
      expect(spec({ request: { workspaceClaim: "agent-home" } }).volumes).toEqual([
        { kind: "pvc", name: "paperclip-data", claimName: "agent-home", mountPath: "/paperclip" },
        { kind: "secret", name: "host-gcp-creds", secretName: "gcp", mountPath: "/var/secrets/gcp", defaultMode: 0o400, optional: true },
      ]);
    });

    it("mounts it outside any pod and in another namespace than the host's, where nothing else is inherited", () => {
      expect(spec({ host: { ...NO_HOST_FACTS, image: "claude:1" }, request: { workspaceClaim: "agent-home" } }).volumes).toEqual([
        { kind: "pvc", name: "paperclip-data", claimName: "agent-home", mountPath: "/paperclip" },
      ]);
      const elsewhere = spec({ config: { namespace: "agents" }, request: { workspaceClaim: "agent-home" } });
      expect(elsewhere.volumes).toEqual([{ kind: "pvc", name: "paperclip-data", claimName: "agent-home", mountPath: "/paperclip" }]);
      expect((elsewhere.notes ?? []).join("\n")).not.toMatch(/\/paperclip volume/);
      expect(elsewhere.imagePullSecrets).toEqual([]);
    });

    it("refuses a name that is no PersistentVolumeClaim name", () => {
      expect(failure({ request: { workspaceClaim: "Agent_Home" } })).toEqual({
        code: "config_invalid",
        field: "workspaceClaim",
        message: `workspaceClaim: "Agent_Home" is not a valid PersistentVolumeClaim name (lowercase letters, digits, '-' and '.', at most 253 characters)`,
      });
    });
  });

  it("notes a run id that has no label form instead of failing", () => {
    const s = spec({ request: { runId: "日本語" } });
    expect(s.labels["paperclip.io/run-id"]).toBeUndefined();
    expect(s.notes).toContain("label paperclip.io/run-id left out: its id has no valid label form");
  });

  it("refuses an agent id with no label form", () => {
    expect(failure({ request: { agent: { ...baseRequest.agent, id: "日本語" } } })).toEqual({
      code: "k8s_agent_id_invalid",
      message: 'Agent ID "日本語" cannot be sanitized to a valid Kubernetes label',
    });
  });

  it("bounds a hostile agent id in the message", () => {
    const error = failure({ request: { agent: { ...baseRequest.agent, id: "日".repeat(1000) } } });
    expect(error.message.length).toBeLessThan(200);
  });

  it("runs Claude with the payload prompt on stdin, exec'd so its exit code is the container's", () => {
    const s = spec();
    expect(s.command.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(s.command[2]).toMatch(/; exec "\$0" "\$@" < \/var\/run\/clipjob\/payload\/prompt$/);
    expect(s.command[3]).toBe("claude");
    expect(s.command.slice(4)).toEqual(s.claudeArgs);
    expect(s.claudeArgs.slice(0, 5)).toEqual(["--print", "-", "--output-format", "stream-json", "--verbose"]);
  });

  it("passes the bundle as --add-dir", () => {
    expect(spec({ promptBundle: { rootDir: "/paperclip/cache/k" } }).claudeArgs).toContain("/paperclip/cache/k");
  });

  it("carries the prompt and the run token in the payload, the token reaching env only by reference", () => {
    const s = spec({ request: { taskMarkdown: "Fix the bug" } });
    expect(s.payload.prompt).toContain("Fix the bug");
    expect(s.payload.runToken).toBe("jwt.token.value");
    expect(s.env.find((v) => v.name === "PAPERCLIP_API_KEY")?.source).toEqual({ kind: "payload", key: "run-token" });
    expect(JSON.stringify(s.env)).not.toContain("jwt.token.value");
    expect(s.promptMetrics?.promptBytes).toBe(new TextEncoder().encode(s.payload.prompt).length);
  });

  it("omits the token when the host gave none", () => {
    const s = spec({ request: { runToken: null } });
    expect(s.payload).toEqual({ prompt: expect.any(String) });
    expect(s.env.some((v) => v.name === "PAPERCLIP_API_KEY")).toBe(false);
  });

  it("refuses a prompt over 900 KiB with its size and the limit", () => {
    const error = failure({ request: { taskMarkdown: "é".repeat(MAX_PROMPT_BYTES / 2 + 1) } });
    expect(error.code).toBe("k8s_payload_too_large");
    expect(error.message).toMatch(/The prompt is 92\d{4} bytes \(UTF-8\), over the 921600-byte \(900 KiB\) limit/);
  });

  it("refuses a payload whose run token pushes it past the Secret limit", () => {
    const error = failure({ request: { taskMarkdown: "a".repeat(MAX_PROMPT_BYTES - 200), runToken: "t".repeat(200_000) } });
    expect(error.code).toBe("k8s_payload_too_large");
    expect(error.message).toMatch(/1048576-byte \(1 MiB\) limit/);
  });

  it("applies security defaults: non-root 1000/1000, no service account token", () => {
    const s = spec();
    expect(s.podSecurity).toEqual({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true });
    expect(s.automountServiceAccountToken).toBe(false);
    expect(s.serviceAccountName).toBeUndefined();
    expect(spec({ config: { automountServiceAccountToken: true, serviceAccountName: "agent" } })).toMatchObject({
      automountServiceAccountToken: true,
      serviceAccountName: "agent",
    });
  });

  it("sets a deadline only for a positive timeout, and the TTL and grace from config", () => {
    expect(spec().activeDeadlineSeconds).toBeUndefined();
    const s = spec({ config: { timeoutSec: 1800, ttlSecondsAfterFinished: 120, graceSec: 30 } });
    expect(s).toMatchObject({ activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 120, terminationGracePeriodSeconds: 30 });
  });

  it("takes resources, nodeSelector and tolerations from config", () => {
    const config = defaultConfig();
    const s = spec({ config: { nodeSelector: { pool: "agents" }, tolerations: [{ key: "agents", operator: "Exists" }] } });
    expect(s.resources).toEqual(config.resources);
    expect(s.nodeSelector).toEqual({ pool: "agents" });
    expect(s.tolerations).toEqual([{ key: "agents", operator: "Exists" }]);
  });

  describe("the Claude executable (Paperclip's Command field)", () => {
    it("runs claude from the image's PATH by default", () => {
      expect(spec().command.slice(3, 4)).toEqual(["claude"]);
    });

    it("execs the configured command as $0, before Claude's arguments", () => {
      const s = spec({ config: { command: "/opt/claude/bin/claude" } });
      expect(s.command.slice(0, 4)).toEqual(["sh", "-c", expect.stringContaining('exec "$0" "$@"'), "/opt/claude/bin/claude"]);
      expect(s.command.slice(4)).toEqual(s.claudeArgs);
    });
  });

  describe("working directory", () => {
    it.each([
      ["the workspace cwd first", { workspace: { cwd: "/paperclip/ws/1" } }, { cwd: "/srv" }, "/paperclip/ws/1"],
      ["then config.cwd", { workspace: { cwd: "  " } }, { cwd: "/srv" }, "/srv"],
      ["then /paperclip", {}, {}, "/paperclip"],
    ])("uses %s", (_, request, config, expected) => {
      expect(spec({ request, config }).workingDir).toBe(expected);
    });

    it("refuses a relative workspace path", () => {
      expect(failure({ request: { workspace: { cwd: "ws/1" } } })).toMatchObject({ code: "config_invalid", field: "workspace.cwd" });
    });

    it("refuses a relative configured path", () => {
      expect(failure({ config: { cwd: "srv" } })).toMatchObject({ code: "config_invalid", field: "cwd" });
    });
  });

  describe("namespace and image", () => {
    it("prefers config, then the host, then the default namespace", () => {
      expect(spec({ config: { namespace: "agents" } }).ref.namespace).toBe("agents");
      expect(spec({ host: { ...NO_HOST_FACTS, image: "img" } }).ref.namespace).toBe("default");
    });

    it("refuses an invalid namespace", () => {
      expect(failure({ config: { namespace: "Bad_NS" } })).toMatchObject({ code: "config_invalid", field: "namespace" });
    });

    it("uses the configured image over the host's", () => {
      expect(spec({ config: { image: "my/claude:1" } }).image).toBe("my/claude:1");
    });

    it("refuses to plan without any image", () => {
      expect(failure({ host: NO_HOST_FACTS })).toEqual({
        code: "config_invalid",
        field: "image",
        message: "image: no image configured and the host pod has none",
      });
    });

    it("inherits nothing namespaced into another namespace, and says what it left out", () => {
      const s = spec({ config: { namespace: "agents" } });
      expect(s.volumes).toEqual([]);
      expect(s.imagePullSecrets).toEqual([]);
      expect(s.notes).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/\/paperclip volume \(PVC paperclip-data\) is not mounted/),
          expect.stringMatching(/secret volumes are not mounted/),
          expect.stringMatching(/image pull secrets are not used/),
        ]),
      );
    });
  });

  it("carries a credential configured as a literal only in the payload, and refuses clipjob's own keys", () => {
    const s = spec({ config: { env: { ANTHROPIC_API_KEY: "sk-ant" } } });
    expect(s.payload.env).toEqual({ ANTHROPIC_API_KEY: "sk-ant" });
    expect(s.env.find((v) => v.name === "ANTHROPIC_API_KEY")?.source).toEqual({ kind: "payload", key: "env.ANTHROPIC_API_KEY" });
    expect(failure({ config: { envSecretRefs: { PAPERCLIP_API_KEY: { kind: "secretKey", secretName: "s", key: "k" } } } })).toMatchObject({
      field: "env.PAPERCLIP_API_KEY",
    });
  });

  it("plans a spec with no secret value as a literal anywhere but the payload", () => {
    const s = spec({
      host: { ...host, env: { ANTHROPIC_API_KEY: { kind: "literal", value: "sk-host-secret" } } },
      request: { hostEnv: { PAPERCLIP_RUN_ID: "r" } },
    });
    const { payload, ...rest } = s;
    expect(JSON.stringify(rest)).not.toMatch(/sk-host-secret|jwt\.token\.value/);
    expect(payload.runToken).toBe("jwt.token.value");
    expect(payload.env).toEqual({ ANTHROPIC_API_KEY: "sk-host-secret" });
  });
});
