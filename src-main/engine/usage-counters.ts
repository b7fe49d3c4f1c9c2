// Running byte totals since the engine started, per application, per network, for the interfaces and
// for the unattributed remainder: fed by the runtime with each recorded interval, read by /metrics (http/)
// and anything else that shows counters. Counters never go down while the engine runs.
import { UNATTRIBUTED, type AppUsage, type InterfaceTotals } from './types.js';

/** Bytes of one application since start. */
export interface AppCounter {
  app: string;
  bytesIn: number;
  bytesOut: number;
}

/** Bytes on one network since start (its key, the name netmon knows it by). */
export interface NetworkCounter {
  network: string;
  label: string;
  bytesIn: number;
  bytesOut: number;
}

/** Running totals, fed by the engine as it stores each interval. */
export interface UsageCounters {
  /** Adds stored per-app rows; the unattributed remainder goes to its own counter. */
  addAppUsage(rows: readonly AppUsage[]): void;
  /** Adds one interval's interface bytes. */
  addInterface(bytes: InterfaceTotals): void;
  /** Adds stored per-network rows (all their apps, unattributed included), with what is known of each network. */
  addNetworkUsage(rows: readonly { network: string; bytesIn: number; bytesOut: number }[], networks: readonly { key: string; label: string }[]): void;
  /** Per network, sorted by key. */
  networks(): NetworkCounter[];
  /** Per application (unattributed excluded), sorted by name. */
  apps(): AppCounter[];
  iface(): InterfaceTotals | null;
  unattributed(): InterfaceTotals;
  /** Removes an application's or a network's counter (its name was forgotten: engine/privacy/counters.ts). */
  drop(kind: 'app' | 'network', name: string): void;
}

/** Counters starting at zero. */
export function createUsageCounters(): UsageCounters {
  const perApp = new Map<string, { bytesIn: number; bytesOut: number }>();
  const unattributed = { bytesIn: 0, bytesOut: 0 };
  let iface: InterfaceTotals | null = null;
  const perNetwork = new Map<string, NetworkCounter>();
  return {
    addAppUsage(rows) {
      for (const row of rows) {
        const target = row.app === UNATTRIBUTED ? unattributed : perApp.get(row.app) ?? { bytesIn: 0, bytesOut: 0 };
        target.bytesIn += row.bytesIn;
        target.bytesOut += row.bytesOut;
        if (row.app !== UNATTRIBUTED) perApp.set(row.app, target);
      }
    },
    addInterface(bytes) {
      iface = { bytesIn: (iface?.bytesIn ?? 0) + bytes.bytesIn, bytesOut: (iface?.bytesOut ?? 0) + bytes.bytesOut };
    },
    addNetworkUsage(rows, networks) {
      const labels = new Map(networks.map((n) => [n.key, n.label]));
      for (const row of rows) {
        const target = perNetwork.get(row.network) ?? { network: row.network, label: labels.get(row.network) ?? row.network, bytesIn: 0, bytesOut: 0 };
        target.label = labels.get(row.network) ?? target.label;
        target.bytesIn += row.bytesIn;
        target.bytesOut += row.bytesOut;
        perNetwork.set(row.network, target);
      }
    },
    networks: () => [...perNetwork.values()].map((n) => ({ ...n })).sort((a, b) => a.network.localeCompare(b.network)),
    apps: () => [...perApp.entries()].map(([app, b]) => ({ app, bytesIn: b.bytesIn, bytesOut: b.bytesOut })).sort((a, b) => a.app.localeCompare(b.app)),
    iface: () => (iface === null ? null : { ...iface }),
    unattributed: () => ({ ...unattributed }),
    drop(kind, name) {
      if (kind === 'app') perApp.delete(name);
      else perNetwork.delete(name);
    },
  };
}
