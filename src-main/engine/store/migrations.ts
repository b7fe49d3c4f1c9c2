// Numbered schema migrations, tracked by `PRAGMA user_version`. All pending migrations run in ONE
// transaction (user_version is part of the database header, so it commits or rolls back with them).
// A database newer than the newest migration is refused before anything is written.
import type Database from 'better-sqlite3';
import { UNATTRIBUTED } from '../types.js';
import { DatabaseTooNewError } from './errors.js';
import { DOMAIN_TIERS, NETWORK_TIERS, USAGE_TIERS, tierTablesSql } from './tiers.js';

/** One schema step: `up` moves the database from `version - 1` to `version`. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

// Why this shape:
// - usage_raw: one row per (interval end, app), non-zero only; kept `data_retention_days_raw` days.
// - usage_hourly / usage_daily: rollups upserted in the SAME transaction as the raw rows, so every
//   tier is always current; retention then only deletes old raw and hourly rows.
// - usage_daily is keyed by the local day's start (local midnight, epoch s) at write time, and
//   carries its end so a 23- or 25-hour day describes itself.
// - WITHOUT ROWID: the primary key is the clustered key that range queries walk; no second copy.
// - meta holds where retention has cut each tier (`raw_from`, `hourly_from`): the query layer needs
//   to know from when a tier is complete, which the presence of rows cannot tell.
const V1 = `
CREATE TABLE apps (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

${tierTablesSql(USAGE_TIERS)}
CREATE TABLE processes (
  id INTEGER PRIMARY KEY,
  app_id INTEGER NOT NULL REFERENCES apps (id),
  name TEXT NOT NULL,
  pid INTEGER NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL CHECK (last_seen >= first_seen),
  UNIQUE (app_id, name, pid, path)
) STRICT;
CREATE INDEX processes_app_last_seen ON processes (app_id, last_seen);
CREATE INDEX processes_last_seen ON processes (last_seen);

CREATE TABLE gaps (
  id INTEGER PRIMARY KEY,
  start_ts INTEGER NOT NULL,
  end_ts INTEGER NOT NULL CHECK (end_ts >= start_ts),
  reason TEXT NOT NULL
) STRICT;
CREATE INDEX gaps_end ON gaps (end_ts);
`;

// v2: the browser extension's active-tab reports. Only a normalized hostname and its registrable
// domain, never a URL: the CHECKs repeat the API boundary's rules so that no other writer can put one
// here. Before v2 the HTTP API created this very table on first use, so a table that is already
// there with exactly this definition is kept as it is; any other shape is rebuilt, keeping only the
// rows these rules accept.
const BROWSER_REPORTS_TABLE = `CREATE TABLE browser_reports (
  id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  hostname TEXT NOT NULL CHECK (length(hostname) BETWEEN 1 AND 253 AND hostname = lower(hostname)
    AND hostname NOT GLOB '*[^a-z0-9._-]*'),
  domain TEXT NOT NULL CHECK (length(domain) BETWEEN 1 AND 253 AND domain NOT GLOB '*[^a-z0-9._-]*'),
  browser TEXT NOT NULL CHECK (length(browser) BETWEEN 1 AND 32)
) STRICT`;

/** SQL text compared without regard to whitespace (SQLite keeps a CREATE statement as it was written). */
function sameSql(a: string, b: string): boolean {
  const norm = (s: string): string => s.replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1').trim();
  return norm(a) === norm(b);
}

function createBrowserReports(db: Database.Database): void {
  const existing = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'browser_reports'").pluck().get() as string | undefined;
  if (existing === undefined) {
    db.exec(BROWSER_REPORTS_TABLE);
  } else if (!sameSql(existing, BROWSER_REPORTS_TABLE)) {
    // Its index moves with the renamed table and goes with it.
    db.exec('ALTER TABLE browser_reports RENAME TO browser_reports_before_v2');
    db.exec(BROWSER_REPORTS_TABLE);
    // OR IGNORE skips the rows a CHECK refuses; the typeof tests, the values STRICT would refuse.
    db.exec(`INSERT OR IGNORE INTO browser_reports (id, received_at, ts, hostname, domain, browser)
      SELECT id, received_at, ts, hostname, domain, browser FROM browser_reports_before_v2
       WHERE typeof(id) = 'integer' AND typeof(received_at) = 'integer' AND typeof(ts) = 'integer'
         AND typeof(hostname) = 'text' AND typeof(domain) = 'text' AND typeof(browser) = 'text'`);
    db.exec('DROP TABLE browser_reports_before_v2');
  }
  db.exec('CREATE INDEX IF NOT EXISTS browser_reports_ts ON browser_reports (ts)');
}

