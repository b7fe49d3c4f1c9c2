// The store's in-memory buffer: rows wait here between flushes, and stay here while writes fail.
// It is bounded: past `maxRows` usage rows, the oldest are folded into one row per (hour, local day,
// app), then per (local day, app). A folded row keeps the latest interval end of its group and the
// summed bytes and durations, so the hourly and daily tiers still get exact sums; only the sub-hour
// (or sub-day) spread of the folded rows is lost.
import { assertNever } from '../../../src-shared/contract/types.js';
import type { DomainUsage } from '../domains/types.js';
import type { LedgerDelta, NetworkInfo, NetworkUsage } from '../network/network-rows.js';
import { UNATTRIBUTED, type AppUsage, type Gap, type ProcessSeen } from '../types.js';
import { hourStart, localDayStart, usageInstant } from './time.js';

/** A usage row as the store writes it: integers, non-zero. */
export interface PendingUsage {
  ts: number;
  durationS: number;
  app: string;
  bytesIn: number;
  bytesOut: number;
}

/** A domain row as the store writes it: integers, non-zero. */
export interface PendingDomainUsage extends PendingUsage {
  domain: string;
  estimate: boolean;
}

/** A per-network row as the store writes it (schema v7). */
export interface PendingNetworkUsage extends PendingUsage {
  network: string;
  iface: string;
}

/** A process sighting merged over the buffer's lifetime. */
export interface PendingProcess {
  app: string;
  name: string;
  pid: number;
  /** '' when unknown. */
  path: string;
  firstSeen: number;
  lastSeen: number;
}

/** A gap in epoch seconds. */
export interface PendingGap {
  start: number;
  end: number;
  reason: Gap['reason'];
}

/** Default cap of buffered usage rows (≈ 14 h of 10 active apps every 5 s; ≈ 5 MB). */
export const DEFAULT_MAX_PENDING_ROWS = 50_000;
/** Default cap of distinct buffered process sightings; past it the least recently seen are dropped. */
export const DEFAULT_MAX_PENDING_PROCESSES = 10_000;
/** Default cap of buffered gaps; past it the oldest are dropped. */
export const DEFAULT_MAX_PENDING_GAPS = 10_000;

export type FoldLevel = 'hour' | 'day';

/** What tells rows of one interval apart: the app, and for domain rows the domain and estimate too. */
export type RowKey<T> = (row: T) => string;

const byApp: RowKey<PendingUsage> = (row) => row.app;

/** The key of a domain row within its interval. */
export const domainRowKey: RowKey<PendingDomainUsage> = (row) => `${row.app}\u0000${row.domain}\u0000${row.estimate ? 1 : 0}`;

function foldKey<T extends PendingUsage>(row: T, level: FoldLevel, keyOf: RowKey<T>): string {
  const t = usageInstant(row.ts);
  switch (level) {
    case 'hour':
      // The day is part of the key because in a half-hour zone a local midnight splits an epoch hour.
      return `${hourStart(t)}|${localDayStart(t)}|${keyOf(row)}`;
    case 'day':
      return `${localDayStart(t)}|${keyOf(row)}`;
    default:
      return assertNever(level, 'fold level');
  }
}

/** Merges rows of the same app and hour (or local day) into one; keeps the latest `ts`. Sorted by ts. */
export function foldUsage<T extends PendingUsage>(rows: readonly T[], level: FoldLevel, keyOf: RowKey<T> = byApp): T[] {
  const groups = new Map<string, T>();
  for (const row of rows) {
    const key = foldKey(row, level, keyOf);
    const seen = groups.get(key);
    if (seen === undefined) {
      groups.set(key, { ...row });
    } else {
      seen.ts = Math.max(seen.ts, row.ts);
      seen.durationS += row.durationS;
      seen.bytesIn += row.bytesIn;
      seen.bytesOut += row.bytesOut;
    }
  }
  return [...groups.values()].sort((a, b) => a.ts - b.ts);
}

/**
 * Folds the oldest rows until at most `target` remain, or nothing more can be folded
 * (everything is already one row per app and local day). Returns the rows sorted by ts.
 */
export function boundUsage<T extends PendingUsage>(rows: readonly T[], target: number, keyOf: RowKey<T> = byApp): T[] {
  let current = [...rows].sort((a, b) => a.ts - b.ts);
  // Fold no more than needed: a share of the oldest rows at a time, hours before days.
  const shares = [0.5, 0.6, 0.75, 0.9, 1];
  const steps: [FoldLevel, number][] = [...shares.map((s): [FoldLevel, number] => ['hour', s]), ...shares.map((s): [FoldLevel, number] => ['day', s])];
  for (const [level, share] of steps) {
    if (current.length <= target) break;
    const cut = Math.ceil(current.length * share);
    current = [...foldUsage(current.slice(0, cut), level, keyOf), ...current.slice(cut)];
  }
  return current;
}

