import { describe, expect, it } from "vitest";
import { HostSignalLatch } from "./host-signals.js";
import { LEASE_LOST_REASON, splitStopSignal } from "./stop-signals.js";

describe("cancel versus shutdown", () => {
  it.each([
    { name: "a board cancel", reason: new Error("Cancelled by a board operator"), sigterm: false, expected: "cancel" },
    { name: "an agent pause", reason: new Error("Cancelled due to agent pause"), sigterm: false, expected: "cancel" },
    { name: "a reason given as text", reason: "stop it", sigterm: false, expected: "cancel" },
    { name: "the lease watcher", reason: new Error(LEASE_LOST_REASON), sigterm: false, expected: "shutdown" },
    { name: "any abort after SIGTERM", reason: new Error("Cancelled by a board operator"), sigterm: true, expected: "shutdown" },
  ])("classifies $name", ({ reason, sigterm, expected }) => {
    const latch = new HostSignalLatch();
    const host = new AbortController();
    const stops = splitStopSignal(host.signal, latch);
    if (sigterm) latch.fire();
    host.abort(reason);
    expect(stops.cancel.aborted).toBe(expected === "cancel");
    expect(stops.shutdown.aborted).toBe(expected === "shutdown" || sigterm);
    stops.dispose();
  });

  it("passes the cancel reason on as text", () => {
    const host = new AbortController();
    const stops = splitStopSignal(host.signal, new HostSignalLatch());
    host.abort(new Error("Cancelled by a board operator"));
    expect(stops.cancel.reason).toBe("Cancelled by a board operator");
  });

  it("classifies a signal that was aborted before the run started", () => {
    const host = new AbortController();
    host.abort(new Error("Run stopped before provider startup"));
    expect(splitStopSignal(host.signal, new HostSignalLatch()).cancel.aborted).toBe(true);
  });

  it("shuts down on SIGTERM alone, without any abort", () => {
    const latch = new HostSignalLatch();
    const stops = splitStopSignal(undefined, latch);
    latch.fire();
    expect(stops.shutdown.aborted).toBe(true);
    expect(stops.cancel.aborted).toBe(false);
  });

  it("stops listening once disposed", () => {
    const latch = new HostSignalLatch();
    const host = new AbortController();
    const stops = splitStopSignal(host.signal, latch);
    stops.dispose();
    latch.fire();
    host.abort(new Error("Cancelled by a board operator"));
    expect(stops.cancel.aborted || stops.shutdown.aborted).toBe(false);
  });
});
