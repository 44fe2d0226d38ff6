import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentJobName, agentClaimName, MAX_JOB_NAME_LENGTH } from "./job-name.js";
import { isDnsLabel } from "./k8s-names.js";
import { payloadSecretName } from "./agent-job-spec.js";
import { anyString } from "../testing/any-string.js";

describe("agentJobName", () => {
  it("reads as agent and run, with a digest of the raw ids", () => {
    expect(agentJobName("Agent_One", "run-42")).toMatch(/^ac-agent-one-run-42-[0-9a-f]{12}$/);
  });

  it("is deterministic", () => {
    expect(agentJobName("a", "b")).toBe(agentJobName("a", "b"));
  });

  it("separates ids that slug alike", () => {
    expect(agentJobName("Agent One", "r")).not.toBe(agentJobName("agent-one", "r"));
    expect(agentJobName("a:b", "c")).not.toBe(agentJobName("a", "b:c"));
  });

  it("still names ids that slug to nothing", () => {
    expect(agentJobName("日本", "語")).toMatch(/^ac-[0-9a-f]{12}$/);
    expect(agentJobName("日本", "語")).not.toBe(agentJobName("日", "本語"));
  });

  it("gives distinct ids distinct names", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (a1, r1, a2, r2) => {
        fc.pre(a1 !== a2 || r1 !== r2);
        return agentJobName(a1, r1) !== agentJobName(a2, r2);
      }),
      { seed: 16, numRuns: 2000 },
    );
  });

  it("is a DNS label of at most 52 characters for any ids, so the payload Secret name fits too", () => {
    fc.assert(
      fc.property(anyString(300), anyString(300), (agent, run) => {
        const name = agentJobName(agent, run);
        return name.length <= MAX_JOB_NAME_LENGTH && isDnsLabel(name) && isDnsLabel(payloadSecretName(name));
      }),
    );
  });
});

describe("names stay the same across versions", () => {
  // A process finds the Job of a run (and the agent's claim) by name: across a rolling update the old and
  // the new version must compute the same names from the same ids, so the digest is pinned here.
  it.each([
    ["Agent_One", "run-42", "ac-agent-one-run-42-1e588ce7f499"],
    ["日本", "語", "ac-eaac0ef28533"],
    ["a".repeat(2000), "r", `ac-${"a".repeat(16)}-r-854ec5c0fea5`],
  ])("agentJobName(%j, %j) is %j", (agent, run, name) => {
    expect(agentJobName(agent, run)).toBe(name);
  });

  it.each([
    ["Agent_One", "clipjob-agent-agent-one-63fdd2210da5"],
    ["日本", "clipjob-agent-2f8c44a09fe5"],
  ])("agentClaimName(%j) is %j", (agent, name) => {
    expect(agentClaimName(agent)).toBe(name);
  });
});

describe("agentClaimName", () => {
  it("reads as the agent, with a digest of the raw id, and is a DNS label", () => {
    expect(agentClaimName("Agent_One")).toMatch(/^clipjob-agent-agent-one-[0-9a-f]{12}$/);
    expect(isDnsLabel(agentClaimName("x".repeat(300)))).toBe(true);
  });

  it("separates ids that slug alike, and names ids that slug to nothing", () => {
    expect(agentClaimName("Agent One")).not.toBe(agentClaimName("agent-one"));
    expect(agentClaimName("日本")).toMatch(/^clipjob-agent-[0-9a-f]{12}$/);
    expect(agentClaimName("日本")).not.toBe(agentClaimName("本日"));
  });
});
