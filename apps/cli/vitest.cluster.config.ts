import { defineConfig } from "vitest/config";
import { realSystemTestConfig } from "../../vitest.shared.js";

// One control plane for the whole file (5 processes): its start is the hook's, the CLI runs are the tests'.
export default defineConfig(realSystemTestConfig({ include: ["src/**/*.cluster.test.ts"], timeoutMs: 180_000 }));
