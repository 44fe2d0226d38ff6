import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

// Coverage here is measured over core's run/ use case, which core's own tests cannot reach (core may not
// depend on the fake cluster).
export default defineConfig(sharedTestConfig({ coverageInclude: ["../core/src/run/**/*.ts"], testTimeout: 120_000 }));
