// Rollups: how one buffered row reaches all three tiers. Each raw row is upserted into its tier
// (`*_raw`), and summed per (hour) and per (local day) into `*_hourly` and `*_daily` in the same
// transaction, so every tier is always current and retention (maintenance.ts) only deletes. The
// usage tiers and the domain tiers are written by this one function; only their keys differ.
import type Database from 'better-sqlite3';
import type { PendingUsage } from './pending.js';
import { hourStart, localDayStart, nextLocalDayStart, usageInstant } from './time.js';

/** The three upserts of one family of tiers. Parameters: raw (ts, …keys, duration_s, in, out),
 * hourly (hour_start, …keys, in, out), daily (day_start, day_end, …keys, in, out). */
export interface TierStatements {
  raw: Database.Statement;
  hourly: Database.Statement;
  daily: Database.Statement;
}

interface Rollup {
  start: number;
  end: number;
  keys: (number | string)[];
  bytesIn: number;
  bytesOut: number;
}

function add(map: Map<string, Rollup>, start: number, end: number, keys: (number | string)[], row: PendingUsage): void {
  const id = `${start}|${keys.join('|')}`;
  const seen = map.get(id);
  if (seen === undefined) map.set(id, { start, end, keys, bytesIn: row.bytesIn, bytesOut: row.bytesOut });
  else {
    seen.bytesIn += row.bytesIn;
    seen.bytesOut += row.bytesOut;
  }
}

/** Writes `rows` to the raw tier and rolls them up into the hourly and daily tiers; returns the rows written. */
export function writeTiers<T extends PendingUsage>(st: TierStatements, rows: readonly T[], keysOf: (row: T) => (number | string)[]): number {
  const hourly = new Map<string, Rollup>();
  const daily = new Map<string, Rollup>();
  for (const row of rows) {
    const keys = keysOf(row);
    st.raw.run(row.ts, ...keys, row.durationS, row.bytesIn, row.bytesOut);
    const t = usageInstant(row.ts);
    const hour = hourStart(t);
    add(hourly, hour, hour + 3600, keys, row);
    const day = localDayStart(t);
    add(daily, day, nextLocalDayStart(day), keys, row);
  }
  for (const r of hourly.values()) st.hourly.run(r.start, ...r.keys, r.bytesIn, r.bytesOut);
  for (const r of daily.values()) st.daily.run(r.start, r.end, ...r.keys, r.bytesIn, r.bytesOut);
  return rows.length;
}
