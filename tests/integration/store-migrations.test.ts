// The migration framework on real files: from empty, from each earlier version (v1 to v7, with a
// fake next version defined here), all pending steps in one transaction, a failed step leaving nothing behind;
// v2 (browser reports) over a v1 database that already got the table from the API's first-use
// creation before v2 existed; and v8 (the extension's report ids on browser reports).
process.env.TZ = 'Europe/Berlin';
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DB_FILE_NAME, DatabaseTooNewError, MIGRATIONS, SCHEMA_VERSION, migrate, openDatabase, openStore, type Migration } from '../../src-main/engine/store/index.js';
import { tempDataDir } from '../helpers/store.js';
import { sideConnection } from '../helpers/side-connection.js';

const v1 = MIGRATIONS[0] as Migration;
const v2 = MIGRATIONS[1] as Migration;
const NEXT = MIGRATIONS.length + 1;

// A plausible next step: domains per app per interval, with a backfill from existing data.
const fakeV3: Migration = {
  version: NEXT,
  name: 'test: domains',
  up(db) {
    db.exec(`CREATE TABLE usage_domain (ts INTEGER NOT NULL, app_id INTEGER NOT NULL REFERENCES apps (id), domain TEXT NOT NULL,
               bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, PRIMARY KEY (ts, app_id, domain)) STRICT, WITHOUT ROWID`);
    db.exec("INSERT INTO usage_domain SELECT ts, app_id, '(unknown)', bytes_in, bytes_out FROM usage_raw");
  },
};

const failingV3: Migration = {
  version: NEXT,
  name: 'test: fails halfway',
  up(db) {
    db.exec('CREATE TABLE half_done (x INTEGER) STRICT');
    db.exec('INSERT INTO no_such_table VALUES (1)');
  },
};

// What the HTTP API ran on first use before migration v2 existed (src-main/api/browser-reports.ts at
// commit 1772efc), verbatim: databases in the wild may hold this table at user_version 1.
const FIRST_USE_DDL = `
CREATE TABLE IF NOT EXISTS browser_reports (
  id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  hostname TEXT NOT NULL CHECK (length(hostname) BETWEEN 1 AND 253 AND hostname = lower(hostname)
    AND hostname NOT GLOB '*[^a-z0-9._-]*'),
  domain TEXT NOT NULL CHECK (length(domain) BETWEEN 1 AND 253 AND domain NOT GLOB '*[^a-z0-9._-]*'),
  browser TEXT NOT NULL CHECK (length(browser) BETWEEN 1 AND 32)
) STRICT;
CREATE INDEX IF NOT EXISTS browser_reports_ts ON browser_reports (ts);
`;

/** A database at `version` (1 to 7) with two usage rows (30 bytes in). */
function databaseAt(version: number): string {
  const dir = tempDataDir();
  const store = openStore({ dataDir: dir, migrations: MIGRATIONS.slice(0, version) });
  store.append([
    { ts: 1_720_000_005, durationS: 5, app: 'a', bytesIn: 10, bytesOut: 1 },
    { ts: 1_720_000_010, durationS: 5, app: 'b', bytesIn: 20, bytesOut: 2 },
  ]);
  expect(store.flush().ok).toBe(true);
  store.close();
  return dir;
}

/** The v1 database of a netmon that ran the HTTP API: the table made on first use, with reports in it. */
function v1WithFirstUseTable(ddl = FIRST_USE_DDL, rows: [number, string, string, string][] = [[1_720_000_000, 'www.netflix.com', 'netflix.com', 'zen']]): string {
  const dir = databaseAt(1);
  const raw = new Database(path.join(dir, DB_FILE_NAME));
  raw.exec(ddl);
  const insert = raw.prepare('INSERT INTO browser_reports (received_at, ts, hostname, domain, browser) VALUES (?, ?, ?, ?, ?)');
  for (const [ts, hostname, domain, browser] of rows) insert.run(ts + 1, ts, hostname, domain, browser);
  expect(raw.pragma('user_version', { simple: true })).toBe(1);
  raw.close();
  return dir;
}

const tablesOf = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((n) => !n.startsWith('sqlite_'));

const indexesOf = (db: Database.Database, table: string): string[] =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name").pluck().all(table) as string[]);

