import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

export default defineConfig(sharedTestConfig({ testTimeout: 120_000 }));
