// Purging a range from every tier. The range is first widened to what the remaining tiers can
// remove exactly (an hour, or a local day, where the finer rows are already gone), so that nothing
// of the asked range survives in a coarser row. Inside it, whole days are deleted from all tiers;
// whole hours are subtracted from their day and deleted; sub-hour edges are subtracted from their
// hour and day and deleted. The tiers stay equal to one another. The browser extension's active-tab
// reports of the widened range go in the same transaction: a purge is all or nothing. So do the plan
// records made of those bytes: the alerts given inside the range (their words name its apps and
// sites) and the summaries of cycles that overlap it (immutable, so deleted rather than left
// describing bytes that are gone). What each alert's state remembers stays: a purge never makes an
// alert fire a second time in its cycle.
import type Database from 'better-sqlite3';
import { assertNever } from '../../../src-shared/contract/types.js';
import { planRange } from '../queries/plan.js';
import type { Coverage } from './meta.js';
import { BROWSER_REPORT_SQL } from './browser-reports.js';
import { hasDomainTables, hasTable } from './schema.js';
import { cachedStatement } from './statements.js';
import { DOMAIN_TIERS, NETWORK_TIERS, USAGE_TIERS, tierKeyNames, type TierFamily } from './tiers.js';
import { hourCeil, hourStart, localDayCeil, localDayStart } from './time.js';

/** What a purge removed: the range actually purged (possibly wider than asked) and the rows deleted. */
export interface PurgeOutcome {
  since: number;
  until: number;
  deletedRows: number;
  /** Rows of each tier that were deleted (rows only reduced are not counted). */
  deleted: { raw: number; hourly: number; daily: number; processes: number; domains?: number; networks?: number; browserReports?: number; planRecords?: number };
}

/** [since, until) widened so that every piece of it can be removed exactly from the tiers that remain. */
export function purgeBounds(since: number, until: number, coverage: Coverage): { since: number; until: number } {
  let from = since;
  if (localDayStart(since) !== since) {
    if (localDayStart(since) < coverage.hourlyFrom) from = localDayStart(since);
    else if (since < coverage.rawFrom) from = hourStart(since);
  }
  let to = until;
  if (localDayStart(until) !== until) {
    if (localDayStart(until) < coverage.hourlyFrom) to = localDayCeil(until);
    else if (hourStart(until) < coverage.rawFrom) to = hourCeil(until);
  }
  return { since: from, until: to };
}

// Daily rows that can contain an instant start at most this long before it (longest day plus slack).
const LONGEST_DAY_S = 26 * 3600;

// The steps for one family of tiers (tiers.ts): usage by app, domains (schema v3) by (app, domain,
// estimate), networks (schema v7) by (network, interface, app).
function familySql(family: TierFamily): Record<'deleteRaw' | 'deleteHourly' | 'deleteDaily' | 'hourlyFromDaily' | 'rawFromHourly' | 'rawFromDaily' | 'zeroHourly' | 'zeroDaily', string> {
  const prefix = family.prefix;
  const keyList = tierKeyNames(family);
  const keys = keyList.join(', ');
  const match = (a: string, b: string): string => keyList.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  return {
    deleteRaw: `DELETE FROM ${prefix}_raw WHERE ts > ? AND ts <= ?`,
    deleteHourly: `DELETE FROM ${prefix}_hourly WHERE hour_start >= ? AND hour_start < ?`,
    deleteDaily: `DELETE FROM ${prefix}_daily WHERE day_start >= ? AND day_start < ?`,
    hourlyFromDaily: `
    UPDATE ${prefix}_daily AS d
       SET bytes_in = max(0, d.bytes_in - s.bi), bytes_out = max(0, d.bytes_out - s.bo)
      FROM (SELECT ${keys}, sum(bytes_in) AS bi, sum(bytes_out) AS bo FROM ${prefix}_hourly
             WHERE hour_start >= $from AND hour_start < $to GROUP BY ${keys}) AS s
     WHERE ${match('d', 's')} AND d.day_start > $from - ${LONGEST_DAY_S} AND d.day_start <= $from AND d.day_end > $from`,
    rawFromHourly: `
    UPDATE ${prefix}_hourly AS h
       SET bytes_in = max(0, h.bytes_in - s.bi), bytes_out = max(0, h.bytes_out - s.bo)
      FROM (SELECT ((ts - 1) / 3600) * 3600 AS hs, ${keys}, sum(bytes_in) AS bi, sum(bytes_out) AS bo FROM ${prefix}_raw
             WHERE ts > $from AND ts <= $to GROUP BY hs, ${keys}) AS s
     WHERE h.hour_start = s.hs AND ${match('h', 's')}`,
    rawFromDaily: `
    UPDATE ${prefix}_daily AS d
       SET bytes_in = max(0, d.bytes_in - s.bi), bytes_out = max(0, d.bytes_out - s.bo)
      FROM (SELECT ${keys}, sum(bytes_in) AS bi, sum(bytes_out) AS bo FROM ${prefix}_raw
             WHERE ts > $from AND ts <= $to GROUP BY ${keys}) AS s
     WHERE ${match('d', 's')} AND d.day_start > $from - ${LONGEST_DAY_S} AND d.day_start <= $from AND d.day_end > $from`,
    zeroHourly: `DELETE FROM ${prefix}_hourly WHERE hour_start >= ? AND hour_start < ? AND bytes_in = 0 AND bytes_out = 0`,
    zeroDaily: `DELETE FROM ${prefix}_daily WHERE day_start > ? AND day_start < ? AND bytes_in = 0 AND bytes_out = 0`,
  };
}
const USAGE_SQL = familySql(USAGE_TIERS);
const DOMAIN_SQL = familySql(DOMAIN_TIERS);
const NETWORK_SQL = familySql(NETWORK_TIERS);
const PROCESSES_SQL = 'DELETE FROM processes WHERE first_seen >= ? AND last_seen < ?';