describe('migrations', () => {
  it('the application migrations are numbered from 1 without holes', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(8);
  });

  it('from empty to the newest, in one go', () => {
    const dir = tempDataDir();
    const { db, migratedFrom, schemaVersion } = openDatabase(dir, { migrations: [...MIGRATIONS, fakeV3] });
    expect({ migratedFrom, schemaVersion }).toEqual({ migratedFrom: 0, schemaVersion: NEXT });
    expect(db.pragma('user_version', { simple: true })).toBe(NEXT);
    expect(tablesOf(db)).toEqual(expect.arrayContaining(['usage_raw', 'browser_reports', 'domain_raw', 'domain_hourly', 'domain_daily', 'domains', 'usage_domain']));
    db.close();
  });

  it.each([1, 2, 3, 4, 5, 6, 7])('from v%i with data to the newest and to a fake next version, keeping and backfilling the data', (version) => {
    const dir = databaseAt(version);
    const { db: newest, migratedFrom } = openDatabase(dir);
    expect({ migratedFrom, version: newest.pragma('user_version', { simple: true }) }).toEqual({ migratedFrom: version, version: SCHEMA_VERSION });
    expect(tablesOf(newest)).toContain('browser_reports');
    expect(newest.prepare('SELECT sum(bytes_in) FROM usage_raw').pluck().get()).toBe(30);
    // v7: rows from before per-network tiers are under the "unknown network", in every tier (a v7
    // database's flush wrote its own).
    for (const tier of version < 7 ? ['raw', 'hourly', 'daily'] : []) {
      expect(newest.prepare(`SELECT n.key, n.label, t.iface, sum(t.bytes_in) FROM network_${tier} t JOIN networks n ON n.id = t.network_id GROUP BY 1, 2, 3`).raw().all()).toEqual([
        ['unknown', 'unknown network', '', newest.prepare(`SELECT sum(bytes_in) FROM usage_${tier}`).pluck().get()],
      ]);
    }
    newest.close();
    const { db, schemaVersion } = openDatabase(dir, { migrations: [...MIGRATIONS, fakeV3] });
    expect(schemaVersion).toBe(NEXT);
    expect(db.prepare('SELECT sum(bytes_in) FROM usage_domain').pluck().get()).toBe(30);
    expect(db.prepare('SELECT count(*) FROM usage_raw').pluck().get()).toBe(2);
    db.close();
    // And the app that knows only the current version now refuses the upgraded file.
    expect(() => openDatabase(dir)).toThrow(DatabaseTooNewError);
  });

  it('from v1 straight to the fake next version: every pending step in one go', () => {
    const dir = databaseAt(1);
    const { db, migratedFrom, schemaVersion } = openDatabase(dir, { migrations: [...MIGRATIONS, fakeV3] });
    expect({ migratedFrom, schemaVersion }).toEqual({ migratedFrom: 1, schemaVersion: NEXT });
    expect(tablesOf(db)).toEqual(expect.arrayContaining(['browser_reports', 'domain_raw', 'usage_domain']));
    db.close();
  });

  it('a failing step rolls back every pending step (from empty: not even v1 stays)', () => {
    const dir = tempDataDir();
    const dbPath = path.join(dir, DB_FILE_NAME);
    expect(() => openDatabase(dir, { migrations: [...MIGRATIONS, failingV3] })).toThrow(/no such table: no_such_table/);
    const raw = new Database(dbPath, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(tablesOf(raw)).toEqual([]);
    raw.close();
  });

  it.each([1, 2, 3, 4, 5, 6, 7])('a failing step on a v%i database leaves that version and its data intact', (version) => {
    const dir = databaseAt(version);
    expect(() => openDatabase(dir, { migrations: [...MIGRATIONS, failingV3] })).toThrow(/no_such_table/);
    const raw = new Database(path.join(dir, DB_FILE_NAME), { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(version);
    expect(tablesOf(raw)).not.toContain('half_done');
    // From v1, v2 ran in the same transaction: its table went with the failure.
    expect(tablesOf(raw).includes('browser_reports')).toBe(version >= 2);
    expect(tablesOf(raw).includes('domain_raw')).toBe(version >= 3);
    expect(raw.prepare('SELECT sum(bytes_in) FROM usage_raw').pluck().get()).toBe(30);
    raw.close();
  });

  it('refuses a list with a hole or out of order', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [v2])).toThrow(/has version 2, expected 1/);
    expect(() => migrate(db, [v1, fakeV3])).toThrow(new RegExp(`has version ${NEXT}, expected 2`));
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    db.close();
  });
});

