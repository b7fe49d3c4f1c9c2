// The reads plans, budgets and "what changed" are made of. Whole local days come straight from the
// daily tiers (kept forever, keyed by local midnight, upserted with every flush, so today's row is
// current to the last flush); free hours, which cut days, go through the query planner. Every figure
// of all traffic is the sum of every row, (unattributed) included: the interface totals. A plan on one
// network counts that network's rows in the per-network tiers (schema v7): every interface and app of
// it, (unattributed) included, i.e. what the network carried.
import type Database from 'better-sqlite3';
import { UNATTRIBUTED } from '../types.js';
import { readCoverage } from '../store/meta.js';
import { hasDomainTables, hasTable } from '../store/schema.js';
import { cachedStatement } from '../store/statements.js';
import { planRange } from '../queries/plan.js';
import { sumByBucket, type BucketSegment } from '../queries/aggregate.js';
import { segmentsParam, tierPartsSql } from '../queries/tier-sql.js';
import type { BudgetTarget, Direction, NetworkFilter } from './types.js';

/** Bytes received and sent. */
export interface InOut {
  bytesIn: number;
  bytesOut: number;
}

/** The bytes of `direction`. */
export function pick(b: InOut, direction: Direction): number {
  return direction === 'download' ? b.bytesIn : direction === 'upload' ? b.bytesOut : b.bytesIn + b.bytesOut;
}

export const FIGURES_SQL = {
  all: `SELECT day_start AS day, sum(bytes_in) AS bytesIn, sum(bytes_out) AS bytesOut FROM usage_daily
         WHERE day_start >= ? AND day_start < ? GROUP BY day_start`,
  app: `SELECT day_start AS day, sum(bytes_in) AS bytesIn, sum(bytes_out) AS bytesOut FROM usage_daily
         WHERE app_id = (SELECT id FROM apps WHERE name = ?) AND day_start >= ? AND day_start < ? GROUP BY day_start`,
  domain: `SELECT day_start AS day, sum(bytes_in) AS bytesIn, sum(bytes_out) AS bytesOut FROM domain_daily
         WHERE domain_id = (SELECT id FROM domains WHERE name = ?) AND day_start >= ? AND day_start < ? GROUP BY day_start`,
  network: `SELECT day_start AS day, sum(bytes_in) AS bytesIn, sum(bytes_out) AS bytesOut FROM network_daily
         WHERE day_start >= ? AND day_start < ? AND network_id = (SELECT id FROM networks WHERE key = ?) GROUP BY day_start`,
  networkWindow: `${tierPartsSql('network', ['network_id'], false)}
SELECT CAST(round(coalesce(sum(bi), 0)) AS INTEGER) AS bytesIn, CAST(round(coalesce(sum(bo), 0)) AS INTEGER) AS bytesOut
  FROM parts WHERE network_id = (SELECT id FROM networks WHERE key = $network)`,
  networkKnown: 'SELECT 1 FROM networks WHERE key = ?',
  networkLabel: 'SELECT coalesce(user_label, label) FROM networks WHERE key = ?',
  firstDay: 'SELECT min(day_start) FROM usage_daily',
  appsByDay: `SELECT d.day_start AS day, apps.name AS name, d.bytes AS bytes
       FROM (SELECT day_start, app_id, sum(bytes_in + bytes_out) AS bytes FROM usage_daily
              WHERE day_start >= ? AND day_start < ? GROUP BY day_start, app_id) AS d
       CROSS JOIN apps ON apps.id = d.app_id`,
  domainsByDay: `SELECT d.day_start AS day, domains.name AS name, d.bytes AS bytes
       FROM (SELECT day_start, domain_id, sum(bytes_in + bytes_out) AS bytes FROM domain_daily
              WHERE day_start >= ? AND day_start < ? GROUP BY day_start, domain_id) AS d
       CROSS JOIN domains ON domains.id = d.domain_id WHERE domains.name <> '${UNATTRIBUTED}'`,
  // Each asked (name, from, to) drives an index range search on the name's tier ((app_id, hour_start),
  // (domain_id, hour_start) since v6): one statement for every name and day, reading only their rows.
  appsHours: `SELECT r.key AS req, h.hour_start AS hour, sum(h.bytes_in + h.bytes_out) AS bytes FROM json_each(?) AS r
       CROSS JOIN apps ON apps.name = r.value ->> 0
       CROSS JOIN usage_hourly AS h ON h.app_id = apps.id AND h.hour_start >= r.value ->> 1 AND h.hour_start < r.value ->> 2
       GROUP BY r.key, h.hour_start`,
  domainsHours: `SELECT r.key AS req, h.hour_start AS hour, sum(h.bytes_in + h.bytes_out) AS bytes FROM json_each(?) AS r
       CROSS JOIN domains ON domains.name = r.value ->> 0
       CROSS JOIN domain_hourly AS h ON h.domain_id = domains.id AND h.hour_start >= r.value ->> 1 AND h.hour_start < r.value ->> 2
       GROUP BY r.key, h.hour_start`,
} as const;