/** Deletes [since, until) (widened by `purgeBounds`) from all tiers, in one transaction. */
export function purgeRange(db: Database.Database, since: number, until: number, coverage: Coverage): PurgeOutcome {
  const bounds = purgeBounds(since, until, coverage);
  let segments = planRange(bounds.since, bounds.until, coverage);
  if (segments.some((s) => !s.exact)) {
    // Coverage that is not hour/day aligned (never written by this store): fall back to whole days.
    bounds.since = localDayStart(bounds.since);
    bounds.until = localDayCeil(bounds.until);
    segments = planRange(bounds.since, bounds.until, coverage);
  }
  const run = (sql: string, ...params: unknown[]): number => cachedStatement(db, sql).run(...params).changes;
  const purgeTiers = (q: typeof DOMAIN_SQL): { raw: number; hourly: number; daily: number } => {
    const counts = { raw: 0, hourly: 0, daily: 0 };
    for (const seg of segments) {
      const span = { from: seg.from, to: seg.to };
      switch (seg.tier) {
        case 'daily':
          counts.daily += run(q.deleteDaily, seg.from, seg.to);
          break;
        case 'hourly':
          run(q.hourlyFromDaily, span);
          break;
        case 'raw':
          run(q.rawFromHourly, span);
          run(q.rawFromDaily, span);
          break;
        default:
          assertNever(seg.tier, 'tier');
      }
      // Whatever the tier, the finer rows inside the piece go too.
      if (seg.tier !== 'raw') counts.hourly += run(q.deleteHourly, seg.from, seg.to);
      counts.raw += run(q.deleteRaw, seg.from, seg.to);
    }
    counts.hourly += run(q.zeroHourly, hourStart(bounds.since), hourCeil(bounds.until));
    counts.daily += run(q.zeroDaily, bounds.since - LONGEST_DAY_S, bounds.until);
    return counts;
  };
  const deleted = db
    .transaction(() => {
      const usage = purgeTiers(USAGE_SQL);
      const counts: PurgeOutcome['deleted'] = { ...usage, processes: run(PROCESSES_SQL, bounds.since, bounds.until) };
      if (hasDomainTables(db)) {
        const d = purgeTiers(DOMAIN_SQL);
        const domains = d.raw + d.hourly + d.daily;
        if (domains > 0) counts.domains = domains;
      }
      if (hasTable(db, 'network_raw')) {
        const n = purgeTiers(NETWORK_SQL);
        const ledger = run('DELETE FROM network_ledger WHERE hour_start > ? - 3600 AND hour_start < ?', bounds.since, bounds.until);
        if (n.raw + n.hourly + n.daily + ledger > 0) counts.networks = n.raw + n.hourly + n.daily + ledger;
      }
      if (hasTable(db, 'browser_reports')) {
        const reports = run(BROWSER_REPORT_SQL.purge, bounds.since, bounds.until);
        if (reports > 0) counts.browserReports = reports;
      }
      if (hasTable(db, 'cycle_history')) {
        const records = run('DELETE FROM alerts WHERE at >= ? AND at < ?', bounds.since, bounds.until) + run('DELETE FROM cycle_history WHERE cycle_start < ? AND cycle_end > ?', bounds.until, bounds.since);
        if (records > 0) counts.planRecords = records;
      }
      return counts;
    })
    .immediate();
  // The deleted rows' old page images must not linger in the write-ahead log.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { ...bounds, deletedRows: deleted.raw + deleted.hourly + deleted.daily + deleted.processes + (deleted.domains ?? 0) + (deleted.networks ?? 0) + (deleted.browserReports ?? 0) + (deleted.planRecords ?? 0), deleted };
}
