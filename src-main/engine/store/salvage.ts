// Salvage: before a damaged database is left aside, every row that can still be read is copied into
// the fresh one, table by table, in key order. A damaged index costs nothing (rows are read from the
// tables themselves and the new database builds its own indexes). A damaged table page costs the rows
// on it: the scan reads up to it, then finds the first key past it by binary search over the key's
// integer columns (a read positioned inside the damaged stretch fails, one past it succeeds) and goes
// on from there, so every undamaged page is read.
//
// The damaged file is not touched: the copy works on a temporary copy of it (opening it could replay
// or checkpoint its -wal). Rows whose app is lost with a damaged `apps` page keep their bytes under a
// placeholder name, so that reports still add up.
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../log.js';
import { errorMessage } from './errors.js';

const log = createLogger('store');

/** What was copied out of a damaged database, per table. */
export interface SalvageReport {
  tables: Record<string, { rows: number; damagedStretches: number }>;
  /** Rows copied in all. */
  rows: number;
  /** Tables that could not be read at all (schema lost or the first read failed everywhere). */
  unreadable: string[];
  /** Why nothing could be copied at all, or null. */
  error: string | null;
  ms: number;
}

// Tables never copied: the resume baselines belong to the run that wrote them (a salvaged database
// starts from fresh ones), and SQLite's own.
const SKIPPED = new Set(['resume_point', 'resume_flows', 'sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4']);
const MAX_KEY = Number.MAX_SAFE_INTEGER;
const MIN_KEY = Number.MIN_SAFE_INTEGER;
const BATCH = 2000;

interface Table {
  name: string;
  columns: string[];
  /** Key columns in order (rowid for a rowid table). */
  key: string[];
  /** Whether every key column holds integers (then damaged stretches can be skipped). */
  integerKey: boolean;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function tablesOf(db: Database.Database, target: Database.Database): Table[] {
  const names = target.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  const found = new Set(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]);
  const tables: Table[] = [];
  for (const name of names) {
    if (SKIPPED.has(name) || !found.has(name)) continue;
    const info = target.prepare(`SELECT name, type, pk FROM pragma_table_info(?)`).all(name) as { name: string; type: string; pk: number }[];
    const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    const withoutRowid = (target.prepare("SELECT sql FROM sqlite_schema WHERE name = ?").pluck().get(name) as string).includes('WITHOUT ROWID');
    const rowidAlias = pk.length === 1 && pk[0]!.type.toUpperCase() === 'INTEGER';
    const key = withoutRowid || rowidAlias ? pk.map((c) => c.name) : ['rowid'];
    const integerKey = key.every((k) => k === 'rowid' || info.find((c) => c.name === k)?.type.toUpperCase() === 'INTEGER');
    tables.push({ name, columns: info.map((c) => c.name), key, integerKey });
  }
  return tables;
}

