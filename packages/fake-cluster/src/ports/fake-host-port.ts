import { NO_HOST_FACTS, type HostFacts, type HostPort } from "@clipjob/core";
import type { ApiGateway } from "../api/api-gateway.js";
import type { PortSession } from "./port-session.js";
import type { ReadRetrier } from "./read-retrier.js";

/**
 * The host pod's facts, as the adapter's self-pod introspection would read them: one `get pod` per process
 * (per port instance), cached afterwards as the real adapter caches them (the host pod does not change while
 * the process lives); the read is retried like the real adapter's (ReadRetrier), and a failed one is not cached.
 */
export class FakeHostPort implements HostPort {
  private cached: HostFacts | null = null;

  constructor(
    private readonly facts: HostFacts,
    private readonly api: ApiGateway,
    private readonly session: PortSession,
    private readonly reads: ReadRetrier,
  ) {}

  async describeHost(): Promise<HostFacts> {
    this.session.check("get pod");
    if (this.cached === null) this.cached = await this.reads.read(() => this.api.call("get pod", this.facts.namespace ?? "", () => ({ ...NO_HOST_FACTS, ...this.facts })));
    return structuredClone(this.cached);
  }
}
