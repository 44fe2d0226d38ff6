import { utf8ByteLength } from "../stream/utf8-byte-length.js";

/**
 * The prompt cap. The payload Secret must stay under the API server's 1 MiB object limit with room for
 * the run token, keys and metadata; 900 KiB leaves that room whatever the token's size.
 */
export const MAX_PROMPT_BYTES = 900 * 1024;
/** Kubernetes' limit on the total data of one Secret. */
export const MAX_SECRET_DATA_BYTES = 1024 * 1024;

/** Null when the payload fits, else a message with the size and the limit. */
export function payloadSizeProblem(prompt: string, runToken: string | null, env: Readonly<Record<string, string>> = {}): string | null {
  const promptBytes = utf8ByteLength(prompt);
  if (promptBytes > MAX_PROMPT_BYTES) {
    return `The prompt is ${promptBytes} bytes (UTF-8), over the ${MAX_PROMPT_BYTES}-byte (900 KiB) limit of the per-run payload Secret; shorten the task text, handoff or templates`;
  }
  let total = promptBytes + "prompt".length + (runToken === null ? 0 : utf8ByteLength(runToken) + "run-token".length);
  for (const [name, value] of Object.entries(env)) total += utf8ByteLength(value) + `env.${name}`.length;
  if (total > MAX_SECRET_DATA_BYTES) {
    return `The run payload (prompt, run token and credentials) is ${total} bytes, over the ${MAX_SECRET_DATA_BYTES}-byte (1 MiB) limit of a Kubernetes Secret`;
  }
  return null;
}
