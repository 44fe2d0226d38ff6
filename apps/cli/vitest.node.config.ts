import { defineConfig } from "vitest/config";
import { realSystemTestConfig } from "../../vitest.shared.js";

// The real-node suite: runs inside the world apps/e2e/node/run.mjs starts (`pnpm test:node`).
export default defineConfig(realSystemTestConfig({ include: ["src/**/*.node.test.ts"], timeoutMs: 240_000 }));
