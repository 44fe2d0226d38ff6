import { err, ok, type Result } from "@clipjob/core";
import type { SimulationSpeed } from "../simulation/embedded-simulation.js";

export const DEFAULT_SPEED = 20;

/** `--speed 20`, `--speed 20x`, `--speed 0.5`, or `--speed max`. */
export function parseSpeed(raw: string | undefined): Result<SimulationSpeed, string> {
  if (raw === undefined) return ok(DEFAULT_SPEED);
  const text = raw.trim().toLowerCase();
  if (text === "max") return ok("max");
  const match = /^(\d+(?:\.\d+)?)x?$/.exec(text);
  const speed = match ? Number(match[1]) : Number.NaN;
  if (!(speed > 0) || !Number.isFinite(speed)) return err(`--speed: expected a positive number (times real time) or "max", got ${JSON.stringify(raw)}`);
  return ok(speed);
}
