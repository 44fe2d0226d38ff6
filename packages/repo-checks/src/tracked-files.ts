import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./repo-root.js";

const BINARY = /\.(png|jpe?g|gif|ico|woff2?|gz|tgz|zip|wasm|sum)$/;

/** Every text file git tracks in the repository, as repo-relative paths with their contents. */
export function trackedTextFiles(): { path: string; text: string }[] {
  const paths = execFileSync("git", ["ls-files", "-z"], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    .split("\0")
    .filter((p) => p !== "" && !BINARY.test(p) && p !== "pnpm-lock.yaml");
  const files: { path: string; text: string }[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(join(REPO_ROOT, path), "utf8");
    } catch {
      continue; // deleted in the work tree but not yet staged
    }
    if (!text.includes("\0")) files.push({ path, text });
  }
  return files;
}
