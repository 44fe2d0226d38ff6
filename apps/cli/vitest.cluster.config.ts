import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

const shared = sharedTestConfig({ testTimeout: 180_000 });

// One control plane for the whole file (5 processes): its start is the hook's, the CLI runs are the tests'.
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["src/**/*.cluster.test.ts"],
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
