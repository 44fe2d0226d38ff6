import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

// The shared timeout; the dependency-cruiser cases, which start a child process each, carry their own.
export default defineConfig(sharedTestConfig());
