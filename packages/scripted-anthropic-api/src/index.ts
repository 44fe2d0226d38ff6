export { startScriptedAnthropicApi } from "./server.js";
export type { RecordedRequest, ScriptedAnthropicApi, ScriptedAnthropicApiOptions } from "./server.js";
export type { GateState } from "./gates.js";
export { builtinScenarios } from "./builtin-scenarios.js";
export { parseScenario, ScenarioError, turnFor } from "./scenario.js";
export type { DropTurn, ErrorTurn, ReplyTurn, Scenario, ScriptedBlock, SubscriptionLimit, Turn, TurnContext, TurnUsage } from "./scenario.js";
export { apiError, bashReply, reply, subscriptionLimitError, textReply } from "./turns.js";
