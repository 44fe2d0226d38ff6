import { describe, expect, it } from "vitest";
import { listFlag, parseCommandArgs, stringFlag } from "./command-args.js";

const OPTIONS = {
  "agent-id": { type: "string" },
  config: { type: "string" },
  set: { type: "string", multiple: true },
  namespace: { type: "string", short: "n" },
  json: { type: "boolean" },
} as const;

describe("parseCommandArgs", () => {
  it("names an unknown flag with the flag it most likely misspells (case and transpositions included)", () => {
    expect(parseCommandArgs(["--agnet-id", "x"], OPTIONS)).toEqual({
      ok: false,
      error: "Unknown option '--agnet-id'; did you mean --agent-id? (an argument starting with '-' goes after '--')",
    });
    expect(parseCommandArgs(["--Config", "a.json"], OPTIONS)).toMatchObject({ ok: false, error: expect.stringContaining("did you mean --config?") });
    expect(parseCommandArgs(["--zzzzzz"], OPTIONS)).toMatchObject({ ok: false, error: expect.not.stringContaining("did you mean") });
    expect(parseCommandArgs(["-z"], OPTIONS)).toMatchObject({ ok: false, error: expect.stringContaining("Unknown option '-z'") });
    // After '--' nothing is a flag.
    expect(parseCommandArgs(["--", "--agnet-id"], OPTIONS)).toMatchObject({ ok: true, value: { positionals: ["--agnet-id"] } });
  });

  it("refuses a single-value flag given twice with different values; repeatable flags and repeats of one value pass", () => {
    expect(parseCommandArgs(["--config", "a.json", "--config=b.json"], OPTIONS)).toEqual({
      ok: false,
      error: '--config was given twice ("a.json", then "b.json"); give it once.',
    });
    expect(parseCommandArgs(["-n", "a", "--namespace", "b"], OPTIONS)).toMatchObject({ ok: false, error: expect.stringContaining("--namespace was given twice") });
    const same = parseCommandArgs(["--config", "a.json", "--config", "a.json", "--set", "k=1", "--set", "k=2", "--json", "--json"], OPTIONS);
    expect(same.ok).toBe(true);
    if (same.ok) {
      expect(stringFlag(same.value, "config")).toBe("a.json");
      expect(listFlag(same.value, "set")).toEqual(["k=1", "k=2"]);
    }
  });
});
