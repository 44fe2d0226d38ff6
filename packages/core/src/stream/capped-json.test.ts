import { describe, expect, it } from "vitest";
import { capJsonStrings } from "./capped-json.js";

describe("capJsonStrings", () => {
  it("returns a value within the caps as it is: the same object, nothing copied", () => {
    const event = JSON.parse('{"type":"result","usage":{"input_tokens":3},"errors":["a","b"],"result":"done"}') as unknown;
    expect(capJsonStrings(event, 100)).toBe(event);
  });

  it("copies only the path to a string over the cap and leaves the input untouched", () => {
    const event = { type: "result", usage: { input_tokens: 3 }, errors: ["short", "x".repeat(20)], result: "done" };
    const capped = capJsonStrings(event, 10) as typeof event;
    expect(capped).toEqual({ type: "result", usage: { input_tokens: 3 }, errors: ["short", `${"x".repeat(9)}…`], result: "done" });
    expect(Object.keys(capped)).toEqual(["type", "usage", "errors", "result"]);
    expect(capped.usage).toBe(event.usage);
    expect(capped.errors).not.toBe(event.errors);
    expect(event.errors[1]).toBe("x".repeat(20));
  });

  it("keeps a JSON `__proto__` key as an own property when it copies the object around it", () => {
    const event = JSON.parse('{"__proto__":{"polluted":true},"long":"yyyyyyyyyyyy"}') as Record<string, unknown>;
    const capped = capJsonStrings(event, 5) as Record<string, unknown>;
    expect(Object.getPrototypeOf(capped)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(capped, "__proto__")).toBe(true);
    expect(capped["long"]).toBe("yyyy…");
    expect((capped as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("replaces nesting deeper than 32 levels", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 40; i++) deep = [deep];
    let walked = capJsonStrings(deep, 100);
    let levels = 0;
    while (Array.isArray(walked)) {
      walked = walked[0];
      levels++;
    }
    expect(levels).toBe(32);
    expect(walked).toBe("[nested too deep]");
  });
});
