// Where retention has cut each tier. A tier is complete from its `*_from` instant on; before it only
// coarser tiers hold data. Absent keys mean nothing was ever cut.
import type Database from 'better-sqlite3';
import type { ReadableDB } from './readable.js';
import { cachedStatement } from './statements.js';

/** From which instant (epoch s) each fine tier still holds every row; -Infinity when never cut. */
export interface Coverage {
  rawFrom: number;
  hourlyFrom: number;
}

const KEYS = { rawFrom: 'raw_from', hourlyFrom: 'hourly_from' } as const;

/** Reads the tiers' coverage. */
export function readCoverage(db: ReadableDB): Coverage {
  const rows = cachedStatement(db, 'SELECT key, value FROM meta WHERE key IN (?, ?)').all(KEYS.rawFrom, KEYS.hourlyFrom) as { key: string; value: number }[];
  const get = (key: string): number => rows.find((r) => r.key === key)?.value ?? Number.NEGATIVE_INFINITY;
  return { rawFrom: get(KEYS.rawFrom), hourlyFrom: get(KEYS.hourlyFrom) };
}

/** Moves a tier's coverage start forward (never back: deleted rows do not come back). */
export function advanceCoverage(db: Database.Database, tier: keyof Coverage, from: number): void {
  cachedStatement(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)').run(KEYS[tier], from);
}
