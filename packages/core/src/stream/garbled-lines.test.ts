import { describe, expect, it } from "vitest";
import { createGarbledLineDetector } from "./garbled-lines.js";
import { createTranscriptReducer } from "./transcript-reducer.js";

/** Each line's verdict, as the log follower asks: the reducer classifies it, the detector judges it. */
function judge(lines: readonly string[]): (string | null)[] {
  const reducer = createTranscriptReducer();
  const detector = createGarbledLineDetector();
  return lines.map((l) => detector.see(l, reducer.push(l), Buffer.byteLength(l)));
}

const event = (i: number, pad = "") => JSON.stringify({ type: "assistant", message: { id: `m${i}`, content: [{ type: "text", text: `step ${i}${pad}` }] } });

describe("garbled lines (the kubelet's line-start flag is shared by stdout and stderr)", () => {
  it("a stderr record joined into a long event: the head is broken_event, the rest event_tail, neither read as an event", () => {
    const long = event(1, "z".repeat(20 * 1024));
    const head = long.slice(0, 16 * 1024);
    const lines = [event(0), `${head}(node:7) Warning: something`, long.slice(16 * 1024), event(2)];
    expect(judge(lines)).toEqual([null, "broken_event", "event_tail", null]);
    const reducer = createTranscriptReducer();
    for (const l of lines) reducer.push(l);
    expect(reducer.summary().jsonEvents).toBe(2);
    expect(reducer.summary().nonJsonLines).toBe(2);
  });

  it("a stderr record that is itself a whole line sits between the head and the rest: the rest is still the tail", () => {
    const long = event(1, "z".repeat(20 * 1024));
    expect(judge([`${long.slice(0, 16_384)}warn`, "another stderr line", long.slice(16_384)])).toEqual(["broken_event", null, "event_tail"]);
  });

  it("an event served inside a long stderr line is buried_event; a short stderr line quoting an event is not", () => {
    const stderrHead = "e".repeat(16 * 1024);
    expect(judge([`${stderrHead}${event(3)}`, "e".repeat(4000), `note ${event(4)}`])).toEqual(["buried_event", null, null]);
  });

  it("plain stderr text, even text ending in a brace, is not garbled without a broken event before it", () => {
    expect(judge(["Error: connect ECONNREFUSED", "config {a: 1}", event(0), "{not an event"])).toEqual([null, null, null, null]);
  });
});
