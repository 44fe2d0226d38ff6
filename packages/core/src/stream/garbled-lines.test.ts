import { describe, expect, it } from "vitest";
import { createGarbledLineDetector } from "./garbled-lines.js";
import { createTranscriptReducer } from "./transcript-reducer.js";

/** Each line's verdict, as the log follower asks: the reducer classifies it, the detector judges it. */
function judge(lines: readonly string[]): (string | null)[] {
  const reducer = createTranscriptReducer();
  const detector = createGarbledLineDetector();
  const verdicts: (string | null)[] = lines.map(() => null);
  let offset = 0;
  lines.forEach((l, i) => {
    const bytes = Buffer.byteLength(l);
    for (const f of detector.see(l, reducer.push(l), bytes, { line: i + 1, offset })) {
      expect(f.offset).toBe(lines.slice(0, f.line - 1).reduce((n, x) => n + Buffer.byteLength(x) + 1, 0));
      verdicts[f.line - 1] = f.reason;
    }
    offset += bytes + 1;
  });
  return verdicts;
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

  it("a stderr record ending in a brace joined into a long user event (counted unparsed): reported when its tail arrives, both lines", () => {
    const user = JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "tool_result", content: "x".repeat(20 * 1024) }] } });
    const head = user.slice(0, 16 * 1024);
    const warning = '{"level":"warn","msg":"slow"}';
    expect(judge([event(0), `${head}${warning}`, user.slice(16 * 1024), event(2)])).toEqual([null, "broken_event", "event_tail", null]);
    // With a whole stderr line between the head and the rest, too.
    expect(judge([`${head}${warning}`, "another stderr line", user.slice(16 * 1024)])).toEqual(["broken_event", null, "event_tail"]);
  });

  it("a stderr record joined into a long init event that the reducer's member walk accepts: reported when its tail arrives, both lines", () => {
    const init = JSON.stringify({ type: "system", subtype: "init", session_id: "s", tools: Array.from({ length: 2500 }, (_v, i) => `mcp__tool_${i}`), model: "m" });
    const cut = init.indexOf('"mcp__tool_2000"');
    // The head ends inside the tools list; the stderr record closes it, so the walk (which does not validate
    // what it skips) takes the head for a whole init line, and the reducer counts it as an event.
    const head = `${init.slice(0, cut)}oops]}`;
    expect(createTranscriptReducer().push(head)).toBe("event");
    expect(judge([event(0), head, init.slice(cut), event(2)])).toEqual([null, "broken_event", "event_tail", null]);
    expect(judge([init, "done {ok}"])).toEqual([null, null]);
  });

  it("a long user event that is whole is never reported, whatever text ending in a brace follows it", () => {
    const user = JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "tool_result", content: "x".repeat(20 * 1024) }] } });
    expect(judge([user, "config {a: 1}", user, event(1), "done {ok}"])).toEqual([null, null, null, null, null]);
  });

  it("plain stderr text, even text ending in a brace, is not garbled without a broken event before it", () => {
    expect(judge(["Error: connect ECONNREFUSED", "config {a: 1}", event(0), "{not an event"])).toEqual([null, null, null, null]);
  });
});