describe('v6: domain tiers by domain', () => {
  it('indexes the hourly and daily domain tiers on the domain, from a v5 database with its rows', () => {
    const dir = databaseAt(5);
    const { db, migratedFrom } = openDatabase(dir);
    try {
      expect(migratedFrom).toBe(5);
      expect(indexesOf(db, 'domain_hourly')).toEqual(['domain_hourly_app_hour', 'domain_hourly_domain_hour']);
      expect(indexesOf(db, 'domain_daily')).toEqual(['domain_daily_app_day', 'domain_daily_day_domain', 'domain_daily_domain_day']);
      const plan = (sql: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
      expect(plan('SELECT sum(bytes_in) FROM domain_hourly WHERE domain_id = 1 AND hour_start >= 0 AND hour_start < 3600')).toMatch(/USING INDEX domain_hourly_domain_hour \(domain_id=\? AND hour_start>\? AND hour_start<\?\)/);
      expect(plan('SELECT sum(bytes_in) FROM domain_daily WHERE domain_id = 1 AND day_start >= 0 AND day_start < 86400')).toMatch(/USING INDEX domain_daily_domain_day \(domain_id=\? AND day_start>\? AND day_start<\?\)/);
      expect(plan('SELECT day_start, domain_id, sum(bytes_in + bytes_out) FROM domain_daily WHERE day_start >= 0 AND day_start < 86400 GROUP BY day_start, domain_id')).toMatch(
        /^SEARCH domain_daily USING COVERING INDEX domain_daily_day_domain \(day_start>\? AND day_start<\?\)$/,
      );
      expect(db.prepare('SELECT sum(bytes_in) FROM usage_raw').pluck().get()).toBe(30);
    } finally {
      db.close();
    }
  });
});

describe('v2: browser reports', () => {
  it('creates a STRICT table whose CHECKs refuse a URL, with an index on the report time', () => {
    const { db } = openDatabase(tempDataDir());
    try {
      expect(db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'browser_reports'").pluck().get()).toBe(1);
      expect(indexesOf(db, 'browser_reports')).toEqual(['browser_reports_ts']);
      const insert = db.prepare('INSERT INTO browser_reports (received_at, ts, hostname, domain, browser) VALUES (1, 1, ?, ?, ?)');
      for (const [host, domain] of [
        ['https://netflix.com/watch', 'netflix.com'],
        ['netflix.com/watch?v=1', 'netflix.com'],
        ['Netflix.com', 'netflix.com'],
        ['net flix.com', 'netflix.com'],
        ['netflix.com:443', 'netflix.com'],
        ['', 'netflix.com'],
        ['netflix.com', 'https://netflix.com'],
      ]) {
        expect(() => insert.run(host, domain, 'zen'), host).toThrow(/CHECK constraint failed/);
      }
      expect(() => db.prepare("INSERT INTO browser_reports (received_at, ts, hostname, domain, browser) VALUES ('now', 1, 'a.com', 'a.com', 'zen')").run()).toThrow(
        /cannot store TEXT value in INTEGER column/,
      );
      insert.run('www.netflix.com', 'netflix.com', 'zen');
      expect(db.prepare('SELECT count(*) FROM browser_reports').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });

  it('upgrades a v1 database that already has the table from first-use creation, keeping its reports', () => {
    const dir = v1WithFirstUseTable(FIRST_USE_DDL, [
      [1_720_000_000, 'www.netflix.com', 'netflix.com', 'zen'],
      [1_720_000_060, 'bbc.co.uk', 'bbc.co.uk', 'chrome'],
    ]);
    const before = new Database(path.join(dir, DB_FILE_NAME), { readonly: true });
    const schemaBefore = before.prepare("SELECT sql, rootpage FROM sqlite_schema WHERE name = 'browser_reports'").get() as { sql: string; rootpage: number };
    before.close();
    // Through v7: the same table, not a rebuilt one (same definition, same b-tree).
    const atV7 = openDatabase(dir, { migrations: MIGRATIONS.slice(0, 7) });
    expect(atV7.db.prepare("SELECT sql, rootpage FROM sqlite_schema WHERE name = 'browser_reports'").get()).toEqual(schemaBefore);
    atV7.db.close();
    const store = openStore({ dataDir: dir });
    try {
      expect(store.health().schemaVersion).toBe(SCHEMA_VERSION);
      const db = sideConnection(store, { readonly: true });
      onTestFinished(() => void db.close());
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      // Still the same table (the same b-tree; v8 added its column to the definition), its rows with their ids.
      expect(db.prepare("SELECT sql, rootpage FROM sqlite_schema WHERE name = 'browser_reports'").get()).toEqual({
        sql: schemaBefore.sql.replace(/\n\) STRICT$/, `\n, report_id TEXT\n  CHECK (report_id IS NULL OR (length(report_id) = 32 AND report_id NOT GLOB '*[^0-9a-f]*'))) STRICT`),
        rootpage: schemaBefore.rootpage,
      });
      expect(db.prepare('SELECT id, ts, hostname, domain, browser FROM browser_reports ORDER BY id').all()).toEqual([
        { id: 1, ts: 1_720_000_000, hostname: 'www.netflix.com', domain: 'netflix.com', browser: 'zen' },
        { id: 2, ts: 1_720_000_060, hostname: 'bbc.co.uk', domain: 'bbc.co.uk', browser: 'chrome' },
      ]);
      expect(indexesOf(db, 'browser_reports')).toEqual(['browser_reports_ts']);
      expect(db.prepare('SELECT sum(bytes_in) FROM usage_raw').pluck().get()).toBe(30);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      store.close();
    }
    // Reopening does not migrate again.
    const again = openDatabase(dir);
    expect(again.migratedFrom).toBe(SCHEMA_VERSION);
    again.db.close();
  });

  it('rebuilds a browser_reports table of another shape, dropping the rows the rules refuse', () => {
    // A looser table (no CHECKs, not STRICT) that let a URL and a text timestamp in.
    const loose = `CREATE TABLE browser_reports (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, ts INTEGER NOT NULL,
      hostname TEXT NOT NULL, domain TEXT NOT NULL, browser TEXT NOT NULL);
      CREATE INDEX browser_reports_ts ON browser_reports (ts);`;
    const dir = v1WithFirstUseTable(loose, [
      [1_720_000_000, 'www.netflix.com', 'netflix.com', 'zen'],
      [1_720_000_001, 'https://netflix.com/watch?v=secret', 'netflix.com', 'zen'],
      [1_720_000_002, 'example.org', 'example.org', 'firefox'],
    ]);
    const raw = new Database(path.join(dir, DB_FILE_NAME));
    raw.prepare("INSERT INTO browser_reports (received_at, ts, hostname, domain, browser) VALUES (1, 'soon', 'a.com', 'a.com', 'zen')").run();
    raw.close();
    const { db, migratedFrom } = openDatabase(dir);
    try {
      expect(migratedFrom).toBe(1);
      expect(db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'browser_reports'").pluck().get()).toBe(1);
      expect(db.prepare('SELECT id, hostname FROM browser_reports ORDER BY id').all()).toEqual([
        { id: 1, hostname: 'www.netflix.com' },
        { id: 3, hostname: 'example.org' },
      ]);
      expect(tablesOf(db).filter((t) => t.startsWith('browser_reports'))).toEqual(['browser_reports']);
      expect(indexesOf(db, 'browser_reports')).toEqual(['browser_reports_ts']);
      expect(() => db.prepare("INSERT INTO browser_reports (received_at, ts, hostname, domain, browser) VALUES (1, 1, 'a.com/x', 'a.com', 'zen')").run()).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });
});

describe('v8: report ids of browser reports', () => {
  it('adds the report id to a v7 table, its rows kept without one, and refuses anything but 32 hex characters', () => {
    const dir = databaseAt(7);
    const raw = new Database(path.join(dir, DB_FILE_NAME));
    raw.prepare("INSERT INTO browser_reports (received_at, ts, hostname, domain, browser) VALUES (2, 1, 'www.netflix.com', 'netflix.com', 'zen')").run();
    raw.close();
    const { db, migratedFrom } = openDatabase(dir);
    try {
      expect(migratedFrom).toBe(7);
      expect(db.prepare('SELECT id, hostname, report_id FROM browser_reports').all()).toEqual([{ id: 1, hostname: 'www.netflix.com', report_id: null }]);
      const insert = db.prepare("INSERT INTO browser_reports (received_at, ts, hostname, domain, browser, report_id) VALUES (1, 1, 'a.com', 'a.com', 'zen', ?)");
      for (const bad of ['https://a.com/watch?v=0123456789abcdef0123456789ab', '0123456789ABCDEF0123456789ABCDEF', '0123456789abcdef', '0123456789abcdef0123456789abcdef0', 'a.com', '']) {
        expect(() => insert.run(bad), bad).toThrow(/CHECK constraint failed/);
      }
      insert.run('0123456789abcdef0123456789abcdef');
      insert.run(null);
      expect(db.prepare('SELECT report_id FROM browser_reports ORDER BY id').pluck().all()).toEqual([null, '0123456789abcdef0123456789abcdef', null]);
    } finally {
      db.close();
    }
  });
});
