// `netmon doctor`: which sampler works on this machine, what it can see (and what it cannot), and the
// health of the data folder and database. Read-only: it never changes the user's data (the database is
// opened read-only, config.json is only read; SQLite's reader may leave its -wal/-shm side files).
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../../src-shared/units.js';
import { CONFIG_FILE, DB_FILE, resolveDataDir, validateConfig } from '../engine/config.js';
import { lastUsageAt } from '../engine/queries/index.js';
import { ebpfAvailability } from '../engine/samplers/ebpf/availability.js';
import { defaultHelperPath } from '../engine/samplers/ebpf/sampler.js';
import { linuxCapabilities } from '../engine/samplers/linux/sampler.js';
import { checkNettop } from '../engine/samplers/nettop/sampler.js';
import { SCHEMA_VERSION, dataFolderSize, openDatabase, userVersion, verifyDatabase } from '../engine/store/index.js';
import type { CommandContext } from './main.js';
import { stringFlag } from './options.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function nettopCheck(executable: string): Promise<Check[]> {
  if (!existsSync(executable)) return [{ name: 'nettop', ok: false, detail: `${executable} not found (nettop ships with macOS; set --nettop-path to use another)` }];
  // The sampler's own one-shot poll: the same flags, parser and usage-text detection as `netmon serve`.
  const result = await checkNettop({ executable });
  if (!result.ok) return [{ name: 'nettop', ok: false, detail: result.reason }];
  return [
    { name: 'nettop', ok: true, detail: `one frame with ${result.flows} processes in ${result.ms} ms, ${result.malformedLines} unreadable lines` },
    { name: 'interface counters', ok: result.interfaceCounters, detail: result.interfaceCounters ? 'netstat -ibn: totals for the unattributed remainder' : 'netstat -ibn gave no totals: unattributed bytes cannot be shown' },
    { name: 'nettop rights', ok: true, detail: 'nettop needs no privileges: every process is listed' },
  ];
}

/**
 * The privileged level: the eBPF helper, asked itself whether it may load its programs. Not a failure
 * when it cannot: the unprivileged sampler still runs; the detail says what it would add and how to grant it.
 */
async function ebpfChecks(helperPath: string): Promise<{ checks: Check[]; usable: boolean }> {
  const check = await ebpfAvailability(helperPath);
  if (check.ok) {
    return {
      usable: true,
      checks: [
        {
          name: 'eBPF helper (privileged level)',
          ok: true,
          detail: `${helperPath} may run: netmon serve uses it (--sampler auto). It counts every TCP and UDP byte per socket with its process, connections shorter than one interval included, and names destinations for every application from DNS answers and TLS/QUIC server names (names only: never a path or a URL)`,
        },
      ],
    };
  }
  return {
    usable: false,
    checks: [
      { name: 'eBPF helper (privileged level)', ok: true, detail: `not usable: ${check.reason}; the unprivileged level below is used instead` },
      {
        name: 'how to grant it',
        ok: true,
        detail: `${check.fix}. netmon itself never runs as root: only the small helper is privileged. Either give the helper file capabilities and let one group run it: sudo groupadd -f netmon; sudo usermod -aG netmon $USER; sudo chgrp netmon ${helperPath}; sudo chmod 750 ${helperPath}; sudo setcap cap_bpf,cap_net_admin,cap_perfmon+ep ${helperPath} — or run netmon serve --sampler ebpf as root. Then netmon doctor again`,
      },
      {
        name: 'what each level sees',
        ok: true,
        detail: 'unprivileged (ss): TCP bytes per process, UDP (QUIC, video calls, DNS) only in the interface totals, connections shorter than one interval as unattributed, domains only for browsers with the extension. eBPF helper: TCP and UDP per process, short connections too, domains for every application',
      },
    ],
  };
}

async function linuxChecks(): Promise<Check[]> {
  const caps = await linuxCapabilities();
  return [
    { name: 'ss (TCP socket counters)', ok: caps.ssWorks, detail: caps.ssWorks ? `works (${caps.ssVersion ?? 'version unknown'})` : (caps.ssProblem ?? 'does not work') },
    {
      name: 'close events (short connections)',
      ok: caps.closeEvents,
      detail: caps.closeEvents ? 'ss -E reports the final counters of closing sockets' : (caps.closeEventsProblem ?? 'not available: connections shorter than one interval may be missed'),
    },
    ...caps.facts.map((fact) => ({ name: 'note', ok: true, detail: fact })),
  ];
}

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
  if (!existsSync(path.join(dataDir, DB_FILE))) {
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
  let sampler = process.platform === 'darwin' ? 'nettop' : process.platform === 'linux' ? 'linux' : null;
  const checks: Check[] = [];
  const nettopPath = stringFlag(ctx.values['nettop-path']);
  // A given --nettop-path is checked on any system (a replay, or a copy of the tool).
  if (sampler === 'nettop' || nettopPath !== undefined) checks.push(...(await nettopCheck(nettopPath ?? '/usr/bin/nettop')));
  if (sampler === 'linux') {
    const ebpf = await ebpfChecks(stringFlag(ctx.values['helper-path']) ?? defaultHelperPath());
    checks.push(...ebpf.checks);
    if (ebpf.usable) sampler = 'ebpf';
    // The unprivileged level is checked either way: it is the fallback when the helper stops.
    checks.push(...(await linuxChecks()));
  }
  if (sampler === null) checks.push({ name: 'sampler', ok: false, detail: `no sampler for ${process.platform}: netmon measures on macOS and Linux` });
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
