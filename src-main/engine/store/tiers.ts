// The families of tiers: usage (schema v1), domain (v3) and network (v7) rows each live in three tables
// (`*_raw`, `*_hourly`, `*_daily`) that differ only by their key columns. Their table definitions (for
// the migrations) and their upserts (for the flush, write.ts) are written here once, from one template
// per tier with the family's keys as the parameter. The migrations' text is what SQLite stores in the
// schema, so the template reproduces it to the character (tests/integration/store-schema.test.ts).

/** One key column of a family: its name and the rest of its definition. */
export interface TierKey {
  name: string;
  definition: string;
}

/** A family of tiers: the tables' prefix and the key columns after the time. */
export interface TierFamily {
  prefix: string;
  keys: readonly TierKey[];
  /** Whether each tier has an index by app then time (`<prefix>_raw_app_ts` and the like). */
  appIndexes: boolean;
}

export type Tier = 'raw' | 'hourly' | 'daily';

const APP: TierKey = { name: 'app_id', definition: 'INTEGER NOT NULL REFERENCES apps (id)' };

/** Usage (v1): per (time, app). */
export const USAGE_TIERS: TierFamily = { prefix: 'usage', keys: [APP], appIndexes: true };

/** Domains (v3): per (time, app, domain, estimate); `estimate` 1 where the active tab placed the bytes. */
export const DOMAIN_TIERS: TierFamily = {
  prefix: 'domain',
  keys: [APP, { name: 'domain_id', definition: 'INTEGER NOT NULL REFERENCES domains (id)' }, { name: 'estimate', definition: 'INTEGER NOT NULL CHECK (estimate IN (0, 1))' }],
  appIndexes: true,
};

/** Networks (v7): per (time, network, interface, app). */
export const NETWORK_TIERS: TierFamily = {
  prefix: 'network',
  keys: [{ name: 'network_id', definition: 'INTEGER NOT NULL REFERENCES networks (id)' }, { name: 'iface', definition: 'TEXT NOT NULL CHECK (length(iface) <= 64)' }, APP],
  appIndexes: false,
};

/** Each tier's time columns (the first is the key's) and whether it keeps the interval's length. */
const TIME: Record<Tier, { columns: readonly TierKey[]; index: string; duration: boolean }> = {
  raw: { columns: [{ name: 'ts', definition: 'INTEGER NOT NULL' }], index: 'app_ts', duration: true },
  hourly: { columns: [{ name: 'hour_start', definition: 'INTEGER NOT NULL CHECK (hour_start % 3600 = 0)' }], index: 'app_hour', duration: false },
  daily: {
    columns: [
      { name: 'day_start', definition: 'INTEGER NOT NULL' },
      { name: 'day_end', definition: 'INTEGER NOT NULL CHECK (day_end > day_start)' },
    ],
    index: 'app_day',
    duration: false,
  },
};

const DURATION: TierKey = { name: 'duration_s', definition: 'INTEGER NOT NULL CHECK (duration_s >= 0)' };
const BYTES: readonly TierKey[] = [
  { name: 'bytes_in', definition: 'INTEGER NOT NULL CHECK (bytes_in >= 0)' },
  { name: 'bytes_out', definition: 'INTEGER NOT NULL CHECK (bytes_out >= 0)' },
];

const names = (columns: readonly TierKey[]): string => columns.map((c) => c.name).join(', ');

/** The tier's columns in table order: time, keys, duration (raw), bytes. */
function columnsOf(family: TierFamily, tier: Tier): TierKey[] {
  return [...TIME[tier].columns, ...family.keys, ...(TIME[tier].duration ? [DURATION] : []), ...BYTES];
}

/** The tier's primary key: its time, then the family's keys. */
function keyOf(family: TierFamily, tier: Tier): string {
  return names([TIME[tier].columns[0]!, ...family.keys]);
}

/** The family's three tables (and their app indexes), as the migration that made them wrote them. */
export function tierTablesSql(family: TierFamily): string {
  return (['raw', 'hourly', 'daily'] as const)
    .map((tier) => {
      const table = `${family.prefix}_${tier}`;
      const lines = [...columnsOf(family, tier).map((c) => `  ${c.name} ${c.definition}`), `  PRIMARY KEY (${keyOf(family, tier)})`];
      const index = family.appIndexes ? `\nCREATE INDEX ${table}_${TIME[tier].index} ON ${table} (app_id, ${TIME[tier].columns[0]!.name});` : '';
      return `CREATE TABLE ${table} (\n${lines.join(',\n')}\n) STRICT, WITHOUT ROWID;${index}\n`;
    })
    .join('\n');
}

/**
 * The family's three upserts, parameters in table order (raw: ts, …keys, duration_s, in, out; hourly:
 * hour_start, …keys, in, out; daily: day_start, day_end, …keys, in, out): bytes add up, a raw row keeps
 * the longer interval.
 */
export function tierUpsertSql(family: TierFamily): Record<Tier, string> {
  const upsert = (tier: Tier): string => {
    const columns = columnsOf(family, tier);
    const duration = TIME[tier].duration ? ' duration_s = max(duration_s, excluded.duration_s),' : '';
    return `INSERT INTO ${family.prefix}_${tier} (${names(columns)}) VALUES (${columns.map(() => '?').join(', ')})
        ON CONFLICT (${keyOf(family, tier)}) DO UPDATE SET${duration}
          bytes_in = bytes_in + excluded.bytes_in, bytes_out = bytes_out + excluded.bytes_out`;
  };
  return { raw: upsert('raw'), hourly: upsert('hourly'), daily: upsert('daily') };
}

/** The family's key column names, in key order (purge.ts). */
export function tierKeyNames(family: TierFamily): string[] {
  return family.keys.map((k) => k.name);
}
