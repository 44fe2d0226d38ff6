import type { Program } from "@clipjob/fake-cluster";
import { briefRun, fiveSecondRun, shortRun } from "./short-run.js";

/** The bench's container programs by name, so a worker thread can build the same ones. */
export const PROGRAMS: Readonly<Record<string, Program>> = { shortRun, fiveSecondRun, briefRun };
