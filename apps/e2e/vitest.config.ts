import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

const shared = sharedTestConfig();

// The cluster suites start a real control plane; they run only through vitest.cluster.config.ts (`pnpm test:cluster`).
// The node suites run inside the real-node world (vitest.node.config.ts through `pnpm test:node`).
export default defineConfig({ ...shared, test: { ...shared.test, exclude: ["**/node_modules/**", "src/**/*.cluster.test.ts", "src/**/*.node.test.ts"] } });
