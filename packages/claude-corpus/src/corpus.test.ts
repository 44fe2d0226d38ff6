import { describe, expect, it } from "vitest";
import { CLI_VERSION, CORPUS } from "../scenarios.mjs";
import { loadCorpus, recordingDirectories } from "./index.js";

describe("recorded corpus", () => {
  const corpus = loadCorpus();

  it("holds one recording per scenario, all made with the pinned CLI", () => {
    expect(corpus.map((r) => r.name)).toEqual(CORPUS.map((e: { name: string }) => e.name));
    expect(recordingDirectories().sort()).toEqual(corpus.map((r) => r.name).sort());
    for (const r of corpus) expect([r.name, r.cliVersion.split(" ")[0]]).toEqual([r.name, CLI_VERSION]);
  });

  it("every recording ran to completion (an exit code, no kill by the recorder)", () => {
    for (const r of corpus) {
      expect([r.name, typeof r.exitCode, r.signal]).toEqual([r.name, "number", null]);
      expect(r.stdoutLines.length, r.name).toBeGreaterThan(0);
    }
  });

  it("the resumed runs resumed their first run's session", () => {
    for (const r of corpus.filter((x) => x.resumeOf)) {
      const first = corpus.find((x) => x.name === r.resumeOf)!;
      expect(first.stdoutLines.join("\n")).toContain(`"session_id":"${r.resumedSessionId}"`);
    }
  });
});
