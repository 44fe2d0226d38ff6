export * from "./access-port.js";
export * from "./clock.js";
export * from "./cluster-error.js";
export * from "./cluster-objects.js";
export * from "./cluster-port.js";
export * from "./host-port.js";
export * from "./log-port.js";
export * from "./tokens.js";
