// The pipeline stage between the delta engine and attribution: each interval's flows get their interface
// (the sampler's, else the kernel's route for the far end, honouring the socket's fwmark), tunnel and
// proxy providers are found, the Android-style migration runs, and the interval's interface total
// becomes the physical interfaces' sum. Providers' sockets leave the interval; their overhead comes in as
// flows named `VPN overhead (provider)` (FlowDelta.app). Intervals of a machine with no tunnel, no proxy
// and no provider pass through with only their total corrected.
import type { Platform } from '../attribution/index.js';
import type { FlowCounter, FlowDelta, InterfaceTotals, Interval, Sample } from '../types.js';
import { classifyInterface, interfaceDeltas, linuxInterfaceClassifier, networkTotal, type InterfaceBytes, type InterfaceKind } from './interfaces.js';
import { findProviders } from './find.js';
import { NetworkLedger } from './ledger.js';
import { migrate, type MigrationResult } from './migrate.js';
import { ProviderDetector, type NetworkOverrides } from './providers.js';
import { resolveEgress, RouteReader, type RoutingSnapshot } from './routes.js';
import type { LedgerDelta, NetworkInfo, NetworkUsage } from './network-rows.js';
import { socketOf } from './sockets.js';
import { networkUsage, partMoved, splitByInterface, type InterfacePart } from './split.js';
import { createUplinkMap } from './uplink-map.js';
import { UNKNOWN_NETWORK, type Uplink } from './uplinks.js';

/** How long an interval's per-network rows wait for its interfaces' networks to settle. */
export const HOLD_MS = 15_000;

interface Held {
  interval: Interval;
  afterGap: boolean;
  parts: InterfacePart[];
  ledger: LedgerDelta;
}

/** What the stage needs of the uplink map (uplink-map.ts). */
export interface UplinkSource {
  networkOf(iface: string): Uplink | null;
  /** Whether the interface's network is final (default: yes). */
  settled?(iface: string): boolean;
}

/** What one interval adds to the per-network tiers and the stored ledger. */
export interface NetworkRecord {
  rows: NetworkUsage[];
  networks: NetworkInfo[];
  ledger: LedgerDelta;
}

export interface TunnelStageOptions {
  /** Interface classes; default: sysfs on Linux, names elsewhere. */
  kindOf?: ((name: string) => InterfaceKind) | undefined;
  /** The routing snapshot for flows whose sampler gave no interface (Linux), or null. */
  routes?: { current(): RoutingSnapshot | null } | null | undefined;
  overrides?: NetworkOverrides | undefined;
  ledger?: NetworkLedger | undefined;
  /** The network of each physical interface (uplinks.ts), or none: every byte on the "unknown network". */
  uplinks?: UplinkSource | null | undefined;
}

export interface TunnelStageStats {
  intervals: number;
  /** Provider labels seen, with why (`known`, `behaviour`, `override`, `kernel`). */
  providers: Map<string, string>;
  tunnels: Set<string>;
  /** Flows whose interface stayed unknown. */
  unknownInterface: number;
}

export class TunnelStage {
  readonly ledger: NetworkLedger;
  readonly stats: TunnelStageStats = { intervals: 0, providers: new Map(), tunnels: new Set(), unknownInterface: 0 };
  readonly #kindOf: (name: string) => InterfaceKind;
  readonly #routes: { current(): RoutingSnapshot | null } | null;
  readonly #overrides: NetworkOverrides | undefined;
  readonly #detector = new ProviderDetector();
  readonly #uplinks: UplinkSource | null;
  #held: Held[] = [];
  /** Per interval handed on: its parts by interface and its ledger sums, until `networkRecord` takes them. */
  readonly #parts = new WeakMap<Interval, { parts: InterfacePart[]; ledger: LedgerDelta }>();
  /** Per interface, the surplus carried between intervals (see `attribute`). */
  readonly #carry = new Map<string, InterfaceTotals>();
  #previous: Record<string, InterfaceTotals> | null = null;
  #last: MigrationResult | null = null;

