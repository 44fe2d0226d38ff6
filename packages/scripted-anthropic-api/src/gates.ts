// Gates hold a streamed reply part-way until the test opens them: explicit synchronisation between a client
// reading a stream and what the test does meanwhile (delete the host's pod, restart it), with no timing.

/** What `GET /_gates/<name>` answers. */
export interface GateState {
  readonly gate: string;
  /** Once opened, a gate stays open: later streams pass it without stopping. */
  readonly open: boolean;
  /** Streams stopped at the gate right now. */
  readonly held: number;
}

interface Gate {
  open: boolean;
  /** The streams held, each by the function that lets it go on. */
  readonly waiters: Set<() => void>;
}

/** Named gates, created closed on first mention. */
export class Gates {
  private readonly gates = new Map<string, Gate>();

  state(name: string): GateState {
    const g = this.entry(name);
    return { gate: name, open: g.open, held: g.waiters.size };
  }

  open(name: string): GateState {
    const g = this.entry(name);
    g.open = true;
    const released = [...g.waiters];
    g.waiters.clear();
    for (const release of released) release();
    return this.state(name);
  }

  /**
   * Resolves once `name` is open, or at once when it already is. `closed` ends the wait early (the client went
   * away). `whileHeld` runs every `everyMs` while the stream waits (a keep-alive).
   */
  async pass(name: string, closed: Promise<void>, whileHeld: () => void, everyMs: number): Promise<void> {
    const g = this.entry(name);
    if (g.open) return;
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    g.waiters.add(release);
    const timer = setInterval(whileHeld, everyMs);
    try {
      await Promise.race([closed, released]);
    } finally {
      clearInterval(timer);
      g.waiters.delete(release);
    }
  }

  private entry(name: string): Gate {
    let g = this.gates.get(name);
    if (!g) this.gates.set(name, (g = { open: false, waiters: new Set() }));
    return g;
  }
}
