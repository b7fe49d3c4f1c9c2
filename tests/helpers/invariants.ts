// The engine's invariants, written once for every test that checks them against a real database.
//
// Domain rows explain usage rows: per time key (interval, hour or day) and app, the domain rows add up
// to the app's usage row, in each direction. `domainUsageMismatches` lists every group that breaks it,
// read with plain SQL (not through the query layer), so a failed check shows the offending rows.
import type { ReadableDB } from '../../src-main/engine/store/readable.js';

export type Tier = 'raw' | 'hourly' | 'daily';

const TIME_KEY: Record<Tier, string> = { raw: 'ts', hourly: 'hour_start', daily: 'day_start' };

/** One group (time key and app) whose domain rows do not add up to its usage row; null: no such row. */
export interface DomainUsageMismatch {
  at: number;
  appId: number;
  usageIn: number | null;
  usageOut: number | null;
  domainsIn: number | null;
  domainsOut: number | null;
}

export interface DomainUsageOptions {
  tier?: Tier;
  /** Only this app (by name). */
  app?: string;
  /** Only time keys in (since, until]. */
  since?: number;
  until?: number;
  /**
   * Also a usage row without any domain row breaks the invariant (true: the default, every byte of an
   * app is explained by its domain rows); false checks only the groups that have domain rows.
   */
  everyUsageRow?: boolean;
}

/** The groups that break "the domain rows add up to the usage row"; [] when it holds. */
export function domainUsageMismatches(db: ReadableDB, options: DomainUsageOptions = {}): DomainUsageMismatch[] {
  const tier = options.tier ?? 'raw';
  const key = TIME_KEY[tier];
  const where = [
    options.app === undefined ? null : 'app_id = (SELECT id FROM apps WHERE name = $app)',
    options.since === undefined ? null : `${key} > $since`,
    options.until === undefined ? null : `${key} <= $until`,
  ].filter((w) => w !== null);
  const filter = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  const missingUsage = 'SELECT d.at, d.app_id, NULL, NULL, d.i, d.o FROM d LEFT JOIN u USING (at, app_id) WHERE u.i IS NULL';
  const sql = `
    WITH u AS (SELECT ${key} AS at, app_id, sum(bytes_in) AS i, sum(bytes_out) AS o FROM usage_${tier} ${filter} GROUP BY ${key}, app_id),
         d AS (SELECT ${key} AS at, app_id, sum(bytes_in) AS i, sum(bytes_out) AS o FROM domain_${tier} ${filter} GROUP BY ${key}, app_id)
    SELECT at, app_id AS appId, usageIn, usageOut, domainsIn, domainsOut FROM (
      SELECT u.at, u.app_id, u.i AS usageIn, u.o AS usageOut, d.i AS domainsIn, d.o AS domainsOut FROM u LEFT JOIN d USING (at, app_id)
       WHERE ${options.everyUsageRow === false ? 'd.i IS NOT NULL AND (' : '('}d.i IS NULL OR d.i != u.i OR d.o != u.o)
      UNION ALL ${missingUsage})
    ORDER BY at, appId`;
  const params: Record<string, unknown> = {};
  if (options.app !== undefined) params['app'] = options.app;
  if (options.since !== undefined) params['since'] = options.since;
  if (options.until !== undefined) params['until'] = options.until;
  return db.prepare(sql).all(params) as DomainUsageMismatch[];
}

/** How many (time key, app) groups have domain rows in a tier: that the invariant was checked on something. */
export function domainGroups(db: ReadableDB, tier: Tier): number {
  const key = TIME_KEY[tier];
  return db.prepare(`SELECT count(*) FROM (SELECT 1 FROM domain_${tier} GROUP BY ${key}, app_id)`).pluck().get() as number;
}
