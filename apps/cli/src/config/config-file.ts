import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { err, ok, type Result } from "@clipjob/core";

/** Reads `--config <file>`: a JSON adapterConfig object. */
export function readConfigFile(path: string, cwd: string): Result<unknown, string> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), "utf8");
  } catch (error) {
    return err(`--config: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (error) {
    return err(`--config: ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
