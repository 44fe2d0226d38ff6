// docs/architecture.md's rule table is the supervisor's rule list: same rules, same order; and every
// citation of one of its sections names a section it has.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_RULES } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./repo-root.js";
import { trackedTextFiles } from "./tracked-files.js";

describe("docs/architecture.md", () => {
  it("lists decideRun's rules in the order RUN_RULES asks them", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs/architecture.md"), "utf8");
    const table = doc.slice(doc.indexOf("| Rule | Ends the run with |"));
    const rows = table.split("\n\n")[0]!.split("\n").slice(2);
    const documented = rows.map((row) => /^\| `([a-z_]+)` \|/.exec(row)?.[1]);
    expect(documented).toEqual(RUN_RULES.map((r) => r.name));
  });

  it("every citation of a section (docs/architecture.md, \"Section\") names one of its headings, or the start of one", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs/architecture.md"), "utf8");
    const headings = [...doc.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!.trim());
    const cited = trackedTextFiles().flatMap(({ path, text }) =>
      [...text.matchAll(/docs\/architecture\.md,\s*(?:\*\s*)?"([^"]+)"/g)].map((m) => ({ path, section: m[1]! })),
    );
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.filter((c) => !headings.some((h) => h.startsWith(c.section))).map((c) => `${c.path}: "${c.section}"`)).toEqual([]);
  });
});
