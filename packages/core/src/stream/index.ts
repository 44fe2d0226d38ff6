export * from "./transcript-summary.js";
export { createLineDecoder, DEFAULT_MAX_LINE_BYTES, type LineDecoder, type LineSink } from "./line-decoder.js";
export { utf8ByteLength } from "./utf8-byte-length.js";
export { createGarbledLineDetector, type GarbledFinding, type GarbledLineDetector, type GarbledReason, type LinePosition } from "./garbled-lines.js";
export {
  createTranscriptReducer,
  DEFAULT_MAX_RESULT_JSON_CHARS,
  DEFAULT_MAX_SUMMARY_CHARS,
  MAX_FIRST_TEXT_LINE_CHARS,
  REPLAY_WINDOW,
  type LineKind,
  type TranscriptReducer,
} from "./transcript-reducer.js";
export {
  apiRetryNotice,
  asJsonObject,
  compactionStatus,
  contentBlocks,
  describeApiRetry,
  eventMessage,
  parseStreamJsonEvent,
  rateLimitInfo,
  resultRunCostUsd,
  syntheticApiError,
  type CompactionStatus,
  type ContentBlock,
  type JsonObject,
  type KnownStreamJsonType,
  type StreamJsonEvent,
  type SyntheticApiError,
} from "./stream-json-event.js";
