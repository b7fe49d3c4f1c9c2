// Naming flows by their packets, as the monitor runs it: payload events → sniffer → name hints →
// flow namer → FlowDelta.hostname. The sniffer and the Public Suffix List (tldts) are only needed
// when a sampler sends packets (the privileged one), so they are loaded then, not at start.
import { createLogger } from '../log.js';
import type { SnifferStats, Sniffer } from '../sniff/types.js';
import type { Interval, PayloadEvent } from '../types.js';
import { FlowNamer, type FlowNamerOptions, type FlowNamerStats } from './flow-names.js';

const log = createLogger('naming');

/** What naming by packets loads on first use. */
export interface PacketNamingDeps {
  sniffer: Sniffer;
  /** The registrable domain of a host name by the Public Suffix List, or null when it has none. */
  registrableDomain: (hostname: string) => string | null;
}

/** Loads the real sniffer and tldts (separate chunks of the bundle). */
export async function loadPacketNamingDeps(): Promise<PacketNamingDeps> {
  const [sniff, tldts] = await Promise.all([import('../sniff/index.js'), import('tldts')]);
  return { sniffer: sniff.createSniffer(), registrableDomain: (hostname) => tldts.getDomain(hostname) };
}

/** Counters for status and tests. */
export interface PacketNamingStats {
  sniffer: SnifferStats;
  namer: FlowNamerStats;
  /** Payload events whose parsing threw (skipped). */
  failedPayloads: number;
}

/** The sniffer and the namer together, with the rollup rule of the stored names. */
export class PacketNaming {
  private readonly deps: PacketNamingDeps;
  private readonly namer: FlowNamer;
  private failedPayloads = 0;

  constructor(deps: PacketNamingDeps, options: FlowNamerOptions = {}) {
    this.deps = deps;
    this.namer = new FlowNamer(options);
  }

  /** Learns the names that a sample's packets tell. */
  observe(payloads: readonly PayloadEvent[]): void {
    for (const event of payloads) {
      try {
        for (const hint of this.deps.sniffer.onPayload(event)) this.namer.note(hint);
      } catch (err) {
        // A parser bug on one hostile packet must not stop the pipeline: skip it, count it.
        this.failedPayloads += 1;
        if (this.failedPayloads <= 10) log.warn('payload parser failed; packet skipped', { error: err, flow: event.flowId });
      }
    }
  }

  /** The interval with each flow's `hostname` set where the packets named it (at `atMs`, the sample's time). */
  nameInterval(interval: Interval, atMs: number): Interval {
    const flows = interval.flows.map((f) => {
      const hostname = this.namer.name(f, atMs);
      return hostname === null ? f : { ...f, hostname };
    });
    return { ...interval, flows };
  }

  /** The name stored for a host: its registrable domain with rollup on, else the host name itself. */
  storedName(hostname: string, rollup: boolean): string {
    return rollup ? (this.deps.registrableDomain(hostname) ?? hostname) : hostname;
  }

  /** Drops the state of flows that closed. */
  forget(flowIds: Iterable<string>): void {
    for (const id of flowIds) {
      this.deps.sniffer.forget(id);
      this.namer.forget(id);
    }
  }

  stats(): PacketNamingStats {
    return { sniffer: this.deps.sniffer.stats(), namer: this.namer.stats(), failedPayloads: this.failedPayloads };
  }
}
