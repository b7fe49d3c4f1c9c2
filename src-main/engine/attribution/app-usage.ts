// Interval → rows to store: bytes per application, the processes seen behind each, and the honest
// remainder. The interface counters are the truth about what crossed the wire; what the per-process
// counters could not account for is stored as UNATTRIBUTED rather than dropped, so totals always add
// up to what the machine really moved.
import type { AppUsage, InterfaceTotals, Interval, ProcessSeen } from '../types.js';
import { UNATTRIBUTED } from '../types.js';
import { appForProcess } from './app-for-process.js';
import type { Platform } from './app-for-process.js';

/** The rows one interval becomes. */
export interface Attribution {
  /** One row per application with non-zero bytes, sorted by app name; UNATTRIBUTED included when non-zero. */
  usage: AppUsage[];
  /** One row per (app, name, pid, path) that moved bytes in the interval. */
  processes: ProcessSeen[];
  /**
   * Bytes the flows claimed beyond the interface total (loopback counted, counters read at slightly
   * different instants). Kept in `usage` as measured, reported here so the caller can log it; zero
   * when the interface total is unknown.
   */
  overAttributed: InterfaceTotals;
  /** The surplus still to settle after this interval (what was passed in, less what settled, plus `overAttributed`). */
  carry: InterfaceTotals;
}

const NONE: InterfaceTotals = Object.freeze({ bytesIn: 0, bytesOut: 0 });

/**
 * Sums an interval's flows per application and adds the unattributed remainder of the interface total.
 *
 * `carry` is the surplus of earlier intervals not yet settled (the previous call's `carry`). The socket
 * counters and the interface counters are read a moment apart, so bytes can show in the flows an
 * interval before the interface counts them; such bytes are already stored, and are taken off a later
 * remainder instead of being stored twice. Without this, the clamp at zero would make the stored total
 * drift above the interface total.
 */
export function attribute(interval: Interval, platform: Platform, carry: InterfaceTotals = NONE): Attribution {
  const ts = Math.round(interval.endMs / 1000);
  // Rounded end minus rounded start, so contiguous intervals tile whole seconds without drift.
  const durationS = Math.max(0, ts - Math.round(interval.startMs / 1000));

  const perApp = new Map<string, { bytesIn: number; bytesOut: number }>();
  const processes = new Map<string, ProcessSeen>();
  // Many sockets share one process: name each process once per interval.
  const appOf = new Map<string, string>();
  let flowIn = 0;
  let flowOut = 0;
  for (const flow of interval.flows) {
    if (flow.bytesIn === 0 && flow.bytesOut === 0) continue;
    const o = flow.owner;
    const ownerKey = o === null ? '' : [o.name, o.path, o.cmdline, o.parentName, o.parentPath, o.cgroup].join('\0');
    let app = flow.app ?? appOf.get(ownerKey);
    if (app === undefined) {
      app = appForProcess(o, platform);
      appOf.set(ownerKey, app);
    }
    const sum = perApp.get(app) ?? { bytesIn: 0, bytesOut: 0 };
    sum.bytesIn += flow.bytesIn;
    sum.bytesOut += flow.bytesOut;
    perApp.set(app, sum);
    flowIn += flow.bytesIn;
    flowOut += flow.bytesOut;
    if (flow.owner !== null) {
      const path = flow.owner.path ?? null;
      const key = JSON.stringify([app, flow.owner.name, flow.owner.pid, path]);
      if (!processes.has(key)) processes.set(key, { app, name: flow.owner.name, pid: flow.owner.pid, path, ts });
    }
  }

  const overAttributed: InterfaceTotals = { bytesIn: 0, bytesOut: 0 };
  const carryOut: InterfaceTotals = { bytesIn: carry.bytesIn, bytesOut: carry.bytesOut };
  if (interval.iface !== null) {
    const restIn = interval.iface.bytesIn - flowIn;
    const restOut = interval.iface.bytesOut - flowOut;
    overAttributed.bytesIn = Math.max(0, -restIn);
    overAttributed.bytesOut = Math.max(0, -restOut);
    const settledIn = Math.min(carry.bytesIn, Math.max(0, restIn));
    const settledOut = Math.min(carry.bytesOut, Math.max(0, restOut));
    carryOut.bytesIn += overAttributed.bytesIn - settledIn;
    carryOut.bytesOut += overAttributed.bytesOut - settledOut;
    const unattributedIn = Math.max(0, restIn) - settledIn;
    const unattributedOut = Math.max(0, restOut) - settledOut;
    if (unattributedIn > 0 || unattributedOut > 0) {
      const sum = perApp.get(UNATTRIBUTED) ?? { bytesIn: 0, bytesOut: 0 };
      sum.bytesIn += unattributedIn;
      sum.bytesOut += unattributedOut;
      perApp.set(UNATTRIBUTED, sum);
    }
  }

  const usage: AppUsage[] = [];
  for (const [app, sum] of [...perApp].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (sum.bytesIn === 0 && sum.bytesOut === 0) continue;
    usage.push({ ts, durationS, app, bytesIn: sum.bytesIn, bytesOut: sum.bytesOut });
  }
  return { usage, processes: [...processes.values()], overAttributed, carry: carryOut };
}
