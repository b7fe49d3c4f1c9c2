// Opening `network_monitor.db`: a private folder (700) and private files (600), the pragmas the store
// relies on, migrations, and recovery from a damaged file. A damaged file is MOVED ASIDE, never
// deleted; a database from a newer netmon is refused untouched.
import Database from 'better-sqlite3';
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../log.js';
import { systemClock, type Clock } from '../types.js';
import { DatabaseTooNewError, DatabaseUnusableError, errorCode, errorMessage, isCorruptionCode } from './errors.js';
import { MIGRATIONS, migrate, userVersion, type Migration } from './migrations.js';
import { describeSalvage, keepSalvageReport, salvageInto, type SalvageReport } from './salvage.js';

const log = createLogger('store');

/** File name of the database inside the data folder. */
export const DB_FILE_NAME = 'network_monitor.db';

/** Side files SQLite keeps next to the database. */
const SIDE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** A file next to the database asking the next open for the full check (damage seen while running). */
const CHECK_MARKER_SUFFIX = '.needs-check';

/**
 * Asks the next open of the database in `dataDir` to run the full integrity check whatever the file's
 * size: call it when a read or write fails with SQLITE_CORRUPT (the store does so for its writes).
 */
export function requestIntegrityCheck(dataDir: string): void {
  closeSync(openSync(path.join(dataDir, DB_FILE_NAME) + CHECK_MARKER_SUFFIX, 'a', 0o600));
}

/**
 * Above this size the open-time check is the cheap one (header, schema, and `quick_check` of the small
 * tables only) instead of `PRAGMA quick_check` of the whole file. Measured (2 shared cores): on 100 MB
 * the full quick_check takes ≈ 470 ms, the cheap check ≈ 0.5 ms; a week of raw rows is ≈ 45 MB.
 * A damaged big table then shows as SQLITE_CORRUPT on a write, which requests the full check for the
 * next open (`requestIntegrityCheck`), and `netmon doctor` can run it any time (`verifyDatabase`).
 */
export const FULL_CHECK_MAX_BYTES = 32 * 1024 * 1024;

/**
 * SQLite's page cache per connection, in KiB (`PRAGMA cache_size = -N`), set on every connection the
 * store opens before its first read. better-sqlite3 builds SQLite with 16 MB (-16000): a serve process's
 * one connection filled it as the database grew to its steady size (a week of raw rows), and the
 * open-time `quick_check`, which reads the whole file, filled it at once; the 30-day soak measured that
 * as most of its resident-memory growth (`npm run bench -- soak`). The hot pages (the newest raw rows,
 * the indexes' upper levels) fit in 2 MB; everything else is in the OS's file cache, a copy away
 * (`npm run bench -- cache` compares query times with 2 and 16 MB).
 */
export const PAGE_CACHE_KIB = 2048;

function boundPageCache(db: Database.Database): void {
  try {
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  } catch {
    // Setting it reads the schema, so a damaged file fails here: the open-time check (or doctor's)
    // says what is wrong, and SQLite's default cache serves until the file is replaced.
  }
}

/** A damaged database that was moved aside at open. */
export interface Recovery {
  /** Where the damaged file now is (its -wal/-shm moved along with the same prefix). */
  movedTo: string;
  reason: string;
  /** Epoch ms. */
  at: number;
  /** What was copied from the damaged file into the fresh one (null: the file could not be read as a database at all). */
  salvage: SalvageReport | null;
}

/** How to open the database. */
export interface OpenOptions {
  /** Open for reading only (CLI reports while `serve` runs): no migration, no recovery, no chmod. */
  readonly?: boolean;
  /** With `readonly`: open a database of an older schema as it is (doctor) instead of refusing it. */
  acceptOlderSchema?: boolean;
  /** Replaces the application's migrations (tests of the migration framework). */
  migrations?: readonly Migration[];
  clock?: Pick<Clock, 'now'>;
  /** How long a statement waits for another connection's lock before failing (SQLITE_BUSY). */
  busyTimeoutMs?: number;
  /** Files larger than this get the cheap open-time check (default FULL_CHECK_MAX_BYTES). */
  fullCheckMaxBytes?: number;
}

/** An open database and what happened while opening it. */
export interface OpenedDatabase {
  db: Database.Database;
  path: string;
  /** Non-null when a damaged file was moved aside and a fresh database started. */
  recovered: Recovery | null;
  schemaVersion: number;
  /** Schema version found before migrating (0: a new database). */
  migratedFrom: number;
  /** Milliseconds the integrity check at open took, and which one ran. */
  check: { kind: 'full' | 'cheap' | 'none'; ms: number };
}

