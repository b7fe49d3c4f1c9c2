// Naming flows by their packets, as the monitor runs it: payload events → sniffer → name hints →
// flow namer → FlowDelta.hostname. The sniffer and the Public Suffix List (tldts) are only needed
// when a sampler sends packets (the privileged one), so they are loaded then, not at start.
import { createLogger } from '../../log.js';
import type { SnifferStats, Sniffer } from '../../sniff/types.js';
import type { Interval, PayloadEvent, ProcessInfo } from '../../types.js';
import { FlowNamer, type FlowNamerOptions, type FlowNamerStats } from './flow-names.js';

const log = createLogger('naming');

/** What naming by packets loads on first use. */
export interface PacketNamingDeps {
  sniffer: Sniffer;
  /** The registrable domain of a host name by the Public Suffix List, or null when it has none. */
  registrableDomain: (hostname: string) => string | null;
}

/** Loads the real sniffer and the Public Suffix reducer (hostname.ts; separate chunks of the bundle). */
export async function loadPacketNamingDeps(): Promise<PacketNamingDeps> {
  const [sniff, hostname] = await Promise.all([import('../../sniff/index.js'), import('../hostname.js')]);
  return { sniffer: sniff.createSniffer(), registrableDomain: hostname.registrableDomain };
}

/** Counters for status and tests. */
export interface PacketNamingStats {
  sniffer: SnifferStats;
  namer: FlowNamerStats;
  /** Payload events whose parsing threw (skipped). */
  failedPayloads: number;
}

/** Options of `PacketNaming`. */
export interface PacketNamingOptions extends FlowNamerOptions {
  /** Who a process is for DNS answers (its app): an app's own answer for an address names its flows. */
  askerOf?: (owner: ProcessInfo) => string;
}

function ownerKey(o: ProcessInfo): string {
  return [o.name, o.path, o.cmdline, o.parentName, o.parentPath, o.cgroup].join('\0');
}

/** The sniffer and the namer together, with the rollup rule of the stored names. */
export class PacketNaming {
  private readonly deps: PacketNamingDeps;
  private readonly namer: FlowNamer;
  private readonly askerOf: ((owner: ProcessInfo) => string) | null;
  private failedPayloads = 0;

  constructor(deps: PacketNamingDeps, options: PacketNamingOptions = {}) {
    this.deps = deps;
    this.namer = new FlowNamer(options);
    this.askerOf = options.askerOf ?? null;
  }

  /** An asker per owner, each owner named once per call (many sockets share one process). */
  private askers(): (owner: ProcessInfo | null | undefined) => string | null {
    const askerOf = this.askerOf;
    if (askerOf === null) return () => null;
    const seen = new Map<string, string>();
    return (owner) => {
      if (owner === null || owner === undefined) return null;
      const key = ownerKey(owner);
      let asker = seen.get(key);
      if (asker === undefined) {
        asker = askerOf(owner);
        seen.set(key, asker);
      }
      return asker;
    };
  }

  /** Learns the names that a sample's packets tell; `ownerOf` gives the process of a packet's flow, where known. */
  observe(payloads: readonly PayloadEvent[], ownerOf: (flowId: string) => ProcessInfo | null | undefined = () => null): void {
    const asker = this.askers();
    for (const event of payloads) {
      try {
        const hints = this.deps.sniffer.onPayload(event);
        if (hints.length === 0) continue;
        const by = hints.some((h) => h.kind === 'dns') ? asker(ownerOf(event.flowId)) : null;
        for (const hint of hints) this.namer.note(hint, by);
      } catch (err) {
        // A parser bug on one hostile packet must not stop the pipeline: skip it, count it.
        this.failedPayloads += 1;
        if (this.failedPayloads <= 10) log.warn('payload parser failed; packet skipped', { error: err, flow: event.flowId });
      }
    }
  }

  /** The interval with each flow's `hostname` set where the packets named it (at `atMs`, the sample's time). */
  nameInterval(interval: Interval, atMs: number): Interval {
    const asker = this.askers();
    const flows = interval.flows.map((f) => {
      const hostname = this.namer.name(f, atMs, asker(f.owner));
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