/** Whether `key` is a network netmon has rows or facts for (a plan may be set on it). */
export function isKnownNetwork(db: Database.Database, key: string): boolean {
  return hasTable(db, 'networks') && cachedStatement(db, FIGURES_SQL.networkKnown).get(key) !== undefined;
}

/** The network's name as `report --by network` shows it (the user's, else netmon's label), or '' when unknown. */
export function networkLabel(db: Database.Database, key: string): string {
  if (!hasTable(db, 'networks')) return '';
  return (cachedStatement(db, FIGURES_SQL.networkLabel).pluck().get(key) as string | undefined) ?? '';
}

/**
 * Bytes per local day in [from, to) for all traffic (or, with `network`, one network's traffic) or one
 * budget's target; days without rows are absent.
 */
export function bytesByDay(db: Database.Database, from: number, to: number, target: BudgetTarget | null, network: NetworkFilter = 'all'): Map<number, InOut> {
  let rows: ({ day: number } & InOut)[];
  if (target === null && network !== 'all') rows = hasTable(db, 'network_daily') ? (cachedStatement(db, FIGURES_SQL.network).all(from, to, network) as typeof rows) : [];
  else if (target === null) rows = cachedStatement(db, FIGURES_SQL.all).all(from, to) as typeof rows;
  else if (target.kind === 'app') rows = cachedStatement(db, FIGURES_SQL.app).all(target.name, from, to) as typeof rows;
  else rows = hasDomainTables(db) ? (cachedStatement(db, FIGURES_SQL.domain).all(target.name, from, to) as typeof rows) : [];
  return new Map(rows.map((r) => [r.day, { bytesIn: r.bytesIn, bytesOut: r.bytesOut }]));
}

/** Local midnight of the first day with stored usage, or null. */
export function firstUsageDay(db: Database.Database): number | null {
  return cachedStatement(db, FIGURES_SQL.firstDay).pluck().get() as number | null;
}

/**
 * All traffic inside each window (one statement for all of them), in the windows' order; with `network`,
 * that network's traffic (one statement per window, over the per-network tiers).
 */
export function bytesInWindows(db: Database.Database, windows: readonly { from: number; to: number }[], network: NetworkFilter = 'all'): InOut[] {
  if (windows.length === 0) return [];
  const coverage = readCoverage(db);
  if (network !== 'all') {
    if (!hasTable(db, 'network_raw')) return windows.map(() => ({ bytesIn: 0, bytesOut: 0 }));
    const stmt = cachedStatement(db, FIGURES_SQL.networkWindow);
    return windows.map((w) => {
      const segments = planRange(w.from, w.to, coverage);
      return segments.length === 0 ? { bytesIn: 0, bytesOut: 0 } : (stmt.get({ segments: segmentsParam(segments), network }) as InOut);
    });
  }
  const flat: BucketSegment[] = [];
  windows.forEach((w, i) => {
    for (const s of planRange(w.from, w.to, coverage)) flat.push({ ...s, bucket: i });
  });
  const sums = new Map(sumByBucket(db, flat, null).map((r) => [r.bucket, r]));
  return windows.map((_, i) => ({ bytesIn: sums.get(i)?.bytesIn ?? 0, bytesOut: sums.get(i)?.bytesOut ?? 0 }));
}

/** Bytes per local day and name (apps, or named domains) in [from, to). */
export function namesByDay(db: Database.Database, kind: 'app' | 'domain', from: number, to: number): { day: number; name: string; bytes: number }[] {
  if (kind === 'domain' && !hasDomainTables(db)) return [];
  return cachedStatement(db, kind === 'app' ? FIGURES_SQL.appsByDay : FIGURES_SQL.domainsByDay).all(from, to) as { day: number; name: string; bytes: number }[];
}

/** A name (app, or domain) and a range [from, to) of its hours. */
export interface NameRange {
  name: string;
  from: number;
  to: number;
}

/** Bytes per epoch hour of each asked name and range (apps, or domains), `req` its index in `ranges`: one statement for all. */
export function hoursOfRanges(db: Database.Database, kind: 'app' | 'domain', ranges: readonly NameRange[]): { req: number; hour: number; bytes: number }[] {
  if (ranges.length === 0 || (kind === 'domain' && !hasDomainTables(db))) return [];
  const asked = JSON.stringify(ranges.map((r) => [r.name, r.from, r.to]));
  return cachedStatement(db, kind === 'app' ? FIGURES_SQL.appsHours : FIGURES_SQL.domainsHours).all(asked) as { req: number; hour: number; bytes: number }[];
}
