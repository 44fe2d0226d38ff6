import { describe, expect, it } from "vitest";
import { hostLetsGo, type TakeoverTimer } from "./host-takeover.js";

/** A timer the test fires by hand: the bound passes exactly when the test says so. */
function manualTimer() {
  const started: { ms: number; fire: () => void; cancelled: boolean }[] = [];
  const timer: TakeoverTimer = (ms, fire) => {
    const entry = { ms, fire, cancelled: false };
    started.push(entry);
    return () => (entry.cancelled = true);
  };
  return { timer, started };
}

/** Settles the promise's state as far as the microtask queue goes; "pending" if it has not settled by then. */
async function stateOf<T>(promise: Promise<T>): Promise<T | "pending"> {
  return Promise.race([promise, new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")))]);
}

describe("hostLetsGo: a run kept on host shutdown waits for Paperclip to end it", () => {
  it("waits until the host aborts the run's signal (Paperclip's lease watcher, once the run is no longer running)", async () => {
    const { timer, started } = manualTimer();
    const host = new AbortController();
    const waiting = hostLetsGo(host.signal, { boundMs: 60_000, timer });
    expect(await stateOf(waiting)).toBe("pending");
    host.abort(new Error("Legacy controller lease lost"));
    expect(await waiting).toBe("released");
    expect(started).toMatchObject([{ ms: 60_000, cancelled: true }]);
  });

  it("gives up after the bound when the host neither exits nor lets go", async () => {
    const { timer, started } = manualTimer();
    const host = new AbortController();
    const waiting = hostLetsGo(host.signal, { boundMs: 60_000, timer });
    started[0]!.fire();
    expect(await waiting).toBe("bound");
    host.abort(new Error("late"));
  });

  it("does not wait when the signal is already aborted or there is none", async () => {
    const { timer, started } = manualTimer();
    const host = new AbortController();
    host.abort(new Error("Legacy controller lease lost"));
    expect(await hostLetsGo(host.signal, { timer })).toBe("released");
    expect(await hostLetsGo(undefined, { timer })).toBe("no_signal");
    expect(started).toEqual([]);
  });
});
