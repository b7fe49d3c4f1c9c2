// The migration framework on real files: from empty, from each earlier version (v1, with a fake v2
// defined here), all pending steps in one transaction, a failed step leaving nothing behind.
process.env.TZ = 'Europe/Berlin';
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE_NAME, DatabaseTooNewError, MIGRATIONS, SCHEMA_VERSION, migrate, openDatabase, openStore, type Migration } from '../../src-main/engine/store/index.js';
import { tempDataDir } from './store-helpers.js';

const v1 = MIGRATIONS[0] as Migration;

// A plausible next step: domains per app per interval, with a backfill from existing data.
const fakeV2: Migration = {
  version: 2,
  name: 'test: domains',
  up(db) {
    db.exec(`CREATE TABLE usage_domain (ts INTEGER NOT NULL, app_id INTEGER NOT NULL REFERENCES apps (id), domain TEXT NOT NULL,
               bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, PRIMARY KEY (ts, app_id, domain)) STRICT, WITHOUT ROWID`);
    db.exec("INSERT INTO usage_domain SELECT ts, app_id, '(unknown)', bytes_in, bytes_out FROM usage_raw");
  },
};

const failingV2: Migration = {
  version: 2,
  name: 'test: fails halfway',
  up(db) {
    db.exec('CREATE TABLE half_done (x INTEGER) STRICT');
    db.exec('INSERT INTO no_such_table VALUES (1)');
  },
};

const tablesOf = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((n) => !n.startsWith('sqlite_'));

describe('migrations', () => {
  it('the application migrations are numbered from 1 without holes', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('from empty to the newest, in one go', () => {
    const dir = tempDataDir();
    const { db, migratedFrom, schemaVersion } = openDatabase(dir, { migrations: [v1, fakeV2] });
    expect({ migratedFrom, schemaVersion }).toEqual({ migratedFrom: 0, schemaVersion: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(tablesOf(db)).toContain('usage_domain');
    db.close();
  });

  it('from v1 with data to a fake v2, keeping and backfilling the data', () => {
    const dir = tempDataDir();
    const store = openStore({ dataDir: dir });
    store.append([
      { ts: 1_720_000_005, durationS: 5, app: 'a', bytesIn: 10, bytesOut: 1 },
      { ts: 1_720_000_010, durationS: 5, app: 'b', bytesIn: 20, bytesOut: 2 },
    ]);
    expect(store.flush().ok).toBe(true);
    store.close();
    const { db, migratedFrom, schemaVersion } = openDatabase(dir, { migrations: [v1, fakeV2] });
    expect({ migratedFrom, schemaVersion }).toEqual({ migratedFrom: 1, schemaVersion: 2 });
    expect(db.prepare('SELECT sum(bytes_in) FROM usage_domain').pluck().get()).toBe(30);
    expect(db.prepare('SELECT count(*) FROM usage_raw').pluck().get()).toBe(2);
    db.close();
    // And the app that knows only v1 now refuses the upgraded file.
    expect(() => openDatabase(dir)).toThrow(DatabaseTooNewError);
  });

  it('a failing step rolls back every pending step (from empty: not even v1 stays)', () => {
    const dir = tempDataDir();
    const dbPath = path.join(dir, DB_FILE_NAME);
    expect(() => openDatabase(dir, { migrations: [v1, failingV2] })).toThrow(/no such table: no_such_table/);
    const raw = new Database(dbPath, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(tablesOf(raw)).toEqual([]);
    raw.close();
  });

  it('a failing step on a v1 database leaves v1 and its data intact', () => {
    const dir = tempDataDir();
    const store = openStore({ dataDir: dir });
    store.append([{ ts: 1_720_000_005, durationS: 5, app: 'a', bytesIn: 10, bytesOut: 1 }]);
    store.flush();
    store.close();
    expect(() => openDatabase(dir, { migrations: [v1, failingV2] })).toThrow(/no_such_table/);
    const { db, migratedFrom } = openDatabase(dir);
    expect(migratedFrom).toBe(1);
    expect(tablesOf(db)).not.toContain('half_done');
    expect(db.prepare('SELECT sum(bytes_in) FROM usage_raw').pluck().get()).toBe(10);
    db.close();
  });

  it('refuses a list with a hole or out of order', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [fakeV2])).toThrow(/has version 2, expected 1/);
    expect(() => migrate(db, [v1, { ...fakeV2, version: 3 }])).toThrow(/expected 2/);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    db.close();
  });
});
