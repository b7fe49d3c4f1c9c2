// The reads plans, budgets and "what changed" are made of. Whole local days come straight from the
// daily tiers (kept forever, keyed by local midnight, upserted with every flush, so today's row is
// current to the last flush); free hours, which cut days, go through the query planner. Every figure
// of all traffic is the sum of every row, (unattributed) included: the interface totals.
import type Database from 'better-sqlite3';
import { UNATTRIBUTED } from '../types.js';
import { readCoverage } from '../store/meta.js';
import { hasDomainTables } from '../store/schema.js';
import { cachedStatement } from '../store/statements.js';
import { planRange } from '../queries/plan.js';
import { sumByBucket, type BucketSegment } from '../queries/aggregate.js';
import type { BudgetTarget, Direction } from './types.js';

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
  firstDay: 'SELECT min(day_start) FROM usage_daily',
  appsByDay: `SELECT d.day_start AS day, apps.name AS name, d.bytes AS bytes
       FROM (SELECT day_start, app_id, sum(bytes_in + bytes_out) AS bytes FROM usage_daily
              WHERE day_start >= ? AND day_start < ? GROUP BY day_start, app_id) AS d
       CROSS JOIN apps ON apps.id = d.app_id`,
  domainsByDay: `SELECT d.day_start AS day, domains.name AS name, d.bytes AS bytes
       FROM (SELECT day_start, domain_id, sum(bytes_in + bytes_out) AS bytes FROM domain_daily
              WHERE day_start >= ? AND day_start < ? GROUP BY day_start, domain_id) AS d
       CROSS JOIN domains ON domains.id = d.domain_id WHERE domains.name <> '${UNATTRIBUTED}'`,
  // The hour range leads (CROSS JOIN keeps the hourly table outermost): one day's rows, then the names asked for.
  appsHours: `SELECT apps.name AS name, h.hour_start AS hour, sum(h.bytes_in + h.bytes_out) AS bytes FROM usage_hourly AS h
       CROSS JOIN apps ON apps.id = h.app_id
       WHERE h.hour_start >= ? AND h.hour_start < ? AND apps.name IN (SELECT value FROM json_each(?)) GROUP BY apps.name, h.hour_start`,
  domainsHours: `SELECT domains.name AS name, h.hour_start AS hour, sum(h.bytes_in + h.bytes_out) AS bytes FROM domain_hourly AS h
       CROSS JOIN domains ON domains.id = h.domain_id
       WHERE h.hour_start >= ? AND h.hour_start < ? AND domains.name IN (SELECT value FROM json_each(?)) GROUP BY domains.name, h.hour_start`,
} as const;

/** Bytes per local day in [from, to) for all traffic or one budget's target; days without rows are absent. */
export function bytesByDay(db: Database.Database, from: number, to: number, target: BudgetTarget | null): Map<number, InOut> {
  let rows: ({ day: number } & InOut)[];
  if (target === null) rows = cachedStatement(db, FIGURES_SQL.all).all(from, to) as typeof rows;
  else if (target.kind === 'app') rows = cachedStatement(db, FIGURES_SQL.app).all(target.name, from, to) as typeof rows;
  else rows = hasDomainTables(db) ? (cachedStatement(db, FIGURES_SQL.domain).all(target.name, from, to) as typeof rows) : [];
  return new Map(rows.map((r) => [r.day, { bytesIn: r.bytesIn, bytesOut: r.bytesOut }]));
}

/** Local midnight of the first day with stored usage, or null. */
export function firstUsageDay(db: Database.Database): number | null {
  return cachedStatement(db, FIGURES_SQL.firstDay).pluck().get() as number | null;
}

/** All traffic inside each window (one statement for all of them), in the windows' order. */
export function bytesInWindows(db: Database.Database, windows: readonly { from: number; to: number }[]): InOut[] {
  if (windows.length === 0) return [];
  const coverage = readCoverage(db);
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

/** Bytes per epoch hour of each of `names` (apps, or domains) in [from, to): one statement for all of them. */
export function hoursOfNames(db: Database.Database, kind: 'app' | 'domain', names: readonly string[], from: number, to: number): { name: string; hour: number; bytes: number }[] {
  if (names.length === 0 || (kind === 'domain' && !hasDomainTables(db))) return [];
  return cachedStatement(db, kind === 'app' ? FIGURES_SQL.appsHours : FIGURES_SQL.domainsHours).all(from, to, JSON.stringify(names)) as { name: string; hour: number; bytes: number }[];
}
