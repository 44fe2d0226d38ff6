import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

const shared = sharedTestConfig();

// The cluster suites start a real control plane; they run only through vitest.cluster.config.ts.
export default defineConfig({ ...shared, test: { ...shared.test, exclude: ["**/node_modules/**", "**/*.cluster.test.ts"] } });
