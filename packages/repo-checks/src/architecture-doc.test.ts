// docs/architecture.md's rule table is the supervisor's rule list: same rules, same order.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_RULES } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./repo-root.js";

describe("docs/architecture.md", () => {
  it("lists decideRun's rules in the order RUN_RULES asks them", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs/architecture.md"), "utf8");
    const table = doc.slice(doc.indexOf("| Rule | Ends the run with |"));
    const rows = table.split("\n\n")[0]!.split("\n").slice(2);
    const documented = rows.map((row) => /^\| `([a-z_]+)` \|/.exec(row)?.[1]);
    expect(documented).toEqual(RUN_RULES.map((r) => r.name));
  });
});
