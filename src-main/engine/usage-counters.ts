// Running byte totals since the engine started, per application, for the interfaces and for the
// unattributed remainder: fed by the runtime with each recorded interval, read by /metrics (http/)
// and anything else that shows counters. Counters never go down while the engine runs.
import { UNATTRIBUTED, type AppUsage, type InterfaceTotals } from './types.js';

/** Bytes of one application since start. */
export interface AppCounter {
  app: string;
  bytesIn: number;
  bytesOut: number;
}

/** Running totals, fed by the engine as it stores each interval. */
export interface UsageCounters {
  /** Adds stored per-app rows; the unattributed remainder goes to its own counter. */
  addAppUsage(rows: readonly AppUsage[]): void;
  /** Adds one interval's interface bytes. */
  addInterface(bytes: InterfaceTotals): void;
  /** Per application (unattributed excluded), sorted by name. */
  apps(): AppCounter[];
  iface(): InterfaceTotals | null;
  unattributed(): InterfaceTotals;
}

/** Counters starting at zero. */
export function createUsageCounters(): UsageCounters {
  const perApp = new Map<string, { bytesIn: number; bytesOut: number }>();
  const unattributed = { bytesIn: 0, bytesOut: 0 };
  let iface: InterfaceTotals | null = null;
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
    apps: () => [...perApp.entries()].map(([app, b]) => ({ app, bytesIn: b.bytesIn, bytesOut: b.bytesOut })).sort((a, b) => a.app.localeCompare(b.app)),
    iface: () => (iface === null ? null : { ...iface }),
    unattributed: () => ({ ...unattributed }),
  };
}
