import { describe, expect, it } from "vitest";
import { NO_HOST_FACTS, type HostFacts } from "../ports/host-port.js";
import type { EnvVar } from "./agent-job-spec.js";
import type { EnvSource } from "./spec-values.js";
import { buildAgentEnv, configEnvProblem, type AgentEnvInput } from "./env-policy.js";

const noConfig = { env: {}, envSecretRefs: {}, inheritEnv: [] };

function build(overrides: Partial<AgentEnvInput> = {}): { env: Record<string, EnvSource>; notes: string[]; payloadEnv: Record<string, string> } {
  const result = buildAgentEnv({ config: noConfig, host: NO_HOST_FACTS, sameNamespaceAsHost: true, hostEnv: {}, hasRunToken: false, ...overrides });
  return { env: Object.fromEntries(result.env.map((v: EnvVar) => [v.name, v.source])), notes: result.notes, payloadEnv: result.payloadEnv };
}

const literal = (value: string): EnvSource => ({ kind: "literal", value });
const hostWith = (env: HostFacts["env"]): HostFacts => ({ ...NO_HOST_FACTS, namespace: "paperclip", env });

describe("agent env", () => {
  it("always sets HOME to the shared volume and nothing else by default", () => {
    expect(build().env).toEqual({ HOME: literal("/paperclip") });
  });

  it("passes the run token only by reference to the payload Secret", () => {
    expect(build({ hasRunToken: true }).env["PAPERCLIP_API_KEY"]).toEqual({ kind: "payload", key: "run-token" });
  });

  it("inherits allowlisted host env only: secrets by reference, plain settings as literals", () => {
    const host = hostWith({
      ANTHROPIC_API_KEY: { kind: "secretKey", secretName: "paperclip-secrets", key: "anthropic" },
      ANTHROPIC_BASE_URL: literal("https://proxy.internal"),
      DATABASE_URL: literal("postgres://user:pw@db/paperclip"),
      BETTER_AUTH_SECRET: { kind: "secretKey", secretName: "paperclip-secrets", key: "auth" },
    });
    expect(build({ host }).env).toEqual({
      ANTHROPIC_API_KEY: { kind: "secretKey", secretName: "paperclip-secrets", key: "anthropic" },
      ANTHROPIC_BASE_URL: literal("https://proxy.internal"),
      HOME: literal("/paperclip"),
    });
  });

  it("inherits the names config.inheritEnv adds", () => {
    const host = hostWith({ GIT_AUTHOR_NAME: literal("bot"), POD_IP: { kind: "field", fieldPath: "status.podIP" } });
    expect(build({ host, config: { ...noConfig, inheritEnv: ["GIT_AUTHOR_NAME", "POD_IP"] } }).env).toMatchObject({
      GIT_AUTHOR_NAME: literal("bot"),
      POD_IP: { kind: "field", fieldPath: "status.podIP" },
    });
  });

  it("never writes a credential-looking literal into the Job: it goes by reference through the payload Secret", () => {
    const { env, payloadEnv } = build({
      host: hostWith({ ANTHROPIC_API_KEY: literal("sk-ant-secret") }),
      config: { ...noConfig, env: { DB_PASSWORD: "hunter2", PLAIN: "visible" } },
    });
    expect(env["ANTHROPIC_API_KEY"]).toEqual({ kind: "payload", key: "env.ANTHROPIC_API_KEY" });
    expect(env["DB_PASSWORD"]).toEqual({ kind: "payload", key: "env.DB_PASSWORD" });
    expect(env["PLAIN"]).toEqual(literal("visible"));
    expect(JSON.stringify(env)).not.toMatch(/sk-ant-secret|hunter2/);
    expect(payloadEnv).toEqual({ ANTHROPIC_API_KEY: "sk-ant-secret", DB_PASSWORD: "hunter2" });
  });

  it("a Secret reference in config replaces a payload copy of the same name", () => {
    const { env, payloadEnv } = build({
      config: { ...noConfig, env: { ANTHROPIC_API_KEY: "sk-literal" }, envSecretRefs: { ANTHROPIC_API_KEY: { kind: "secretKey", secretName: "anthropic", key: "api-key" } } },
    });
    expect(env["ANTHROPIC_API_KEY"]).toEqual({ kind: "secretKey", secretName: "anthropic", key: "api-key" });
    expect(payloadEnv).toEqual({});
  });

  it("does not carry Secret or ConfigMap references into another namespace", () => {
    const host = hostWith({
      ANTHROPIC_API_KEY: { kind: "secretKey", secretName: "s", key: "k" },
      HTTP_PROXY: { kind: "configMapKey", configMapName: "proxy", key: "url" },
    });
    const { env, notes } = build({ host, sameNamespaceAsHost: false });
    expect(env).toEqual({ HOME: literal("/paperclip") });
    expect(notes).toHaveLength(2);
  });

  it("layers run context under config.env, and HOME and the run token over both", () => {
    const { env } = build({
      hostEnv: { PAPERCLIP_RUN_ID: "r1", PAPERCLIP_WORKSPACE_CWD: "/w", FOO: "host", HOME: "/root", PAPERCLIP_API_KEY: "leak" },
      config: { env: { FOO: "config", HOME: "/elsewhere" }, envSecretRefs: { GH_TOKEN: { kind: "secretKey", secretName: "gh", key: "token" } }, inheritEnv: [] },
      hasRunToken: true,
    });
    expect(env).toEqual({
      FOO: literal("config"),
      GH_TOKEN: { kind: "secretKey", secretName: "gh", key: "token" },
      HOME: literal("/paperclip"),
      PAPERCLIP_API_KEY: { kind: "payload", key: "run-token" },
      PAPERCLIP_RUN_ID: literal("r1"),
      PAPERCLIP_WORKSPACE_CWD: literal("/w"),
    });
  });

  it("keeps the host pod's in-cluster API URL over the host's loopback one", () => {
    const host = hostWith({ PAPERCLIP_API_URL: literal("http://paperclip.paperclip.svc:3100") });
    const { env } = build({ host, hostEnv: { PAPERCLIP_API_URL: "http://localhost:3100" } });
    expect(env["PAPERCLIP_API_URL"]).toEqual(literal("http://paperclip.paperclip.svc:3100"));
    expect(build({ hostEnv: { PAPERCLIP_API_URL: "http://localhost:3100" } }).env["PAPERCLIP_API_URL"]).toEqual(literal("http://localhost:3100"));
  });

  it("passes a credential from the run context by reference and drops an invalid name, saying so", () => {
    const { env, notes, payloadEnv } = build({ hostEnv: { GITHUB_TOKEN: "ghp_x", "BAD NAME": "x" } });
    expect(env).toEqual({ HOME: literal("/paperclip"), GITHUB_TOKEN: { kind: "payload", key: "env.GITHUB_TOKEN" } });
    expect(payloadEnv).toEqual({ GITHUB_TOKEN: "ghp_x" });
    expect(notes).toEqual([expect.stringContaining("BAD NAME")]);
  });

  it("drops a run token reference nobody can fill", () => {
    expect(build({ config: { ...noConfig, envSecretRefs: {} }, hasRunToken: false }).env["PAPERCLIP_API_KEY"]).toBeUndefined();
  });

  it("lists variables in name order, so the spec is stable", () => {
    const names = buildAgentEnv({ config: { ...noConfig, env: { ZED: "1", ALPHA: "2" } }, host: NO_HOST_FACTS, sameNamespaceAsHost: false, hostEnv: {}, hasRunToken: true }).env.map((v) => v.name);
    expect(names).toEqual(["ALPHA", "HOME", "PAPERCLIP_API_KEY", "ZED"]);
  });
});

describe("configEnvProblem", () => {
  it.each([
    ["FOO", "literal", null],
    ["PAPERCLIP_API_KEY", "literal", /set by clipjob/],
    ["PAPERCLIP_API_KEY", "secretRef", /set by clipjob/],
    ["PAPERCLIP_RUN_ID", "literal", /set by clipjob/],
    ["ANTHROPIC_API_KEY", "literal", null],
    ["db_password", "literal", null],
    ["ANTHROPIC_API_KEY", "secretRef", null],
    ["PAPERCLIP_GITHUB_TOKEN", "literal", null],
    ["1BAD", "literal", /not a valid/],
  ] as const)("%s as %s", (name, source, expected) => {
    const problem = configEnvProblem(name, source);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});
