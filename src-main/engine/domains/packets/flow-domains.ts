// One interval's flows, named by their packets (FlowDelta.hostname), → domain rows for every app. Pure.
// Per app the rows add up exactly to the app's usage row of the interval: named bytes under their
// (rolled-up) name, the rest under UNATTRIBUTED — except a browser's unnamed flows when its extension
// may still place them: those are handed back (`deferred`) for the DomainTracker, and counted apart
// (`deferredBytes`) so the caller can put them under UNATTRIBUTED if the extension does not.
import { appForProcess, type Platform } from '../../attribution/index.js';
import { UNATTRIBUTED, type AppUsage, type FlowDelta, type ProcessInfo } from '../../types.js';
import type { ByteSum, DomainUsage } from '../types.js';

export type { ByteSum } from '../types.js';

/** What `domainRowsOfFlows` makes of one interval. */
export interface FlowDomainSplit {
  /** Rows to store now (estimate false), sorted by app then domain. */
  rows: DomainUsage[];
  /** Unnamed flows of the apps `defer` chose, untouched, for the extension's attribution. */
  deferred: FlowDelta[];
  /** Their bytes per app. */
  deferredBytes: Map<string, ByteSum>;
}

/** How to name and what to leave to the extension. */
export interface FlowDomainOptions {
  platform: Platform;
  /** The name stored for a host name: its registrable domain with rollup on, else itself. */
  domainOf: (hostname: string) => string;
  /** Whether an app's unnamed flows are left to the extension (a browser whose extension may report). */
  defer: (app: string) => boolean;
}

function ownerKey(o: ProcessInfo | null): string {
  return o === null ? '' : [o.name, o.path, o.cmdline, o.parentName, o.parentPath, o.cgroup].join('\0');
}

function add(sums: Map<string, ByteSum>, key: string, bytesIn: number, bytesOut: number): void {
  const s = sums.get(key) ?? { bytesIn: 0, bytesOut: 0 };
  s.bytesIn += bytesIn;
  s.bytesOut += bytesOut;
  sums.set(key, s);
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The domain rows of one interval, from its flows (hostnames set where the packets named them) and
 * the interval's usage rows (as `attribute` made them from the same flows: same stamp, same apps).
 */
export function domainRowsOfFlows(flows: readonly FlowDelta[], usage: readonly AppUsage[], options: FlowDomainOptions): FlowDomainSplit {
  const named = new Map<string, Map<string, ByteSum>>();
  const deferredBytes = new Map<string, ByteSum>();
  const deferred: FlowDelta[] = [];
  const appOf = new Map<string, string>();
  for (const f of flows) {
    if (f.bytesIn === 0 && f.bytesOut === 0) continue;
    const key = ownerKey(f.owner);
    let app = appOf.get(key);
    if (app === undefined) {
      app = appForProcess(f.owner, options.platform);
      appOf.set(key, app);
    }
    if (f.hostname !== undefined) {
      let perDomain = named.get(app);
      if (perDomain === undefined) {
        perDomain = new Map();
        named.set(app, perDomain);
      }
      add(perDomain, options.domainOf(f.hostname), f.bytesIn, f.bytesOut);
    } else if (options.defer(app)) {
      deferred.push(f);
      add(deferredBytes, app, f.bytesIn, f.bytesOut);
    }
  }
  const rows: DomainUsage[] = [];
  for (const u of [...usage].sort((a, b) => byName(a.app, b.app))) {
    const perDomain = named.get(u.app) ?? new Map<string, ByteSum>();
    let restIn = u.bytesIn;
    let restOut = u.bytesOut;
    const left = deferredBytes.get(u.app);
    if (left !== undefined) {
      restIn -= left.bytesIn;
      restOut -= left.bytesOut;
    }
    for (const s of perDomain.values()) {
      restIn -= s.bytesIn;
      restOut -= s.bytesOut;
    }
    // Everything the app moved that no packet named (and no extension will place) is said to be unplaced.
    if (restIn > 0 || restOut > 0) add(perDomain, UNATTRIBUTED, Math.max(0, restIn), Math.max(0, restOut));
    for (const domain of [...perDomain.keys()].sort(byName)) {
      const s = perDomain.get(domain);
      if (s === undefined || (s.bytesIn === 0 && s.bytesOut === 0)) continue;
      rows.push({ ts: u.ts, durationS: u.durationS, app: u.app, domain, estimate: false, bytesIn: s.bytesIn, bytesOut: s.bytesOut });
    }
  }
  return { rows, deferred, deferredBytes };
}
