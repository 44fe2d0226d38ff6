import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

const shared = sharedTestConfig({ testTimeout: 240_000 });

// The real-node suites (`pnpm test:node`): one world (control plane + kubelet + containerd) started by
// apps/e2e/node/run.mjs for all files; files in sequence, since their pods share one 2-core node.
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["src/**/*.node.test.ts"],
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
