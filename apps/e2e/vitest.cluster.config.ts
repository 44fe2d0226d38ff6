import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

const shared = sharedTestConfig({ testTimeout: 180_000 });

// One worker, files in sequence: every cluster suite file starts its own control plane (5 processes),
// and two at once would only compete for the same cores.
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["src/**/*.cluster.test.ts"],
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