/** Validates and rounds one usage row; null for a row that must not be stored. */
export function normalizeUsage(u: AppUsage): PendingUsage | 'zero' | null {
  const ok =
    typeof u.app === 'string' &&
    u.app.length > 0 &&
    Number.isFinite(u.ts) &&
    u.ts > 0 &&
    Number.isFinite(u.durationS) &&
    u.durationS >= 0 &&
    Number.isFinite(u.bytesIn) &&
    u.bytesIn >= 0 &&
    Number.isFinite(u.bytesOut) &&
    u.bytesOut >= 0;
  if (!ok) return null;
  const row = { ts: Math.round(u.ts), durationS: Math.round(u.durationS), app: u.app, bytesIn: Math.round(u.bytesIn), bytesOut: Math.round(u.bytesOut) };
  return row.bytesIn === 0 && row.bytesOut === 0 ? 'zero' : row;
}

// The rule of the domains table's CHECK: a row it would refuse must not reach the transaction, where
// it would fail every flush and hold the buffer for ever.
const DOMAIN_NAME = /^[a-z0-9._-]{1,253}$/;

/** Validates and rounds one domain row; null for a row that must not be stored. */
export function normalizeDomainUsage(u: DomainUsage): PendingDomainUsage | 'zero' | null {
  if (typeof u.domain !== 'string' || !(u.domain === UNATTRIBUTED || DOMAIN_NAME.test(u.domain)) || typeof u.estimate !== 'boolean') return null;
  const row = normalizeUsage(u);
  if (row === null || row === 'zero') return row;
  return { ...row, domain: u.domain, estimate: u.estimate };
}

/** The key of a per-network row within its interval. */
export const networkRowKey: RowKey<PendingNetworkUsage> = (row) => `${row.app}\u0000${row.network}\u0000${row.iface}`;

/** Validates and rounds one per-network row (the networks table's CHECKs: key 1–200, interface ≤ 64). */
export function normalizeNetworkUsage(u: NetworkUsage): PendingNetworkUsage | 'zero' | null {
  if (typeof u.network !== 'string' || u.network.length === 0 || u.network.length > 200 || typeof u.iface !== 'string' || u.iface.length > 64) return null;
  const row = normalizeUsage(u);
  if (row === null || row === 'zero') return row;
  return { ...row, network: u.network, iface: u.iface };
}

const SUMS = ['physical', 'attributed', 'overhead', 'excluded'] as const;

/** Adds one interval's ledger sums to its hour's (whole bytes, never negative). */
function addLedger(map: Map<number, LedgerDelta>, d: LedgerDelta): void {
  if (!Number.isInteger(d.hourStart) || d.hourStart % 3600 !== 0) return;
  const clean = (n: number): number => (Number.isFinite(n) && n > 0 ? Math.round(n) : 0);
  const seen = map.get(d.hourStart) ?? { hourStart: d.hourStart, physical: { bytesIn: 0, bytesOut: 0 }, attributed: { bytesIn: 0, bytesOut: 0 }, overhead: { bytesIn: 0, bytesOut: 0 }, excluded: { bytesIn: 0, bytesOut: 0 }, unknownIntervals: 0 };
  for (const k of SUMS) {
    seen[k].bytesIn += clean(d[k].bytesIn);
    seen[k].bytesOut += clean(d[k].bytesOut);
  }
  seen.unknownIntervals += clean(d.unknownIntervals);
  map.set(d.hourStart, seen);
}

/** Limits of the buffer. */
export interface PendingLimits {
  maxRows: number;
  maxProcesses: number;
  maxGaps: number;
}

/** What the buffer had to give up or rejected, for `health()`. */
export interface PendingCounters {
  /** Usage rows refused at append (negative, NaN, no app name). */
  rejectedRows: number;
  /** Times the usage rows were folded to stay under the cap. */
  folds: number;
  droppedProcesses: number;
  droppedGaps: number;
}

/** The buffer between `append` and `flush`. */
export class PendingBuffer {
  usage: PendingUsage[] = [];
  domainUsage: PendingDomainUsage[] = [];
  networkUsage: PendingNetworkUsage[] = [];
  /** The latest facts of each network whose rows wait here. */
  networks = new Map<string, NetworkInfo>();
  /** Ledger sums per hour, added up until the flush adds them to the stored hour. */
  ledger = new Map<number, LedgerDelta>();
  processes = new Map<string, PendingProcess>();
  gaps: PendingGap[] = [];
  readonly counters: PendingCounters = { rejectedRows: 0, folds: 0, droppedProcesses: 0, droppedGaps: 0 };

  constructor(private readonly limits: PendingLimits) {}

