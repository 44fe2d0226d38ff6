import { describe, expect, it } from "vitest";
import { DEFAULT_SPEED, parseSpeed } from "./speed.js";

describe("parseSpeed", () => {
  it.each([
    [undefined, DEFAULT_SPEED],
    ["20", 20],
    ["60x", 60],
    ["0.5", 0.5],
    ["MAX", "max"],
  ])("%s → %s", (raw, expected) => {
    expect(parseSpeed(raw)).toEqual({ ok: true, value: expected });
  });

  it.each(["0", "-3", "fast", "", "1e3"])("refuses %j", (raw) => {
    expect(parseSpeed(raw).ok).toBe(false);
  });
});
