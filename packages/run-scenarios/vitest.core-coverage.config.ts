import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

// Core's line coverage, measured over all of core: its own unit tests plus the run scenarios here (core may
// not depend on the fake cluster, so run/ is exercised from this package). Thresholds make CI fail below 90 %.
const core = fileURLToPath(new URL("../core/src", import.meta.url));
const base = sharedTestConfig({ coverageInclude: ["../core/src/**/*.ts"], testTimeout: 120_000 });
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    dir: "..",
    include: ["core/src/**/*.test.ts", "run-scenarios/src/**/*.test.ts"],
    coverage: {
      ...base.test!.coverage,
      // core lives outside this package's root.
      allowExternal: true,
      include: [`${core}/**/*.ts`],
      exclude: [`${core}/**/*.test.ts`, `${core}/**/testing/**`, `${core}/**/index.ts`],
      thresholds: { lines: 90 },
    },
  },
});
