import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

const shared = sharedTestConfig({ testTimeout: 240_000 });

// The real-node suite: runs inside the world apps/e2e/node/run.mjs starts (`pnpm test:node`).
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["src/**/*.node.test.ts"],
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
