import { describe, expect, it } from "vitest";
import { processLeaseName } from "../job/job-name.js";
import type { LeaseRecord } from "../ports/lease-port.js";
import { claimVerdict, parseHolderLease, type ClaimRecord, type ClaimedJobState, type ClaimVerdict, type HolderLeaseSeen } from "./agent-claim.js";
import { PROCESS_LEASE_TIMING } from "./lease-timing.js";

const ME = "paperclip/pod-a/17/aa";
const OTHER = "paperclip/pod-b/9/bb";
const T0 = Date.parse("2026-11-30T04:00:00Z");

function claim(over: Partial<ClaimRecord> = {}): ClaimRecord {
  return {
    ref: { namespace: "ns", name: "clipjob-agent-x-000000000000" },
    uid: "u-1",
    resourceVersion: "7",
    holder: OTHER,
    holderLease: { namespace: "ns", name: processLeaseName(OTHER) },
    jobName: "ac-x-run-1-000000000000",
    deleting: false,
    reported: false,
    ...over,
  };
}

function processLease(over: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    ref: { namespace: "ns", name: processLeaseName(OTHER) },
    resourceVersion: "40",
    labels: {},
    holderIdentity: OTHER,
    leaseDurationSeconds: 60,
    acquireTime: T0,
    renewTime: T0,
    leaseTransitions: 0,
    ...over,
  };
}

type Case = [string, ClaimRecord, LeaseRecord | null, ClaimedJobState, number, HolderLeaseSeen | null, ClaimVerdict];

describe("claimVerdict: what a claim held by someone else means, read with its holder's process Lease", () => {
  const cases: Case[] = [
    ["being deleted (released): look again after one poll", claim({ deleting: true }), processLease(), "live", T0, null, { kind: "retry", afterMs: 5_000 }],
    ["our own claim: the in-process guard decides", claim({ holder: ME }), null, "live", T0, null, { kind: "ours" }],
    ["holder's process Lease absent (graceful shutdown), Job live: adopt at once", claim(), null, "live", T0, null, { kind: "adopt", from: OTHER, finished: false }],
    ["holder's process Lease absent, Job finished: replace at once", claim(), null, "finished", T0, null, { kind: "replace", from: OTHER }],
    ["holder's process Lease absent, Job finished for this run's task and never delivered: adopt it to deliver it", claim(), null, "finished_undelivered", T0, null, { kind: "adopt", from: OTHER, finished: true }],
    ["unchanged for its whole duration while watched, Job finished undelivered: adopt it to deliver it", claim(), processLease(), "finished_undelivered", T0 + 65_000, { resourceVersion: "40", at: T0 + 5_000 }, { kind: "adopt", from: OTHER, finished: true }],
    ["fresh process Lease, Job finished undelivered: its holder may still deliver it, wait", claim(), processLease(), "finished_undelivered", T0 + 5_000, null, { kind: "wait", untilMs: T0 + 65_000 }],
    ["holder's process Lease absent, Job never created: replace at once", claim(), null, "absent", T0, null, { kind: "replace", from: OTHER }],
    ["process Lease now names another process (a restart reused the name): gone", claim(), processLease({ holderIdentity: "paperclip/pod-b/10/cc" }), "live", T0, null, { kind: "adopt", from: OTHER, finished: false }],
    ["claim without a holder annotation: nobody can show it alive", claim({ holder: null }), null, "absent", T0, null, { kind: "replace", from: null }],
    ["claim without a holder-lease annotation: gone", claim({ holderLease: null }), processLease(), "live", T0, null, { kind: "adopt", from: OTHER, finished: false }],
    ["fresh process Lease, first look: wait one duration from now", claim(), processLease(), "live", T0 + 5_000, null, { kind: "wait", untilMs: T0 + 65_000 }],
    ["renewed while we watched: the holder is alive", claim(), processLease({ resourceVersion: "41", renewTime: T0 + 20_000 }), "live", T0 + 25_000, { resourceVersion: "40", at: T0 + 5_000 }, { kind: "busy", holder: OTHER }],
    ["unchanged, watched less than its duration: keep waiting", claim(), processLease(), "live", T0 + 30_000, { resourceVersion: "40", at: T0 + 5_000 }, { kind: "wait", untilMs: T0 + 65_000 }],
    ["unchanged for its whole duration while watched, Job live: adopt", claim(), processLease(), "live", T0 + 65_000, { resourceVersion: "40", at: T0 + 5_000 }, { kind: "adopt", from: OTHER, finished: false }],
    ["unchanged for its whole duration while watched, Job gone: replace", claim(), processLease(), "absent", T0 + 65_000, { resourceVersion: "40", at: T0 + 5_000 }, { kind: "replace", from: OTHER }],
    ["renewed twice its duration ago by our clock: gone without watching", claim(), processLease(), "live", T0 + 120_000, null, { kind: "adopt", from: OTHER, finished: false }],
    ["a written duration beats the default", claim(), processLease({ leaseDurationSeconds: 10 }), "finished", T0 + 15_000, { resourceVersion: "40", at: T0 + 4_000 }, { kind: "replace", from: OTHER }],
  ];
  it.each(cases)("%s", (_name, c, lease, job, now, firstSeen, expected) => {
    expect(claimVerdict({ claim: c, holderLease: lease, job, identity: ME, now, firstSeen, timing: PROCESS_LEASE_TIMING })).toEqual(expected);
  });
});

describe("parseHolderLease: the clipjob.dev/holder-lease annotation", () => {
  it.each([
    ["ns/clipjob-process-0123456789ab", { namespace: "ns", name: "clipjob-process-0123456789ab" }],
    ["", null],
    ["clipjob-process-0123456789ab", null],
    ["NS/x", null],
    ["ns/x/y", null],
  ])("%j", (value, expected) => {
    expect(parseHolderLease(value)).toEqual(expected);
  });
});

describe("processLeaseName", () => {
  it("is a DNS subdomain of fixed length, distinct for identities that differ only in their random part", () => {
    const a = processLeaseName("paperclip/pod-a/17/aa");
    const b = processLeaseName("paperclip/pod-a/17/ab");
    expect(a).toMatch(/^clipjob-process-[0-9a-f]{12}$/);
    expect(b).toMatch(/^clipjob-process-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
});
