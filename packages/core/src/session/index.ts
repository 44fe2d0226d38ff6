export * from "./session-params.js";
export { sessionCodec, type SessionCodec } from "./session-codec.js";