/** Reads `table` from `db` in key order into `insert`; returns rows copied and damaged stretches skipped. */
function copyTable(db: Database.Database, table: Table, insert: (row: unknown[]) => void): { rows: number; damagedStretches: number } {
  const cols = table.key[0] === 'rowid' && !table.columns.includes('rowid') ? ['rowid', ...table.columns] : table.columns;
  const keyIdx = table.key.map((k) => cols.indexOf(k));
  const keyList = table.key.map(quote).join(', ');
  const select = `SELECT ${cols.map(quote).join(', ')} FROM ${quote(table.name)}`;
  const after = db.prepare(`${select} WHERE (${keyList}) > (${table.key.map(() => '?').join(', ')}) ORDER BY ${keyList} LIMIT ${BATCH}`).raw(true);
  const first = db.prepare(`${select} ORDER BY ${keyList} LIMIT ${BATCH}`).raw(true);
  // Statements positioned at a key prefix: does a read from there succeed?
  const probes = table.key.map((_, depth) =>
    db.prepare(`SELECT ${keyList} FROM ${quote(table.name)} WHERE (${table.key.slice(0, depth + 1).map(quote).join(', ')}) >= (${table.key.slice(0, depth + 1).map(() => '?').join(', ')}) ORDER BY ${keyList} LIMIT 1`).raw(true),
  );
  const readable = (prefix: number[]): { ok: boolean; row: unknown[] | undefined } => {
    try {
      return { ok: true, row: probes[prefix.length - 1]!.get(...prefix) as unknown[] | undefined };
    } catch {
      return { ok: false, row: undefined };
    }
  };
  /** The smallest readable key position past `last` (null: start), or null when nothing past it can be read. */
  const resumeAfter = (last: number[] | null): number[] | null => {
    for (let depth = last === null ? 0 : table.key.length - 1; depth >= 0; depth -= 1) {
      const prefix = last === null ? [] : last.slice(0, depth);
      let lo = last === null ? MIN_KEY : last[depth]! + 1;
      let hi = MAX_KEY;
      if (!readable([...prefix, hi]).ok) continue;
      while (lo < hi) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (readable([...prefix, mid]).ok) hi = mid;
        else lo = mid + 1;
      }
      const found = readable([...prefix, lo]);
      const row = found.row;
      // Within this prefix only when the first key there still has it; else look one column up.
      if (row === undefined) continue;
      if (prefix.every((v, i) => row[i] === v)) return [...prefix, lo];
      if (depth === 0) return [lo];
    }
    return null;
  };

  let rows = 0;
  let damagedStretches = 0;
  let last: number[] | null = null;
  let from: number[] | null = null;
  for (;;) {
    let got = 0;
    let failed = false;
    try {
      const iter: IterableIterator<unknown[]> =
        from !== null
          ? (db.prepare(`${select} WHERE (${table.key.slice(0, from.length).map(quote).join(', ')}) >= (${from.map(() => '?').join(', ')}) ORDER BY ${keyList} LIMIT ${BATCH}`).raw(true).iterate(...from) as IterableIterator<unknown[]>)
          : last === null
            ? (first.iterate() as IterableIterator<unknown[]>)
            : (after.iterate(...last) as IterableIterator<unknown[]>);
      for (const row of iter) {
        insert(row);
        rows += 1;
        got += 1;
        last = keyIdx.map((i) => row[i] as number);
      }
    } catch {
      failed = true;
    }
    if (failed && got === 0 && from !== null) return { rows, damagedStretches: damagedStretches + 1 };
    from = null;
    if (!failed) {
      if (got < BATCH) return { rows, damagedStretches };
      continue;
    }
    damagedStretches += 1;
    if (!table.integerKey) return { rows, damagedStretches };
    const next = resumeAfter(last);
    if (next === null) return { rows, damagedStretches };
    // Backwards from there up to the damage: a table without rowid keeps rows in its interior pages
    // too, and the one that parts the damaged page from the next is reached only from its right.
    rows += readBackTo(db, table, select, keyList, last, next, insert);
    from = next;
  }
}

/** Rows between `last` (exclusive; null: the start) and `next` (exclusive), read backwards from `next` until the damage. */
function readBackTo(db: Database.Database, table: Table, select: string, keyList: string, last: number[] | null, next: number[], insert: (row: unknown[]) => void): number {
  const upper = `(${table.key.slice(0, next.length).map(quote).join(', ')}) < (${next.map(() => '?').join(', ')})`;
  const lower = last === null ? '' : ` AND (${keyList}) > (${last.map(() => '?').join(', ')})`;
  let rows = 0;
  try {
    const iter = db.prepare(`${select} WHERE ${upper}${lower} ORDER BY ${table.key.map((k) => `${quote(k)} DESC`).join(', ')}`).raw(true).iterate(...next, ...(last ?? [])) as IterableIterator<unknown[]>;
    for (const row of iter) {
      insert(row);
      rows += 1;
    }
  } catch {
    // Reached the damaged page.
  }
  return rows;
}

/**
 * Copies every readable row of `damagedPath` (a database file, with its -wal if any) into `target`
 * (a fresh database of the current schema). Never throws: what failed is in the report.
 */
