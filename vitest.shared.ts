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

/**
 * A suite against real processes (`*.cluster.test.ts` on the real control plane, `*.node.test.ts` on the
 * real node): `timeoutMs` for each test and each hook (a hook starts the control plane or waits for the
 * node), and one file at a time — each file's control plane or pods would only compete for the same cores.
 */
export function realSystemTestConfig({ include, timeoutMs }: { include: string[]; timeoutMs: number }): ViteUserConfig {
  const shared = sharedTestConfig({ testTimeout: timeoutMs });
  return { ...shared, test: { ...shared.test, include, hookTimeout: timeoutMs, fileParallelism: false } };
}
