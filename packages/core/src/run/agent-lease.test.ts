import { describe, expect, it } from "vitest";
import type { LeaseRecord } from "../ports/lease-port.js";
import { AGENT_LEASE_TIMING, leaseVerdict, type LeaseVerdict } from "./agent-lease.js";

const ME = "paperclip/pod-a/17/aa";
const T0 = Date.parse("2026-11-30T04:00:00Z");

function lease(over: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    ref: { namespace: "ns", name: "clipjob-agent-x-000000000000" },
    resourceVersion: "10",
    labels: {},
    holderIdentity: "paperclip/pod-b/9/bb",
    leaseDurationSeconds: 60,
    acquireTime: T0,
    renewTime: T0,
    leaseTransitions: 0,
    ...over,
  };
}

describe("leaseVerdict: what one read of an agent's Lease means", () => {
  const cases: [string, LeaseRecord | null, number, { resourceVersion: string; at: number; holder: string | null } | null, LeaseVerdict][] = [
    ["no Lease: create it", null, T0, null, { kind: "create" }],
    ["gone while we watched it held (released: its holder was alive): busy", null, T0 + 9_000, { resourceVersion: "10", at: T0 + 5_000, holder: "paperclip/pod-b/9/bb" }, { kind: "busy", holder: "paperclip/pod-b/9/bb" }],
    ["released (no holder): take it", lease({ holderIdentity: null }), T0, null, { kind: "take", from: null }],
    ["an empty holder is no holder", lease({ holderIdentity: "" }), T0, null, { kind: "take", from: null }],
    ["our own (a claim whose answer was lost): take it", lease({ holderIdentity: ME }), T0, null, { kind: "take", from: null }],
    ["held, first look: wait one duration from now", lease(), T0 + 5_000, null, { kind: "wait", untilMs: T0 + 65_000 }],
    ["held, unchanged, not yet a duration watched: keep waiting", lease(), T0 + 30_000, { resourceVersion: "10", at: T0 + 5_000, holder: "paperclip/pod-b/9/bb" }, { kind: "wait", untilMs: T0 + 65_000 }],
    ["held, changed while watched (renewed): busy", lease({ resourceVersion: "11" }), T0 + 25_000, { resourceVersion: "10", at: T0 + 5_000, holder: "paperclip/pod-b/9/bb" }, { kind: "busy", holder: "paperclip/pod-b/9/bb" }],
    ["held, unchanged for its whole duration while watched: the holder is gone", lease(), T0 + 65_000, { resourceVersion: "10", at: T0 + 5_000, holder: "paperclip/pod-b/9/bb" }, { kind: "take", from: "paperclip/pod-b/9/bb" }],
    ["its holder's own duration counts, not ours", lease({ leaseDurationSeconds: 10 }), T0 + 15_000, { resourceVersion: "10", at: T0 + 5_000, holder: "paperclip/pod-b/9/bb" }, { kind: "take", from: "paperclip/pod-b/9/bb" }],
    ["renewed longer ago than twice its duration: gone without watching", lease(), T0 + 120_000, null, { kind: "take", from: "paperclip/pod-b/9/bb" }],
    ["renewed just under twice its duration ago: watch it first", lease(), T0 + 119_000, null, { kind: "wait", untilMs: T0 + 179_000 }],
    ["no renew time: watch it", lease({ renewTime: null }), T0 + 600_000, null, { kind: "wait", untilMs: T0 + 660_000 }],
  ];
  it.each(cases)("%s", (_name, current, now, firstSeen, expected) => {
    expect(leaseVerdict(current, ME, now, firstSeen, AGENT_LEASE_TIMING)).toEqual(expected);
  });
});
