// One test setup for every package: resolve workspace packages to their TypeScript sources (the
// "@clipjob/source" export condition), so tests never depend on a stale build.
import type { ViteUserConfig } from "vitest/config";

const conditions = ["@clipjob/source", "node", "import", "module", "default"];

export function sharedTestConfig(overrides: { coverageInclude?: string[]; testTimeout?: number } = {}): ViteUserConfig {
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@clipjob/source"] } },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 30_000,
      coverage: {
        provider: "v8",
        include: overrides.coverageInclude ?? ["src/**/*.ts"],
        exclude: ["src/**/*.test.ts", "src/**/testing/**"],
        reporter: ["text-summary", "text"],
      },
    },
  };
}
