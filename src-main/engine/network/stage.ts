// The pipeline stage between the delta engine and attribution: each interval's flows get their interface
// (the sampler's, else the kernel's route for the far end, honouring the socket's fwmark), tunnel and
// proxy providers are found, the Android-style migration runs, and the interval's interface total
// becomes the physical interfaces' sum. Providers' sockets leave the interval; their overhead comes in as
// flows named `VPN overhead (provider)` (FlowDelta.app). Intervals of a machine with no tunnel, no proxy
// and no provider pass through with only their total corrected.
import type { FlowCounter, FlowDelta, InterfaceTotals, Interval, Sample } from '../types.js';
import { classifyInterface, interfaceDeltas, linuxInterfaceClassifier, networkTotal, type InterfaceBytes, type InterfaceKind } from './interfaces.js';
import { findProviders } from './find.js';
import { NetworkLedger } from './ledger.js';
import { migrate, type MigrationResult } from './migrate.js';
import { ProviderDetector, type NetworkOverrides } from './providers.js';
import { resolveEgress, RouteReader, type RoutingSnapshot } from './routes.js';
import { socketOf } from './sockets.js';

export interface TunnelStageOptions {
  /** Interface classes; default: sysfs on Linux, names elsewhere. */
  kindOf?: ((name: string) => InterfaceKind) | undefined;
  /** The routing snapshot for flows whose sampler gave no interface (Linux), or null. */
  routes?: { current(): RoutingSnapshot | null } | null | undefined;
  overrides?: NetworkOverrides | undefined;
  ledger?: NetworkLedger | undefined;
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
  #previous: Record<string, InterfaceTotals> | null = null;
  #last: MigrationResult | null = null;

  constructor(options: TunnelStageOptions = {}) {
    this.#kindOf = options.kindOf ?? (process.platform === 'linux' ? linuxInterfaceClassifier() : (name) => classifyInterface(name));
    this.#routes = options.routes ?? null;
    this.#overrides = options.overrides;
    this.ledger = options.ledger ?? new NetworkLedger();
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
    return { ...interval, flows: out, iface };
  }
}

/** The stage as `serve` runs it: on Linux flows without an interface are routed by `ip -j`'s snapshot. */
export function createTunnelStage(options: Omit<TunnelStageOptions, 'routes'> = {}): TunnelStage {
  const routes = process.platform === 'linux' ? new RouteReader() : null;
  void routes?.refresh();
  return new TunnelStage({ ...options, routes });
}
