import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root directory (this package is packages/repo-checks). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
