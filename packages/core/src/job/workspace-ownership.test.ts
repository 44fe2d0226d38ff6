import { describe, expect, it } from "vitest";
import { agentCanWrite, describeOwnership } from "./workspace-ownership.js";

describe("agentCanWrite (uid 1000, gid 1000, fsGroup 1000)", () => {
  it.each([
    { dir: { uid: 1000, gid: 1000, mode: 0o755 }, writable: true, why: "owned by the agent" },
    { dir: { uid: 1000, gid: 0, mode: 0o555 }, writable: false, why: "owned by the agent, but read-only" },
    { dir: { uid: 0, gid: 0, mode: 0o755 }, writable: false, why: "root 0755: a hostPath or NFS root without fsGroup" },
    { dir: { uid: 0, gid: 1000, mode: 0o2775 }, writable: true, why: "the fsGroup's group-writable root (what the kubelet makes of block volumes)" },
    { dir: { uid: 0, gid: 1000, mode: 0o755 }, writable: false, why: "the agent's group, without the group's write bit" },
    { dir: { uid: 0, gid: 0, mode: 0o1777 }, writable: true, why: "world-writable like /tmp" },
    { dir: { uid: 1000, gid: 0, mode: 0o077 }, writable: false, why: "the owner's bits decide for the owner, even when others may write" },
  ])("$why → $writable", ({ dir, writable }) => {
    expect(agentCanWrite(dir)).toBe(writable);
  });

  it("describes an ownership the way ls -n would be read", () => {
    expect(describeOwnership({ uid: 0, gid: 0, mode: 0o755 })).toBe("uid 0, gid 0, mode 0755");
  });
});
