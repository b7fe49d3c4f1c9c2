// `netmon doctor`: which sampler works on this machine, what it can see (and what it cannot), and the
// health of the data folder and database. Read-only: it never changes the user's data (the database is
// opened read-only, config.json is only read; SQLite's reader may leave its -wal/-shm side files).
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../../src-shared/units.js';
import { CONFIG_FILE, resolveDataDir, validateConfig } from '../engine/config.js';
import { lastUsageAt } from '../engine/queries/index.js';
import { networkChecks } from '../engine/network/doctor.js';
import { ledgerChecks } from '../engine/network/ledger-store.js';
import { defaultHelperPath } from '../engine/samplers/ebpf/helper-path.js';
import { kindsFor, samplerKind, type ProbeCheck } from '../engine/samplers/registry.js';
import { DB_FILE_NAME, SCHEMA_VERSION, dataFolderSize, describeSalvage, keptDamagedFiles, openDatabase, userVersion, verifyDatabase } from '../engine/store/index.js';
import type { CommandContext } from './main.js';
import { stringFlag } from './options.js';

type Check = ProbeCheck;

/** config.json read and validated as it is: never created or chmod-ed here (loadConfig would). */
function configCheck(dataDir: string): Check {
  const file = path.join(dataDir, CONFIG_FILE);
  if (!existsSync(file)) return { name: 'config.json', ok: true, detail: 'none yet: defaults apply (written by netmon serve)' };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { name: 'config.json', ok: false, detail: `not valid JSON (${err instanceof Error ? err.message : String(err)}); defaults apply` };
  }
  const issues = validateConfig(raw).issues;
  const mode = statSync(file).mode & 0o777;
  const problems = [...issues.map((i) => i.message), ...(mode === 0o600 ? [] : [`mode ${mode.toString(8)} (should be 600: netmon serve tightens it)`])];
  return { name: 'config.json', ok: problems.length === 0, detail: problems.length === 0 ? 'valid' : problems.join('; ') };
}

function databaseChecks(dataDir: string): Check[] {
  const checks: Check[] = [];
  if (!existsSync(dataDir)) return [{ name: 'data folder', ok: true, detail: `${dataDir} does not exist yet (created by netmon serve)` }];
  const mode = statSync(dataDir).mode & 0o777;
  checks.push({ name: 'data folder', ok: mode === 0o700, detail: `${dataDir} mode ${mode.toString(8)}${mode === 0o700 ? '' : ' (should be 700: netmon serve tightens it)'}` });
  checks.push(configCheck(dataDir));
  // Damaged databases moved aside are kept (never deleted by netmon): say where, how big, from when, and what was salvaged.
  for (const kept of keptDamagedFiles(dataDir, DB_FILE_NAME)) {
    const salvaged = kept.salvage === null ? 'nothing salvaged by netmon' : describeSalvage(kept.salvage);
    checks.push({ name: 'kept damaged database', ok: true, detail: `${kept.path} (${formatBytes(kept.bytes)}, ${new Date(kept.mtimeMs).toISOString()}): ${salvaged}; delete it when you no longer need it` });
  }
  if (!existsSync(path.join(dataDir, DB_FILE_NAME))) {
    checks.push({ name: 'database', ok: true, detail: 'none yet (created by netmon serve)' });
    return checks;
  }
  try {
    // Read-only: no migration, no recovery, no chmod; an older schema is reported, not upgraded.
    const { db } = openDatabase(dataDir, { readonly: true, acceptOlderSchema: true });
    try {
      const version = userVersion(db);
      checks.push({
        name: 'database schema',
        ok: true,
        detail: `version ${version} (this netmon: ${SCHEMA_VERSION}${version < SCHEMA_VERSION ? '; the next netmon serve upgrades it' : ''})`,
      });
      const verified = verifyDatabase(db);
      checks.push({ name: 'database integrity', ok: verified.ok, detail: verified.ok ? 'quick_check ok' : `quick_check: ${verified.problems.join('; ')}` });
      const last = version >= 1 ? lastUsageAt(db) : null;
      const size = dataFolderSize(dataDir);
      checks.push({
        name: 'database size',
        ok: true,
        detail: `${formatBytes(size.databaseBytes)} database, ${formatBytes(size.totalBytes)} data folder; last sample ${last === null ? 'never' : new Date(last * 1000).toISOString()}`,
      });
      // Each recent hour's accounts: physical, attributed, overhead, unattributed, flagged hours said.
      checks.push(...ledgerChecks(db, Math.floor(Date.now() / 1000)));
    } finally {
      db.close();
    }
  } catch (err) {
    checks.push({ name: 'database', ok: false, detail: err instanceof Error ? err.message : String(err) });
  }
  return checks;
}

export async function runDoctor(ctx: CommandContext): Promise<number> {
  const dataDir = resolveDataDir(stringFlag(ctx.values['data-dir']));
  const checks: Check[] = [];
  // A given --nettop-path is checked on any system (a replay, or a copy of the tool).
  const paths = { nettopPath: stringFlag(ctx.values['nettop-path']), helperPath: stringFlag(ctx.values['helper-path']) ?? defaultHelperPath() };
  const kinds = kindsFor(process.platform);
  const fallback = kinds.at(-1) ?? null;
  if (paths.nettopPath !== undefined && !kinds.some((k) => k.name === 'nettop')) kinds.unshift(samplerKind('nettop'));
  // Every kind of this machine is probed: the ones after the chosen one are what runs when it stops.
  let sampler: string | null = null;
  for (const kind of kinds) {
    const found = await kind.probe(paths);
    checks.push(...found.checks);
    if (sampler === null && kind.platform === process.platform && (found.usable || kind === fallback)) sampler = kind.name;
  }
  if (fallback === null) checks.push({ name: 'sampler', ok: false, detail: `no sampler for ${process.platform}: netmon measures on macOS and Linux` });
  checks.push(...networkChecks());
  checks.push(...databaseChecks(dataDir));
  const healthy = checks.every((c) => c.ok);
  if (ctx.values['json'] === true) {
    ctx.out(JSON.stringify({ sampler, healthy, checks }, null, 2));
  } else {
    ctx.out(`netmon doctor — sampler for this machine: ${sampler ?? 'none'}`);
    for (const check of checks) ctx.out(`  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}`);
  }
  return healthy ? 0 : 1;
}
