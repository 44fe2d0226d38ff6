import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sessionCodec } from "./session-codec.js";
import type { SessionParams } from "./session-params.js";

describe("sessionCodec", () => {
  it("reads camelCase", () => {
    const raw = { sessionId: "s-1", cwd: "/w", workspaceId: "ws", repoUrl: "https://git/x", repoRef: "main", promptBundleKey: "k", lastJobName: "ac-x" };
    expect(sessionCodec.deserialize(raw)).toEqual(raw);
  });

  it("reads the snake_case and older aliases", () => {
    expect(
      sessionCodec.deserialize({
        session_id: "s-1",
        workdir: "/w",
        workspace_id: "ws",
        repo_url: "u",
        repo_ref: "r",
        prompt_bundle_key: "k",
        last_job_name: "j",
      }),
    ).toEqual({ sessionId: "s-1", cwd: "/w", workspaceId: "ws", repoUrl: "u", repoRef: "r", promptBundleKey: "k", lastJobName: "j" });
    expect(sessionCodec.deserialize({ sessionId: "s", folder: "/f" })).toEqual({ sessionId: "s", cwd: "/f" });
  });

  it("prefers camelCase, and skips blank spellings for the next alias", () => {
    expect(sessionCodec.deserialize({ sessionId: "camel", session_id: "snake" })?.sessionId).toBe("camel");
    expect(sessionCodec.deserialize({ sessionId: "  ", session_id: "snake" })?.sessionId).toBe("snake");
    expect(sessionCodec.deserialize({ sessionId: "s", cwd: "", workdir: "/w" })?.cwd).toBe("/w");
  });

  it("trims values and drops empty and non-text ones", () => {
    expect(sessionCodec.deserialize({ sessionId: " s-1 ", cwd: "  ", repoUrl: 5, repoRef: null })).toEqual({ sessionId: "s-1" });
  });

  it.each([null, undefined, "s-1", 42, ["s"], {}, { sessionId: "" }, { sessionId: 7 }, { cwd: "/w" }])("has no session for %j", (raw) => {
    expect(sessionCodec.deserialize(raw)).toBeNull();
    expect(sessionCodec.serialize(raw)).toBeNull();
  });

  it("serialises camelCase only, from either spelling", () => {
    expect(sessionCodec.serialize({ session_id: "s", repo_url: "u", junk: "x" })).toEqual({ sessionId: "s", repoUrl: "u" });
  });

  it("displays the session id", () => {
    expect(sessionCodec.getDisplayId({ sessionId: " s-1 " })).toBe("s-1");
    expect(sessionCodec.getDisplayId({ session_id: "s-2" })).toBe("s-2");
    expect(sessionCodec.getDisplayId({ cwd: "/w" })).toBeNull();
    expect(sessionCodec.getDisplayId(null)).toBeNull();
  });

  const text = fc.string({ minLength: 1, maxLength: 40 }).map((s) => s.trim()).filter((s) => s !== "");
  const params: fc.Arbitrary<SessionParams> = fc.record(
    { sessionId: text, cwd: text, workspaceId: text, repoUrl: text, repoRef: text, promptBundleKey: text, lastJobName: text },
    { requiredKeys: ["sessionId"] },
  );

  it("round-trips every field the run reads back", () => {
    fc.assert(
      fc.property(params, (p) => {
        expect(sessionCodec.deserialize(sessionCodec.serialize(p))).toEqual(p);
        expect(sessionCodec.getDisplayId(sessionCodec.serialize(p))).toBe(p.sessionId);
      }),
    );
  });

  it("reads its own snake_case twin the same as camelCase", () => {
    const snake: Record<string, string> = {
      sessionId: "session_id", cwd: "workdir", workspaceId: "workspace_id", repoUrl: "repo_url", repoRef: "repo_ref",
      promptBundleKey: "prompt_bundle_key", lastJobName: "last_job_name",
    };
    fc.assert(
      fc.property(params, (p) => {
        const twin = Object.fromEntries(Object.entries(p).map(([k, v]) => [snake[k]!, `  ${v}\t`]));
        expect(sessionCodec.deserialize(twin)).toEqual(p);
      }),
    );
  });
});
