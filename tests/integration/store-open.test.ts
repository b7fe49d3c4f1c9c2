// Opening the database for real: private modes, pragmas, STRICT tables, a newer database refused
// untouched, damaged files moved aside byte for byte, and a read-only folder refused clearly.
process.env.TZ = 'Europe/Berlin';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DB_FILE_NAME,
  DatabaseTooNewError,
  DatabaseUnusableError,
  PAGE_CACHE_KIB,
  openDatabase,
  openStore,
  requestIntegrityCheck,
  verifyDatabase,
} from '../../src-main/engine/store/index.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';
import { tempDataDir, tempRoot } from '../helpers/store.js';
import { sideConnection } from '../helpers/side-connection.js';

const modeOf = (p: string): number => statSync(p).mode & 0o777;
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const isRoot = process.getuid?.() === 0;

/** A database with some usage in it, closed (WAL checkpointed into the main file). */
function populated(dataDir: string, rows = 3000): string {
  const store = openStore({ dataDir });
  const base = Date.UTC(2024, 6, 10) / 1000;
  store.append(Array.from({ length: rows }, (_, i) => ({ ts: base + i * 5, durationS: 5, app: `app${i % 9}`, bytesIn: 1000 + i, bytesOut: i })));
  expect(store.flush().ok).toBe(true);
  store.close();
  return path.join(dataDir, DB_FILE_NAME);
}

function corruptFiles(dataDir: string): string[] {
  return readdirSync(dataDir).filter((f) => f.includes('.corrupt-'));
}

describe('opening a new database', () => {
  it('creates the folder 700, the files 600, and sets WAL, NORMAL, foreign keys and STRICT tables', () => {
    const dir = tempDataDir();
    const { db, path: dbPath, schemaVersion, migratedFrom, recovered } = openDatabase(dir);
    try {
      db.prepare("INSERT INTO apps (name) VALUES ('x')").run(); // makes SQLite create -wal and -shm
      expect(modeOf(dir)).toBe(0o700);
      for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) expect(modeOf(f), f).toBe(0o600);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      const tables = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'").all() as { name: string; strict: number }[];
      expect(tables.map((t) => t.name).sort()).toEqual([
        'alert_state',
        'alerts',
        'apps',
        'browser_reports',
        'budgets',
        'cycle_history',
        'domain_daily',
        'domain_hourly',
        'domain_raw',
        'domains',
        'gaps',
        'meta',
        'network_daily',
        'network_hourly',
        'network_ledger',
        'network_raw',
        'networks',
        'plan_calibrations',
        'plans',
        'processes',
        'resume_flows',
        'resume_point',
        'usage_daily',
        'usage_hourly',
        'usage_raw',
      ]);
      for (const t of tables) expect(t.strict, t.name).toBe(1);
      expect(db.prepare('SELECT name FROM apps WHERE id = 1').pluck().get()).toBe(UNATTRIBUTED);
      expect({ schemaVersion, migratedFrom, recovered }).toEqual({ schemaVersion: 8, migratedFrom: 0, recovered: null });
      // STRICT refuses a text timestamp instead of coercing it.
      expect(() => db.prepare("INSERT INTO gaps (start_ts, end_ts, reason) VALUES ('soon', 2, 'stall')").run()).toThrow(/cannot store TEXT value in INTEGER column/);
    } finally {
      db.close();
    }
  });

  it('tightens an existing folder and files that are too open', () => {
    const dir = tempDataDir();
    openDatabase(dir).db.close();
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, DB_FILE_NAME), 0o644);
    const { db } = openDatabase(dir);
    db.close();
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(path.join(dir, DB_FILE_NAME))).toBe(0o600);
  });

  it('reopens an existing database without migrating again', () => {
    const dir = tempDataDir();
    populated(dir, 10);
    const opened = openDatabase(dir);
    opened.db.close();
    expect(opened.migratedFrom).toBe(8);
    expect(opened.check.kind).toBe('full');
  });
});