  constructor(options: TunnelStageOptions = {}) {
    this.#kindOf = options.kindOf ?? (process.platform === 'linux' ? linuxInterfaceClassifier() : (name) => classifyInterface(name));
    this.#routes = options.routes ?? null;
    this.#overrides = options.overrides;
    this.ledger = options.ledger ?? new NetworkLedger();
    this.#uplinks = options.uplinks ?? null;
  }

  /** The last interval's migration (for doctor and tests), or null. */
  get last(): MigrationResult | null {
    return this.#last;
  }

  /**
   * Takes every sample (so the per-interface baseline stays current through baselines, gaps and pauses)
   * and the interval the delta engine made of it (null: none to record). Returns the interval to attribute.
   */
  apply(sample: Sample, interval: Interval | null): Interval | null {
    const before = this.#previous;
    this.#previous = sample.interfaces ?? null;
    if (interval === null) return null;
    const interfaces: InterfaceBytes[] | null =
      before === null || sample.interfaces === undefined ? null : interfaceDeltas(before, sample.interfaces, this.#kindOf);
    for (const i of interfaces ?? []) if (i.kind === 'tunnel') this.stats.tunnels.add(i.name);

    const seen = new Map<string, FlowCounter>();
    for (const f of sample.closed) seen.set(f.id, f);
    for (const f of sample.flows) seen.set(f.id, f);
    const snapshot = this.#routes?.current() ?? null;
    const flows = interval.flows.map((flow): FlowDelta => {
      const counter = seen.get(flow.id);
      let iface = flow.iface ?? counter?.iface;
      if (iface === undefined && snapshot !== null && flow.remote !== undefined) iface = resolveEgress(snapshot, flow.remote.address, counter?.mark ?? 0, counter?.local?.address) ?? undefined;
      if (iface === undefined) this.stats.unknownInterface += 1;
      const local = flow.local ?? counter?.local;
      return iface === flow.iface && local === flow.local ? flow : { ...flow, iface, local };
    });

    const sockets = flows.map(socketOf);
    const found = findProviders({ sockets, kindOf: this.#kindOf, interfaces, overrides: this.#overrides, detector: this.#detector });
    for (const p of found.providers) this.stats.providers.set(p.label, p.reason);
    const result = migrate({ sockets, kindOf: this.#kindOf, interfaces, providers: found.providers, excluded: found.excluded });
    this.#last = result;
    this.stats.intervals += 1;
    this.ledger.add(interval.endMs, result);

    const byId = new Map(flows.map((f) => [f.id, f]));
    const out: FlowDelta[] = [];
    for (const s of result.sockets) {
      const f = byId.get(s.id);
      if (f === undefined) continue;
      out.push(f.bytesIn === s.bytesIn && f.bytesOut === s.bytesOut ? f : { ...f, bytesIn: s.bytesIn, bytesOut: s.bytesOut });
    }
    for (const o of result.overhead) {
      if (o.bytesIn === 0 && o.bytesOut === 0) continue;
      out.push({ id: `overhead:${o.process}`, owner: null, app: o.app, bytesIn: o.bytesIn, bytesOut: o.bytesOut });
    }
    const iface = interfaces === null ? interval.iface : networkTotal(interfaces);
    const handed: Interval = { ...interval, flows: out, iface };
    const providers = new Map(found.providers.map((p) => [p.process, p.serves]));
    const parts = splitByInterface({ flows: out, before: flows, providers, interfaces, total: iface, kindOf: this.#kindOf });
    this.#parts.set(handed, { parts, ledger: ledgerDelta(interval.endMs, result) });
    return handed;
  }

  /**
   * The per-network rows of the intervals this stage handed on, in order: each interface's part
   * attributed on its own and stored under that interface's network, with the interval's ledger sums.
   * An interval whose interface's network is not settled yet (a gateway whose MAC the neighbour table
   * does not show yet: the first second of a new uplink) waits, up to `HOLD_MS`, so that its bytes are
   * not stored under a provisional network; `drainNetworkRecords` gives whatever still waits (at stop).
   */
  networkRecords(interval: Interval, platform: Platform, afterGap = false): NetworkRecord[] {
    const kept = this.#parts.get(interval);
    if (kept === undefined) return [];
    this.#parts.delete(interval);
    this.#held.push({ interval, afterGap, ...kept });
    const out: NetworkRecord[] = [];
    while (this.#held.length > 0) {
      const next = this.#held[0]!;
      const settled = next.parts.every((p) => p.iface === '' || !partMoved(p) || (this.#uplinks?.settled?.(p.iface) ?? true));
      if (!settled && interval.endMs - next.interval.endMs < HOLD_MS) break;
      this.#held.shift();
      out.push(this.#record(next, platform));
    }
    return out;
  }

  /** Every record still held, with the networks known now. */
  drainNetworkRecords(platform: Platform): NetworkRecord[] {
    const held = this.#held.splice(0);
    return held.map((h) => this.#record(h, platform));
  }

  /** Drops held records of intervals ending in [since, until) (epoch s): a purge is not undone. */
  purge(since: number, until: number): void {
    this.#held = this.#held.filter((h) => h.interval.endMs < since * 1000 || h.interval.endMs >= until * 1000);
  }

  #record(held: Held, platform: Platform): NetworkRecord {
    // A gap breaks the chain, as for the interval's own surplus (monitor.ts).
    if (held.afterGap) this.#carry.clear();
    const { interval } = held;
    const lastSeen = Math.round(interval.endMs / 1000);
    const networks = new Map<string, NetworkInfo>();
    const networkOf = (name: string): string => {
      const uplink = name === '' ? null : (this.#uplinks?.networkOf(name) ?? null);
      if (uplink === null) return UNKNOWN_NETWORK;
      networks.set(uplink.id, { key: uplink.id, label: uplink.label, kind: uplink.kind, metered: uplink.metered.metered, reason: uplink.metered.reason, lastSeen });
      return uplink.id;
    };
    const rows = networkUsage(interval, held.parts, platform, networkOf, this.#carry);
    return { rows, networks: [...networks.values()], ledger: held.ledger };
  }
}

/** One interval's sums for its hour's ledger (the same sums as NetworkLedger.add). */
function ledgerDelta(endMs: number, result: MigrationResult): LedgerDelta {
  const sum = (list: readonly InterfaceTotals[]): InterfaceTotals => list.reduce((a, b) => ({ bytesIn: a.bytesIn + b.bytesIn, bytesOut: a.bytesOut + b.bytesOut }), { bytesIn: 0, bytesOut: 0 });
  return {
    hourStart: Math.floor((endMs - 1) / 3_600_000) * 3600,
    physical: result.network ?? { bytesIn: 0, bytesOut: 0 },
    attributed: sum(result.sockets),
    overhead: sum(result.overhead),
    excluded: result.excluded,
    unknownIntervals: result.network === null ? 1 : 0,
  };
}

/**
 * The stage as `serve` runs it: on Linux flows without an interface are routed by `ip -j`'s snapshot;
 * each physical interface's network is read in the background (uplink-map.ts).
 */
export function createTunnelStage(options: Omit<TunnelStageOptions, 'routes'> = {}): TunnelStage {
  const routes = process.platform === 'linux' ? new RouteReader() : null;
  void routes?.refresh();
  const kindOf = options.kindOf ?? (process.platform === 'linux' ? linuxInterfaceClassifier() : (name: string) => classifyInterface(name));
  let uplinks = options.uplinks;
  if (uplinks === undefined) {
    const map = createUplinkMap((name) => kindOf(name) === 'physical');
    void map.refresh();
    uplinks = map;
  }
  return new TunnelStage({ ...options, kindOf, routes, uplinks });
}
