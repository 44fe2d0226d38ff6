// Ids that become directory names under the shared volume (N1: the predecessor let a crafted companyId
// escape the prompt cache).
import { err, ok, type Result } from "@clipjob/core";

export interface PathSegmentError {
  readonly code: "prompt_bundle_path_invalid";
  readonly message: string;
}

/** One path segment: not blank, no separator, no `..`, no NUL. */
export function checkPathSegment(field: string, value: string): Result<string, PathSegmentError> {
  const problem =
    value.trim() === ""
      ? "is empty"
      : /[/\\]/.test(value)
        ? "contains a path separator"
        : value.includes("..")
          ? "contains '..'"
          : value.includes("\u0000")
            ? "contains a NUL character"
            : null;
  return problem === null ? ok(value) : err({ code: "prompt_bundle_path_invalid", message: `Invalid ${field} ${JSON.stringify(value)}: ${problem}` });
}