describe('the page cache', () => {
  it('is bounded on the writer and on a read-only connection', () => {
    const dir = tempDataDir();
    const writer = openDatabase(dir);
    const reader = openDatabase(dir, { readonly: true });
    expect(PAGE_CACHE_KIB).toBeLessThan(16_000);
    expect(writer.db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    expect(reader.db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    reader.db.close();
    writer.db.close();
  });
});

describe('a database newer than the app', () => {
  it('is refused with a clear error and left byte for byte as it was', () => {
    const dir = tempDataDir();
    const dbPath = populated(dir, 10);
    const raw = new Database(dbPath);
    raw.pragma('user_version = 9');
    raw.close();
    const before = sha(dbPath);
    expect(() => openDatabase(dir)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(dir)).toThrow(/schema version 9, but this netmon knows versions up to 8.*not touched/);
    expect(() => openDatabase(dir, { readonly: true })).toThrow(DatabaseTooNewError);
    expect(sha(dbPath)).toBe(before);
    expect(corruptFiles(dir)).toEqual([]);
  });
});

describe('a damaged database', () => {
  it('that is not a database at all is moved aside unchanged, with its -wal, and a fresh one started', () => {
    const dir = tempDataDir();
    mkdirSync(dir, { recursive: true });
    const dbPath = path.join(dir, DB_FILE_NAME);
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 256));
    writeFileSync(dbPath, garbage);
    writeFileSync(`${dbPath}-wal`, 'not a wal either');
    const clock = { now: () => Date.UTC(2025, 0, 2, 3, 4, 5) };
    const { db, recovered } = openDatabase(dir, { clock });
    try {
      expect(recovered?.reason).toMatch(/not a SQLite database/);
      expect(recovered?.movedTo).toBe(`${dbPath}.corrupt-20250102T030405Z`);
      expect(readFileSync(recovered?.movedTo ?? '')).toEqual(garbage);
      expect(readFileSync(`${recovered?.movedTo ?? ''}-wal`, 'utf8')).toBe('not a wal either');
      expect(db.prepare('SELECT count(*) FROM apps').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
    // A second damaged file the same second gets its own name: nothing is ever overwritten.
    writeFileSync(dbPath, 'short');
    const again = openDatabase(dir, { clock });
    again.db.close();
    expect(again.recovered?.movedTo).toBe(`${dbPath}.corrupt-20250102T030405Z-1`);
    expect(again.recovered?.reason).toMatch(/shorter than a header/);
    expect(corruptFiles(dir).sort()).toEqual([
      'network_monitor.db.corrupt-20250102T030405Z',
      'network_monitor.db.corrupt-20250102T030405Z-1',
      'network_monitor.db.corrupt-20250102T030405Z-wal',
    ]);
  });

  /** Overwrites the root page of `table` with garbage; returns the damaged file's hash. */
  function damageTable(dbPath: string, table: string): string {
    const raw = new Database(dbPath, { readonly: true });
    const page = raw.prepare('SELECT rootpage FROM sqlite_schema WHERE name = ?').pluck().get(table) as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const bytes = readFileSync(dbPath);
    bytes.fill(0xa5, (page - 1) * pageSize, page * pageSize);
    writeFileSync(dbPath, bytes);
    return sha(dbPath);
  }

  it('whose pages fail quick_check is moved aside unchanged, and the store reports it', () => {
    const dir = tempDataDir();
    const dbPath = populated(dir);
    const damaged = damageTable(dbPath, 'usage_raw');
    const store = openStore({ dataDir: dir });
    try {
      const recovered = store.health().recovered;
      expect(recovered?.reason).toMatch(/integrity check failed|SQLITE_CORRUPT/);
      expect(sha(recovered?.movedTo ?? '')).toBe(damaged);
      expect(store.db.prepare('SELECT count(*) FROM usage_raw').pluck().get()).toBe(0);
    } finally {
      store.close();
    }
  });

  it('on a large file the cheap check still catches damage to the small tables', () => {
    const dir = tempDataDir();
    const dbPath = populated(dir);
    const damaged = damageTable(dbPath, 'apps');
    const opened = openDatabase(dir, { fullCheckMaxBytes: 0 });
    opened.db.close();
    expect(opened.recovered).not.toBeNull();
    expect(sha(opened.recovered?.movedTo ?? '')).toBe(damaged);
  });

  it('damage to a big table on a large file surfaces on a write, which has the next open check in full', () => {
    const dir = tempDataDir();
    const dbPath = populated(dir);
    const damaged = damageTable(dbPath, 'usage_raw');
    const store = openStore({ dataDir: dir, fullCheckMaxBytes: 0 });
    expect(store.recovered).toBeNull(); // the cheap check does not read usage_raw
    const side = sideConnection(store, { readonly: true });
    expect(verifyDatabase(side).ok).toBe(false);
    side.close();
    store.append([{ ts: Date.UTC(2024, 6, 10) / 1000 + 7, durationS: 5, app: 'app1', bytesIn: 1, bytesOut: 1 }]);
    const failed = store.flush();
    expect(!failed.ok && failed.error.code).toMatch(/^SQLITE_CORRUPT/);
    expect(store.health().lastError?.message).toMatch(/damaged/);
    expect(existsSync(`${dbPath}.needs-check`)).toBe(true);
    store.close();
    const next = openDatabase(dir, { fullCheckMaxBytes: 0 });
    next.db.close();
    expect(next.check.kind).toBe('full');
    expect(sha(next.recovered?.movedTo ?? '')).toBe(damaged);
    expect(existsSync(`${dbPath}.needs-check`)).toBe(false);
  });

  it('a healthy large file passes the cheap check, and the full one when asked', () => {
    const dir = tempDataDir();
    populated(dir);
    const opened = openDatabase(dir, { fullCheckMaxBytes: 0 });
    expect(verifyDatabase(opened.db)).toMatchObject({ ok: true, problems: [] });
    opened.db.close();
    expect(opened.recovered).toBeNull();
    expect(opened.check.kind).toBe('cheap');
    requestIntegrityCheck(dir);
    const checked = openDatabase(dir, { fullCheckMaxBytes: 0 });
    checked.db.close();
    expect(checked).toMatchObject({ recovered: null, check: { kind: 'full' } });
    expect(existsSync(path.join(dir, `${DB_FILE_NAME}.needs-check`))).toBe(false);
  });
});

describe('read-only opening (reports while serve runs)', () => {
  it('reads an existing database and refuses a missing or outdated one', () => {
    const dir = tempDataDir();
    expect(() => openDatabase(dir, { readonly: true })).toThrow(/no database yet/);
    const dbPath = populated(dir, 10);
    const ro = openDatabase(dir, { readonly: true });
    expect(ro.db.prepare('SELECT count(*) FROM usage_raw').pluck().get()).toBe(10);
    expect(() => ro.db.prepare("INSERT INTO apps (name) VALUES ('x')").run()).toThrow(/readonly/);
    ro.db.close();
    const raw = new Database(dbPath);
    raw.pragma('user_version = 0');
    raw.close();
    expect(() => openDatabase(dir, { readonly: true })).toThrow(DatabaseUnusableError);
  });
});

describe.skipIf(!isRoot)('a data folder on a read-only mount (root: permission bits do not stop root, a read-only mount does)', () => {
  it('is refused with a clear error before anything is written', () => {
    const root = tempRoot();
    const dir = path.join(root, 'data');
    populated(dir, 10);
    const before = sha(path.join(dir, DB_FILE_NAME));
    execFileSync('mount', ['--bind', dir, dir]);
    try {
      execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
      expect(() => openDatabase(dir)).toThrow(/read-only file system/);
      expect(() => openStore({ dataDir: dir })).toThrow(DatabaseUnusableError);
    } finally {
      execFileSync('umount', [dir]);
    }
    expect(sha(path.join(dir, DB_FILE_NAME))).toBe(before);
    expect(existsSync(path.join(dir, `${DB_FILE_NAME}-wal`))).toBe(false);
  });
});
