import { NO_HOST_FACTS, type HostFacts, type HostPort } from "@clipjob/core";
import type { ApiGateway } from "../api/api-gateway.js";
import type { PortSession } from "./port-session.js";

/** The host pod's facts, as the adapter's self-pod introspection would read them (one `get pod`). */
export class FakeHostPort implements HostPort {
  constructor(
    private readonly facts: HostFacts,
    private readonly api: ApiGateway,
    private readonly session: PortSession,
  ) {}

  async describeHost(): Promise<HostFacts> {
    this.session.check("get pod");
    return this.api.call("get pod", this.facts.namespace ?? "", () => structuredClone({ ...NO_HOST_FACTS, ...this.facts }));
  }
}
