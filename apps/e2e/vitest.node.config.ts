import { defineConfig } from "vitest/config";
import { realSystemTestConfig } from "../../vitest.shared.js";

// The real-node suites (`pnpm test:node`): one world (control plane + kubelet + containerd) started by
// apps/e2e/node/run.mjs for all files; their pods share one 2-core node.
export default defineConfig(realSystemTestConfig({ include: ["src/**/*.node.test.ts"], timeoutMs: 240_000 }));
