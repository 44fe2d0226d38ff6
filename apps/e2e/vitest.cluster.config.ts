import { defineConfig } from "vitest/config";
import { realSystemTestConfig } from "../../vitest.shared.js";

// Every cluster suite file starts its own control plane (5 processes).
export default defineConfig(realSystemTestConfig({ include: ["src/**/*.cluster.test.ts"], timeoutMs: 180_000 }));
