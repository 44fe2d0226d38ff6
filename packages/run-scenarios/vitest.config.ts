import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

// Coverage here is measured over core's run/ use case, which core's own tests cannot reach (core may not
// depend on the fake cluster). The shared test timeout applies: the two slow tests (chaos matrix, 1 GB
// transcript) carry their own, so a hang anywhere else fails in 30 s.
export default defineConfig(sharedTestConfig({ coverageInclude: ["../core/src/run/**/*.ts"] }));
