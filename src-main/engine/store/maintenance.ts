// Retention: raw rows older than `rawDays`, hourly rows older than `hourlyDays` are deleted; daily
// rows are kept forever. Rollups are written with every flush, so nothing else is scheduled here.
// Work per call is bounded (`maxDeleteRows` per tier) so that a first run after a long pause does
// not block the event loop for seconds; `done: false` asks the caller to run again soon.
import type Database from 'better-sqlite3';
import { advanceCoverage, readCoverage } from './meta.js';
import { hasDomainTables, hasTable } from './schema.js';
import { cachedStatement } from './statements.js';
import { HOUR_S, hourStart, localDayStart, nextLocalDayStart, usageInstant } from './time.js';

/** How long each fine tier is kept, in days (config `data_retention_days_raw` / `_hourly`). */
export interface RetentionConfig {
  rawDays: number;
  hourlyDays: number;
}

export const DEFAULT_RETENTION: RetentionConfig = { rawDays: 7, hourlyDays: 90 };

/** Default bound on rows deleted per tier per maintenance call. */
export const DEFAULT_MAX_DELETE_ROWS = 50_000;

/** What one maintenance run did. */
export interface MaintenanceResult {
  rawDeleted: number;
  hourlyDeleted: number;
  processesDeleted: number;
  gapsDeleted: number;
  /** Domain and per-network rows (and ledger hours) deleted from the raw and hourly tiers (cut at the same instants as usage). */
  domainRowsDeleted: number;
  /** Where each tier is now complete from (epoch s; -Infinity: never cut). */
  rawFrom: number;
  hourlyFrom: number;
  /** False when the row bound stopped the run early: call again soon. */
  done: boolean;
  ms: number;
}

const DAY_S = 86_400;

/** The instants before which raw and hourly rows are deleted at `nowS`: an hour and a local day boundary. */
export function retentionCutoffs(nowS: number, retention: RetentionConfig): { raw: number; hourly: number } {
  const rawDays = Math.max(1, Math.floor(retention.rawDays));
  // Hourly rows must outlive raw ones: the query layer falls back from raw to hourly, never the reverse.
  const hourlyDays = Math.max(rawDays, Math.floor(retention.hourlyDays));
  return { raw: hourStart(nowS - rawDays * DAY_S), hourly: localDayStart(nowS - hourlyDays * DAY_S) };
}

/**
 * Where this call stops: the cutoff, or, when more than the bound lies before it, the unit boundary
 * (hour or local day) before the first row past the bound. At least the oldest whole unit always goes,
 * however full, so that repeated calls progress.
 */
function boundedCut(cut: number, oldest: number, nth: number | undefined, unitStart: (t: number) => number, nextUnit: (t: number) => number): number {
  if (nth === undefined) return cut;
  const before = unitStart(nth);
  return Math.min(cut, before > oldest ? before : nextUnit(oldest));
}

/** Deletes what retention no longer keeps, at most `maxDeleteRows` rows per tier. */
export function runRetention(
  db: Database.Database,
  nowS: number,
  retention: RetentionConfig = DEFAULT_RETENTION,
  maxDeleteRows = DEFAULT_MAX_DELETE_ROWS,
): MaintenanceResult {
  const started = performance.now();
  const cut = retentionCutoffs(nowS, retention);
  const result = db
    .transaction(() => {
      // Raw: the instant of a row is ts - 1, so "instant < cut" is "ts <= cut".
      const nthRaw = cachedStatement(db, 'SELECT ts FROM usage_raw WHERE ts <= ? ORDER BY ts LIMIT 1 OFFSET ?').pluck().get(cut.raw, maxDeleteRows) as
        | number
        | undefined;
      const oldestRaw = cachedStatement(db, 'SELECT min(ts) FROM usage_raw').pluck().get() as number | null;
      const rawCut =
        oldestRaw === null || nthRaw === undefined
          ? cut.raw
          : boundedCut(cut.raw, usageInstant(oldestRaw), usageInstant(nthRaw), hourStart, (t) => hourStart(t) + HOUR_S);
      const rawDeleted = cachedStatement(db, 'DELETE FROM usage_raw WHERE ts <= ?').run(rawCut).changes;
      advanceCoverage(db, 'rawFrom', rawCut);

      const nthHour = cachedStatement(db, 'SELECT hour_start FROM usage_hourly WHERE hour_start < ? ORDER BY hour_start LIMIT 1 OFFSET ?')
        .pluck()
        .get(cut.hourly, maxDeleteRows) as number | undefined;
      const oldestHour = cachedStatement(db, 'SELECT min(hour_start) FROM usage_hourly').pluck().get() as number | null;
      const hourlyCut = oldestHour === null ? cut.hourly : boundedCut(cut.hourly, oldestHour, nthHour, localDayStart, nextLocalDayStart);
      const hourlyDeleted = cachedStatement(db, 'DELETE FROM usage_hourly WHERE hour_start < ?').run(hourlyCut).changes;
      advanceCoverage(db, 'hourlyFrom', hourlyCut);

      // The domain tiers follow the usage tiers' cuts, so that one coverage describes both.
      let domainRowsDeleted = 0;
      if (hasDomainTables(db)) {
        domainRowsDeleted += cachedStatement(db, 'DELETE FROM domain_raw WHERE ts <= ?').run(rawCut).changes;
        domainRowsDeleted += cachedStatement(db, 'DELETE FROM domain_hourly WHERE hour_start < ?').run(hourlyCut).changes;
      }
      // So do the per-network tiers (schema v7); their deletions count with the domain rows'.
      if (hasTable(db, 'network_raw')) {
        domainRowsDeleted += cachedStatement(db, 'DELETE FROM network_raw WHERE ts <= ?').run(rawCut).changes;
        domainRowsDeleted += cachedStatement(db, 'DELETE FROM network_hourly WHERE hour_start < ?').run(hourlyCut).changes;
        domainRowsDeleted += cachedStatement(db, 'DELETE FROM network_ledger WHERE hour_start < ?').run(hourlyCut).changes;
      }

      // Process sightings and gaps are detail for the hourly period.
      const processesDeleted = cachedStatement(db, 'DELETE FROM processes WHERE last_seen < ?').run(cut.hourly).changes;
      const gapsDeleted = cachedStatement(db, 'DELETE FROM gaps WHERE end_ts < ?').run(cut.hourly).changes;
      const done = rawCut === cut.raw && hourlyCut === cut.hourly;
      return { rawDeleted, hourlyDeleted, processesDeleted, gapsDeleted, domainRowsDeleted, done };
    })
    .immediate();
  // Keeps the planner's statistics fresh; cheap when nothing changed.
  db.pragma('optimize');
  const coverage = readCoverage(db);
  return { ...result, rawFrom: coverage.rawFrom, hourlyFrom: coverage.hourlyFrom, ms: performance.now() - started };
}