/** Creates `dir` as 700, or tightens it to 700 when it exists with looser rights. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if (mode !== 0o700) chmodSync(dir, 0o700);
}

/** Sets the database and its side files to 600 where they exist. */
export function tightenFileModes(dbPath: string): void {
  for (const file of [dbPath, ...SIDE_SUFFIXES.map((s) => dbPath + s)]) {
    try {
      if ((statSync(file).mode & 0o777) !== 0o600) chmodSync(file, 0o600);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
    }
  }
}

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Why the file cannot be a SQLite database, judging by its first 100 bytes; null when it may be one. */
function headerProblem(file: string): string | null {
  const size = statSync(file).size;
  if (size === 0) return null; // SQLite treats an empty file as a new database.
  if (size < 100) return `not a SQLite database (${size} bytes, shorter than a header)`;
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(100);
  try {
    readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.subarray(0, 16).equals(HEADER)) return 'not a SQLite database (bad header)';
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `damaged header (page size ${raw})`;
  return null;
}

function stampOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Renames the database and its side files to `<db>.corrupt-<UTC stamp>[-n]`; returns the new path. */
function moveAside(dbPath: string, at: number): string {
  const base = `${dbPath}.corrupt-${stampOf(at)}`;
  let target = base;
  for (let n = 1; existsSync(target); n += 1) target = `${base}-${n}`;
  renameSync(dbPath, target);
  for (const suffix of SIDE_SUFFIXES) {
    if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, target + suffix);
  }
  return target;
}

class Damaged extends Error {}

/** Copies what can be read of the file moved aside into the fresh database, and says what it got. */
function salvageRecovered(db: Database.Database, recovered: Recovery): void {
  if (recovered.salvage !== null) return;
  const report = salvageInto(db, recovered.movedTo);
  recovered.salvage = report;
  // Kept for doctor when the file could be read as a database at all.
  if (report.error === null) keepSalvageReport(recovered.movedTo, report);
  const line = describeSalvage(report);
  if (report.error === null) log.warn(`salvaged the damaged database: ${line}`, { movedTo: recovered.movedTo, ms: Math.round(report.ms) });
  else log.error(`could not salvage the damaged database: ${line}`, { movedTo: recovered.movedTo });
}

function quickCheck(db: Database.Database, table?: string): string | null {
  const sql = table === undefined ? 'quick_check' : `quick_check(${table})`;
  const rows = db.pragma(sql, { simple: false }) as { quick_check: string }[];
  const first = rows[0]?.quick_check;
  if (rows.length === 1 && first === 'ok') return null;
  return rows
    .slice(0, 3)
    .map((r) => r.quick_check)
    .join('; ');
}

/**
 * Runs the full `PRAGMA quick_check` of every table (for `netmon doctor`), whatever the file's size:
 * reads the whole file, ≈ 5 ms per MB. A read: works on a read-only connection and writes nothing.
 */
export function verifyDatabase(db: Database.Database): { ok: boolean; problems: string[]; ms: number } {
  const started = performance.now();
  try {
    const problem = quickCheck(db);
    return { ok: problem === null, problems: problem === null ? [] : problem.split('; '), ms: performance.now() - started };
  } catch (err) {
    return { ok: false, problems: [`${errorCode(err)}: ${errorMessage(err)}`], ms: performance.now() - started };
  }
}

// The small tables whose damage would make every query wrong; the big usage tables are left to the
// full check on small files (their damage surfaces later as SQLITE_CORRUPT on a read or write).
const CHEAP_CHECK_TABLES = ['sqlite_schema', 'apps', 'meta'] as const;

/** Throws Damaged when the open database fails its check. */
function checkIntegrity(db: Database.Database, fileBytes: number, fullMax: number): { kind: 'full' | 'cheap'; ms: number } {
  const started = performance.now();
  try {
    // Reading the schema is what makes SQLite notice a file that only looks like a database.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    let problem: string | null;
    let kind: 'full' | 'cheap';
    if (fileBytes <= fullMax) {
      kind = 'full';
      problem = quickCheck(db);
    } else {
      kind = 'cheap';
      const known = new Set((db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]));
      problem = null;
      for (const table of CHEAP_CHECK_TABLES) {
        if (table !== 'sqlite_schema' && !known.has(table)) continue;
        problem = quickCheck(db, table);
        if (problem !== null) break;
      }
    }
    if (problem !== null) throw new Damaged(`integrity check failed: ${problem}`);
    return { kind, ms: performance.now() - started };
  } catch (err) {
    if (err instanceof Damaged) throw err;
    if (isCorruptionCode(errorCode(err))) throw new Damaged(`${errorCode(err)}: ${errorMessage(err)}`);
    throw err;
  }
}

function applyPragmas(db: Database.Database): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
  if (mode.toLowerCase() !== 'wal') throw new Error(`could not switch the database to WAL (journal_mode is ${mode})`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Purged and expired rows are overwritten inside their pages, not left readable in free space.
  db.pragma('secure_delete = FAST');
  // A big transaction (a demo fill, a purge) must not leave a big -wal behind for good.
  db.pragma('journal_size_limit = 16777216');
}