export function salvageInto(target: Database.Database, damagedPath: string): SalvageReport {
  const started = performance.now();
  const report: SalvageReport = { tables: {}, rows: 0, unreadable: [], error: null, ms: 0 };
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'netmon-salvage-'));
  let source: Database.Database | null = null;
  try {
    const copy = path.join(scratch, 'damaged.db');
    copyFileSync(damagedPath, copy);
    if (existsSync(`${damagedPath}-wal`)) copyFileSync(`${damagedPath}-wal`, `${copy}-wal`);
    source = new Database(copy, { fileMustExist: true });
    const tables = tablesOf(source, target);
    target.pragma('foreign_keys = OFF');
    target.transaction(() => {
      for (const table of tables) {
        const cols = table.key[0] === 'rowid' && !table.columns.includes('rowid') ? ['rowid', ...table.columns] : table.columns;
        const insert = target.prepare(`INSERT OR IGNORE INTO ${quote(table.name)} (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
        try {
          const result = copyTable(source!, table, (row) => insert.run(...row));
          report.tables[table.name] = result;
          report.rows += result.rows;
        } catch (err) {
          report.unreadable.push(table.name);
          log.warn('a table of the damaged database could not be read', { table: table.name, error: errorMessage(err) });
        }
      }
      // Bytes whose app name was on a lost page keep a name, so totals still add up.
      const refs = target.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%app_id INTEGER NOT NULL REFERENCES apps%'").pluck().all() as string[];
      for (const t of refs) {
        target.exec(`INSERT OR IGNORE INTO apps (id, name) SELECT DISTINCT app_id, '(lost app ' || app_id || ')' FROM ${quote(t)} WHERE app_id NOT IN (SELECT id FROM apps)`);
      }
      const domainRefs = target.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%domain_id INTEGER NOT NULL REFERENCES domains%'").pluck().all() as string[];
      for (const t of domainRefs) {
        target.exec(`INSERT OR IGNORE INTO domains (id, name) SELECT DISTINCT domain_id, '(unattributed)' FROM ${quote(t)} WHERE domain_id NOT IN (SELECT id FROM domains) LIMIT 1`);
      }
      const networkRefs = target.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%network_id INTEGER NOT NULL REFERENCES networks%'").pluck().all() as string[];
      for (const t of networkRefs) {
        target.exec(`INSERT OR IGNORE INTO networks (id, key, label) SELECT DISTINCT network_id, 'lost-' || network_id, '(lost network ' || network_id || ')' FROM ${quote(t)} WHERE network_id NOT IN (SELECT id FROM networks)`);
      }
    }).immediate();
  } catch (err) {
    report.error = errorMessage(err);
  } finally {
    try {
      source?.close();
    } catch {
      // A damaged copy may fail to close cleanly; it is deleted next.
    }
    rmSync(scratch, { recursive: true, force: true });
    target.pragma('foreign_keys = ON');
  }
  report.ms = performance.now() - started;
  return report;
}

/** Where the report of a salvage is kept: next to the damaged file it was read from. */
export function salvageReportPath(movedTo: string): string {
  return `${movedTo}.salvage.json`;
}

/** Writes the report beside the kept file (600), for `netmon doctor`. */
export function keepSalvageReport(movedTo: string, report: SalvageReport): void {
  try {
    writeFileSync(salvageReportPath(movedTo), `${JSON.stringify(report)}\n`, { mode: 0o600 });
  } catch (err) {
    log.warn('could not write the salvage report', { error: errorMessage(err) });
  }
}

/** One line: what was recovered, per table. */
export function describeSalvage(report: SalvageReport): string {
  if (report.error !== null) return `nothing could be recovered (${report.error})`;
  const parts = Object.entries(report.tables)
    .filter(([, t]) => t.rows > 0 || t.damagedStretches > 0)
    .map(([name, t]) => `${name} ${t.rows}${t.damagedStretches > 0 ? ` (${t.damagedStretches} damaged stretch${t.damagedStretches === 1 ? '' : 'es'} lost)` : ''}`);
  const unreadable = report.unreadable.length > 0 ? `; unreadable: ${report.unreadable.join(', ')}` : '';
  return `recovered ${report.rows} rows: ${parts.length > 0 ? parts.join(', ') : 'none'}${unreadable}`;
}

/** A damaged database kept in the data folder (`network_monitor.db.corrupt-…`). */
export interface KeptDamaged {
  path: string;
  bytes: number;
  /** Last modified, epoch ms. */
  mtimeMs: number;
  /** What was salvaged from it, when netmon did. */
  salvage: SalvageReport | null;
}

/** The damaged databases kept in `dataDir`, oldest first (their -wal, -shm and reports not listed apart). */
export function keptDamagedFiles(dataDir: string, dbFileName: string): KeptDamaged[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return [];
  }
  const prefix = `${dbFileName}.corrupt-`;
  const kept: KeptDamaged[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || /-(wal|shm|journal)$/.test(name) || name.endsWith('.salvage.json')) continue;
    const file = path.join(dataDir, name);
    try {
      const st = statSync(file);
      let salvage: SalvageReport | null = null;
      try {
        salvage = JSON.parse(readFileSync(salvageReportPath(file), 'utf8')) as SalvageReport;
      } catch {
        salvage = null;
      }
      kept.push({ path: file, bytes: st.size, mtimeMs: st.mtimeMs, salvage });
    } catch {
      // Gone meanwhile.
    }
  }
  return kept.sort((a, b) => a.path.localeCompare(b.path));
}