// v3: bytes per (interval, app, domain, estimate), from the browser extension's reports joined with
// the sampler's connections (engine/domains). The same three tiers as usage, upserted in the same
// transaction and cut by retention at the same instants, so the query planner's coverage (meta) holds
// for them too. `estimate` is 1 where the active tab placed the bytes, 0 where the server address did.
// Domain names are checked like browser_reports' hostnames: a URL cannot be stored here either.
const V3 = `
CREATE TABLE domains (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 253
    AND (name = '${UNATTRIBUTED}' OR (name = lower(name) AND name NOT GLOB '*[^a-z0-9._-]*')))
) STRICT;

${tierTablesSql(DOMAIN_TIERS)}`;

// v4: the delta engine's baselines, replaced by every flush in the same transaction as its rows, so
// that a restart in the same boot resumes from them (engine/resume). One point (boot id, sampler, the
// sample's time, the interface totals) and the flows' cumulative counters with their owners.
const V4 = `
CREATE TABLE resume_point (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  boot_id TEXT NOT NULL,
  sampler TEXT NOT NULL,
  wall_ms INTEGER NOT NULL,
  cursor_ms INTEGER NOT NULL,
  iface_in INTEGER,
  iface_out INTEGER
) STRICT;

CREATE TABLE resume_flows (
  id TEXT PRIMARY KEY,
  owner TEXT,
  bytes_in INTEGER NOT NULL,
  bytes_out INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;

// v5: data plans, budgets and what their alerts already said (engine/plans). A plan's definition is
// one JSON document (its cycle rule has a shape per kind) beside the network it covers: "all" until
// per-network totals exist, the seam for them. alert_state makes "once per cycle" survive a restart;
// alerts is their log; cycle_history holds one summary per finished cycle and refuses updates.
const V5 = `
CREATE TABLE plans (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  spec TEXT NOT NULL CHECK (json_valid(spec)),
  network TEXT NOT NULL DEFAULT 'all' CHECK (length(network) BETWEEN 1 AND 128),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE budgets (
  id INTEGER PRIMARY KEY,
  target_kind TEXT NOT NULL CHECK (target_kind IN ('app', 'domain')),
  target TEXT NOT NULL CHECK (length(target) BETWEEN 1 AND 256),
  quota_bytes INTEGER NOT NULL CHECK (quota_bytes > 0),
  direction TEXT NOT NULL CHECK (direction IN ('total', 'download', 'upload')),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  updated_at INTEGER NOT NULL,
  UNIQUE (target_kind, target)
) STRICT;

CREATE TABLE plan_calibrations (
  plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  cycle_start INTEGER NOT NULL,
  offset_bytes INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (plan_id, cycle_start)
) STRICT, WITHOUT ROWID;

CREATE TABLE alert_state (
  subject TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (json_valid(state))
) STRICT, WITHOUT ROWID;

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  subject TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('threshold', 'forecast', 'anomaly')),
  percent INTEGER NOT NULL,
  cycle_start INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL
) STRICT;
CREATE INDEX alerts_at ON alerts (at);

