import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

const shared = sharedTestConfig();

// The cluster suite needs a real control plane; it runs from vitest.cluster.config.ts (`pnpm test:cluster`).
export default defineConfig({ ...shared, test: { ...shared.test, exclude: ["**/node_modules/**", "src/**/*.cluster.test.ts", "src/**/*.node.test.ts"] } });