function assertWritable(dir: string, dbPath: string): void {
  for (const target of [dir, ...(existsSync(dbPath) ? [dbPath] : [])]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (err) {
      const code = errorCode(err);
      const why = code === 'EROFS' ? 'is on a read-only file system' : `is not writable (${code})`;
      throw new DatabaseUnusableError(dbPath, `the data folder ${dir} ${why}; netmon cannot record there`);
    }
  }
}

function openReadonly(dataDir: string, options: OpenOptions): OpenedDatabase {
  const dbPath = path.join(dataDir, DB_FILE_NAME);
  if (!existsSync(dbPath)) throw new DatabaseUnusableError(dbPath, 'no database yet (run `netmon serve` or `netmon demo` first)');
  const problem = headerProblem(dbPath);
  if (problem !== null) throw new DatabaseUnusableError(dbPath, problem);
  const migrations = options.migrations ?? MIGRATIONS;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs ?? 2000 });
  try {
    boundPageCache(db);
    const version = userVersion(db);
    if (version > migrations.length) throw new DatabaseTooNewError(dbPath, version, migrations.length);
    if (version < migrations.length && options.acceptOlderSchema !== true) {
      throw new DatabaseUnusableError(dbPath, `schema version ${version} is older than this netmon's ${migrations.length}; run \`netmon serve\` once to upgrade it`);
    }
    return { db, path: dbPath, recovered: null, schemaVersion: version, migratedFrom: version, check: { kind: 'none', ms: 0 } };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Opens (creating if needed) `DATA_DIR/network_monitor.db`, migrated to the newest schema.
 * A damaged file is moved aside and reported in `recovered`; a newer database throws
 * `DatabaseTooNewError`; an unusable folder throws `DatabaseUnusableError`.
 */
export function openDatabase(dataDir: string, options: OpenOptions = {}): OpenedDatabase {
  if (options.readonly === true) return openReadonly(dataDir, options);
  const clock = options.clock ?? systemClock;
  const migrations = options.migrations ?? MIGRATIONS;
  const fullMax = options.fullCheckMaxBytes ?? FULL_CHECK_MAX_BYTES;
  ensurePrivateDir(dataDir);
  const dbPath = path.join(dataDir, DB_FILE_NAME);
  assertWritable(dataDir, dbPath);

  let recovered: Recovery | null = null;
  const recover = (reason: string): void => {
    if (recovered !== null) throw new DatabaseUnusableError(dbPath, `a fresh database failed too: ${reason}`);
    const at = clock.now();
    const movedTo = moveAside(dbPath, at);
    recovered = { movedTo, reason, at, salvage: null };
    log.error('the database was damaged: moved it aside and started a fresh one (the old file is kept)', { reason, movedTo });
  };

  const marker = dbPath + CHECK_MARKER_SUFFIX;
  const checkAll = existsSync(marker);
  for (;;) {
    if (existsSync(dbPath)) {
      const problem = headerProblem(dbPath);
      if (problem !== null) {
        recover(problem);
        continue;
      }
    } else {
      // Created here with 600 so that SQLite gives its -wal and -shm the same mode.
      closeSync(openSync(dbPath, 'a', 0o600));
    }
    tightenFileModes(dbPath);
    const fileBytes = statSync(dbPath).size;
    let db: Database.Database;
    try {
      db = new Database(dbPath, { fileMustExist: true, timeout: options.busyTimeoutMs ?? 2000 });
    } catch (err) {
      if (isCorruptionCode(errorCode(err))) {
        recover(`${errorCode(err)}: ${errorMessage(err)}`);
        continue;
      }
      throw err;
    }
    try {
      boundPageCache(db);
      // Checks and the version read are reads: a refused or damaged file is left byte for byte as it was.
      const found = userVersion(db);
      if (found > migrations.length) throw new DatabaseTooNewError(dbPath, found, migrations.length);
      const check = checkIntegrity(db, fileBytes, checkAll ? Number.POSITIVE_INFINITY : fullMax);
      applyPragmas(db);
      const outcome = migrate(db, migrations, dbPath);
      if (recovered !== null) salvageRecovered(db, recovered);
      tightenFileModes(dbPath);
      if (checkAll) rmSync(marker, { force: true });
      if (outcome.from !== outcome.to) log.info('database schema migrated', { from: outcome.from, to: outcome.to });
      return { db, path: dbPath, recovered, schemaVersion: outcome.to, migratedFrom: outcome.from, check };
    } catch (err) {
      db.close();
      if (err instanceof Damaged) {
        recover(err.message);
        continue;
      }
      throw err;
    }
  }
}