CREATE TABLE cycle_history (
  plan_id INTEGER NOT NULL,
  cycle_start INTEGER NOT NULL,
  cycle_end INTEGER NOT NULL CHECK (cycle_end > cycle_start),
  quota_bytes INTEGER NOT NULL,
  used_bytes INTEGER NOT NULL,
  offset_bytes INTEGER NOT NULL,
  overage_bytes INTEGER NOT NULL,
  top TEXT NOT NULL CHECK (json_valid(top)),
  closed_at INTEGER NOT NULL,
  PRIMARY KEY (plan_id, cycle_start)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER cycle_history_immutable BEFORE UPDATE ON cycle_history
BEGIN SELECT RAISE(ABORT, 'a cycle summary is immutable'); END;
`;

// v6: the domain tiers by domain, for the reads that follow one site through time ("what changed"'s
// hourly detail of an anomaly, a site's budget): without them each such read walks every row of the
// range (the primary keys lead on time, the v3 indexes on the app). And bytes per day and site in key
// order, covering, for "what changed"'s daily series: no table lookups and no sort for its GROUP BY.
const V6 = `
CREATE INDEX domain_hourly_domain_hour ON domain_hourly (domain_id, hour_start);
CREATE INDEX domain_daily_domain_day ON domain_daily (domain_id, day_start);
CREATE INDEX domain_daily_day_domain ON domain_daily (day_start, domain_id, bytes_in, bytes_out);
`;

// v7: bytes per network and interface (engine/network/uplinks.ts): the same three tiers as usage, keyed
// by (time, network, interface, app), upserted in the same transaction and cut at the same instants.
// `networks.key` is the uplink's id (`wired:02:…`, `nm:UUID`, or `unknown`); the user's name and
// metered mark (Settings) are kept apart from what netmon guessed. Rows stored before v7 carry no
// network: they are copied as they are under the "unknown network", interface ''.
const V7 = `
CREATE TABLE networks (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE CHECK (length(key) BETWEEN 1 AND 200),
  label TEXT NOT NULL DEFAULT '' CHECK (length(label) <= 200),
  kind TEXT NOT NULL DEFAULT '' CHECK (length(kind) <= 20),
  metered INTEGER CHECK (metered IN (0, 1)),
  metered_reason TEXT NOT NULL DEFAULT '' CHECK (length(metered_reason) <= 200),
  user_label TEXT CHECK (length(user_label) BETWEEN 1 AND 200),
  user_metered INTEGER CHECK (user_metered IN (0, 1)),
  last_seen INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO networks (key, label) VALUES ('unknown', 'unknown network');

${tierTablesSql(NETWORK_TIERS)}
-- The hour's ledger (engine/network/ledger.ts): sums added by every flush; doctor reads it back.
CREATE TABLE network_ledger (
  hour_start INTEGER PRIMARY KEY CHECK (hour_start % 3600 = 0),
  physical_in INTEGER NOT NULL CHECK (physical_in >= 0),
  physical_out INTEGER NOT NULL CHECK (physical_out >= 0),
  attributed_in INTEGER NOT NULL CHECK (attributed_in >= 0),
  attributed_out INTEGER NOT NULL CHECK (attributed_out >= 0),
  overhead_in INTEGER NOT NULL CHECK (overhead_in >= 0),
  overhead_out INTEGER NOT NULL CHECK (overhead_out >= 0),
  excluded_in INTEGER NOT NULL CHECK (excluded_in >= 0),
  excluded_out INTEGER NOT NULL CHECK (excluded_out >= 0),
  unknown_intervals INTEGER NOT NULL CHECK (unknown_intervals >= 0)
) STRICT;

INSERT INTO network_raw SELECT ts, (SELECT id FROM networks WHERE key = 'unknown'), '', app_id, duration_s, bytes_in, bytes_out FROM usage_raw;
INSERT INTO network_hourly SELECT hour_start, (SELECT id FROM networks WHERE key = 'unknown'), '', app_id, bytes_in, bytes_out FROM usage_hourly;
INSERT INTO network_daily SELECT day_start, day_end, (SELECT id FROM networks WHERE key = 'unknown'), '', app_id, bytes_in, bytes_out FROM usage_daily;
`;

// v8: the extension's report id with each active-tab report: 32 random hexadecimal characters the
// extension draws for a report and sends again with every retry (nothing of the page, and the CHECK
// refuses anything else); NULL for a report from an extension that sends none, and for rows from
// before v8. It tells a report sent twice apart from two reports of the same tab in the same second.
const V8 = `ALTER TABLE browser_reports ADD COLUMN report_id TEXT
  CHECK (report_id IS NULL OR (length(report_id) = 32 AND report_id NOT GLOB '*[^0-9a-f]*'))`;

/** The application's migrations, oldest first. Append; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'usage tiers, apps, processes, gaps',
    up(db) {
      db.exec(V1);
      db.prepare('INSERT INTO apps (name) VALUES (?)').run(UNATTRIBUTED);
    },
  },
  { version: 2, name: 'browser reports', up: createBrowserReports },
  { version: 3, name: 'domain usage tiers', up: (db) => db.exec(V3) },
  { version: 4, name: 'resume baselines', up: (db) => db.exec(V4) },
  { version: 5, name: 'plans, budgets, alerts, cycle history', up: (db) => db.exec(V5) },
  { version: 6, name: 'domain tiers by domain', up: (db) => db.exec(V6) },
  { version: 7, name: 'per-network usage tiers', up: (db) => db.exec(V7) },
  { version: 8, name: 'report ids of browser reports', up: (db) => db.exec(V8) },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Reads `PRAGMA user_version`. */
export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
}

/** What `migrate` did. */
export interface MigrationOutcome {
  from: number;
  to: number;
}

/**
 * Brings the schema to the newest of `migrations`, all pending steps in one transaction.
 * Throws `DatabaseTooNewError` (having written nothing) when the database is newer.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, path = db.name): MigrationOutcome {
  checkSequence(migrations);
  const latest = migrations.length;
  const from = userVersion(db);
  if (from > latest) throw new DatabaseTooNewError(path, from, latest);
  if (from === latest) return { from, to: from };
  const pending = migrations.slice(from);
  db.transaction(() => {
    for (const m of pending) {
      m.up(db);
      // A pragma takes no bound parameters; the version is an integer we checked above.
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
  return { from, to: latest };
}
