#!/usr/bin/env node
// Standalone scripted Anthropic API: `node dist/bin.js --host 0.0.0.0 --port 8080 [--scenarios file.json]`.
// Prints its URL as the first line of stdout; SIGTERM or SIGINT stop it with exit code 0.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startScriptedAnthropicApi } from "./server.js";
import type { Scenario } from "./scenario.js";

function fail(message: string): never {
  process.stderr.write(`scripted-anthropic-api: ${message}\n`);
  process.exit(2);
}

let values: { host?: string; port?: string; scenarios?: string; "default-scenario"?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      host: { type: "string" },
      port: { type: "string" },
      scenarios: { type: "string" },
      "default-scenario": { type: "string" },
      help: { type: "boolean" },
    },
  }));
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
if (values.help) {
  process.stdout.write("usage: scripted-anthropic-api [--host 127.0.0.1] [--port 0] [--scenarios file.json] [--default-scenario text]\n");
  process.exit(0);
}
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be an integer 0–65535, got ${values.port}`);
let scenarios: Record<string, Scenario> = {};
if (values.scenarios) {
  try {
    scenarios = JSON.parse(readFileSync(values.scenarios, "utf8")) as Record<string, Scenario>;
  } catch (e) {
    fail(`--scenarios ${values.scenarios}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
let api;
try {
  api = await startScriptedAnthropicApi({ host: values.host ?? "127.0.0.1", port, scenarios, defaultScenario: values["default-scenario"] ?? "text" });
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
process.stdout.write(`${api.url}\n`);
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  api.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