  size(): number {
    return this.usage.length + this.domainUsage.length + this.networkUsage.length + this.processes.size + this.gaps.length;
  }

  addUsage(rows: readonly AppUsage[]): void {
    for (const u of rows) {
      const row = normalizeUsage(u);
      if (row === null) this.counters.rejectedRows += 1;
      else if (row !== 'zero') this.usage.push(row);
    }
    if (this.usage.length > this.limits.maxRows) {
      // Fold down to half the cap so that a long outage folds now and then, not on every append.
      this.usage = boundUsage(this.usage, Math.floor(this.limits.maxRows / 2));
      this.counters.folds += 1;
    }
  }

  addDomainUsage(rows: readonly DomainUsage[]): void {
    for (const u of rows) {
      const row = normalizeDomainUsage(u);
      if (row === null) this.counters.rejectedRows += 1;
      else if (row !== 'zero') this.domainUsage.push(row);
    }
    if (this.domainUsage.length > this.limits.maxRows) {
      this.domainUsage = boundUsage(this.domainUsage, Math.floor(this.limits.maxRows / 2), domainRowKey);
      this.counters.folds += 1;
    }
  }

  addNetworkUsage(rows: readonly NetworkUsage[], networks: readonly NetworkInfo[] = [], ledger: readonly LedgerDelta[] = []): void {
    for (const d of ledger) addLedger(this.ledger, d);
    for (const n of networks) if (typeof n.key === 'string' && n.key.length > 0 && n.key.length <= 200) this.networks.set(n.key, n);
    for (const u of rows) {
      const row = normalizeNetworkUsage(u);
      if (row === null) this.counters.rejectedRows += 1;
      else if (row !== 'zero') this.networkUsage.push(row);
    }
    if (this.networkUsage.length > this.limits.maxRows) {
      this.networkUsage = boundUsage(this.networkUsage, Math.floor(this.limits.maxRows / 2), networkRowKey);
      this.counters.folds += 1;
    }
  }

  addProcesses(rows: readonly ProcessSeen[]): void {
    for (const p of rows) {
      if (!Number.isFinite(p.ts) || !Number.isInteger(p.pid) || p.app.length === 0) continue;
      const ts = Math.round(p.ts);
      const pathText = p.path ?? '';
      const key = `${p.app}\u0000${p.name}\u0000${p.pid}\u0000${pathText}`;
      const seen = this.processes.get(key);
      if (seen === undefined) {
        this.processes.set(key, { app: p.app, name: p.name, pid: p.pid, path: pathText, firstSeen: ts, lastSeen: ts });
      } else {
        seen.firstSeen = Math.min(seen.firstSeen, ts);
        seen.lastSeen = Math.max(seen.lastSeen, ts);
      }
    }
    if (this.processes.size > this.limits.maxProcesses) {
      const keep = Math.floor(this.limits.maxProcesses * 0.9);
      const byAge = [...this.processes.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen);
      const drop = byAge.slice(0, byAge.length - keep);
      for (const [key] of drop) this.processes.delete(key);
      this.counters.droppedProcesses += drop.length;
    }
  }

  addGaps(rows: readonly Gap[]): void {
    for (const g of rows) {
      if (!Number.isFinite(g.startMs) || !Number.isFinite(g.endMs) || g.endMs < g.startMs) continue;
      this.gaps.push({ start: Math.floor(g.startMs / 1000), end: Math.ceil(g.endMs / 1000), reason: g.reason });
    }
    if (this.gaps.length > this.limits.maxGaps) {
      const drop = this.gaps.length - this.limits.maxGaps;
      this.gaps.sort((a, b) => a.start - b.start);
      this.gaps.splice(0, drop);
      this.counters.droppedGaps += drop;
    }
  }

  /** Drops buffered rows whose instant lies in [since, until) (a purge must not be undone by the next flush). */
  dropRange(since: number, until: number): void {
    this.usage = this.usage.filter((r) => usageInstant(r.ts) < since || usageInstant(r.ts) >= until);
    this.domainUsage = this.domainUsage.filter((r) => usageInstant(r.ts) < since || usageInstant(r.ts) >= until);
    this.networkUsage = this.networkUsage.filter((r) => usageInstant(r.ts) < since || usageInstant(r.ts) >= until);
    for (const h of this.ledger.keys()) if (h + 3600 > since && h < until) this.ledger.delete(h);
    for (const [key, p] of this.processes) {
      if (p.firstSeen >= since && p.lastSeen < until) this.processes.delete(key);
    }
  }

  clear(): void {
    this.usage = [];
    this.domainUsage = [];
    this.networkUsage = [];
    this.networks = new Map();
    this.ledger = new Map();
    this.processes = new Map();
    this.gaps = [];
  }
}
