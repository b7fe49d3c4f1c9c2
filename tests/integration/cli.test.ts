// The `netmon` command as a user runs it: real processes, real data folders.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { NETMON, netmon, netmonArgv, startServe } from '../helpers/cli.js';

const roots: string[] = [];
function dataDir(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'netmon-cli-'));
  roots.push(root);
  return path.join(root, 'data');
}
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('netmon demo, report and export', () => {
  const dir = dataDir();

  it('demo fills a private data folder', () => {
    const result = netmon(['demo', '--days', '30', '--data-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/30 days of synthetic history/);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'network_monitor.db')).mode & 0o777).toBe(0o600);
  });

  it('demo refuses a folder that already holds traffic', () => {
    const again = netmon(['demo', '--days', '3', '--data-dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds recorded traffic/);
  });

  it('report --json gives the per-app totals the database holds for whole days', () => {
    // Three whole local days (TZ is pinned by the test script), summed here straight from the daily table.
    const db = new Database(path.join(dir, 'network_monitor.db'), { readonly: true });
    const days = db.prepare('SELECT day_start FROM usage_daily GROUP BY day_start ORDER BY day_start').all() as { day_start: number }[];
    const since = days[5]?.day_start ?? 0;
    const until = days[8]?.day_start ?? 0;
    const expected = db
      .prepare(
        `SELECT a.name AS app, sum(d.bytes_in) AS bytesIn, sum(d.bytes_out) AS bytesOut FROM usage_daily d JOIN apps a ON a.id = d.app_id
         WHERE d.day_start >= ? AND d.day_start < ? GROUP BY a.name`,
      )
      .all(since, until) as { app: string; bytesIn: number; bytesOut: number }[];
    db.close();
    const iso = (s: number): string => new Date(s * 1000).toISOString();
    const result = netmon(['report', '--json', '--since', iso(since), '--until', iso(until), '--data-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      since: number;
      until: number;
      approximate: boolean;
      rows: { app: string; bytesIn: number; bytesOut: number; approximate: boolean }[];
      totals: { bytesIn: number };
    };
    expect(report.since).toBe(since);
    expect(report.until).toBe(until);
    // Whole days, read from the daily table: measured, nothing spread.
    expect(report.approximate).toBe(false);
    const byApp = (rows: { app: string }[]) => [...rows].sort((a, b) => a.app.localeCompare(b.app));
    // A tunnel's own bytes (the demo's Tailscale) are listed as overhead, not as an application.
    const overhead = expected.filter((r) => r.app.startsWith('VPN overhead ('));
    expect(overhead.length).toBeGreaterThan(0);
    const kindOf = (app: string) => (overhead.some((r) => r.app === app) ? { kind: 'overhead' } : {});
    expect(byApp(report.rows)).toEqual(byApp(expected.map((r) => ({ ...r, approximate: false, ...kindOf(r.app) }))));
    expect(report.totals.bytesIn).toBe(expected.reduce((s, r) => s + r.bytesIn, 0));
  });

  it('report prints the seeds table with human units', () => {
    const result = netmon(['report', '--since', '7d', '--data-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Application\s+Downloaded\s+Uploaded\s+Total/);
    expect(result.stdout).toMatch(/Google Chrome\s+[\d.]+ [KMGT]?B/);
    expect(result.stdout).toMatch(/\(unattributed\)/);
    expect(result.stdout).toMatch(/TOTAL/);
  });

  it('export writes CSV and JSON with the same totals', () => {
    const csv = netmon(['export', '--format', 'csv', '--by', 'day', '--since', '7d', '--data-dir', dir]);
    const json = netmon(['export', '--format', 'json', '--by', 'day', '--since', '7d', '--data-dir', dir]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(json.code, json.stderr).toBe(0);
    const lines = csv.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe('ts,bytesIn,bytesOut,approximate');
    const csvIn = lines.slice(1).reduce((s, line) => s + Number(line.split(',')[1]), 0);
    const parsed = JSON.parse(json.stdout) as { totals: { bytesIn: number }; rows: unknown[] };
    expect(parsed.rows).toHaveLength(lines.length - 1);
    expect(csvIn).toBe(parsed.totals.bytesIn);
    expect(csvIn).toBeGreaterThan(0);
  });

  it('bad flags exit 2 and name the flag', () => {
    const since = netmon(['report', '--since', 'lastweek', '--data-dir', dir]);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since "lastweek": expected today/);
    const unknown = netmon(['report', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/usage: netmon report/);
    expect(netmon(['teleport']).code).toBe(2);
  });

  it('report on an empty folder says how to start, without a stack trace', () => {
    const result = netmon(['report', '--data-dir', dataDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no database in .* yet: run `netmon serve`/);
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe('netmon serve', () => {
  it('moves a corrupt database aside, keeps it byte for byte, and starts a fresh one', async () => {
    const dir = dataDir();
    mkdirSync(dir, { mode: 0o700 });
    const garbage = Buffer.from('this is not an SQLite database, but it is the only copy of something'.repeat(100));
    writeFileSync(path.join(dir, 'network_monitor.db'), garbage, { mode: 0o600 });
    const served = await startServe(netmonArgv(['serve', '--port', '0', '--data-dir', dir]));
    const code = await served.stop();
    expect(code, served.stderr()).toBe(0);
    expect(served.stderr()).toMatch(/database was damaged .* moved aside to .*corrupt/);
    const aside = readdirSync(dir).filter((f) => f.startsWith('network_monitor.db.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0] ?? '')).equals(garbage)).toBe(true);
    const fresh = new Database(path.join(dir, 'network_monitor.db'), { readonly: true });
    expect(fresh.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    fresh.close();
  });

  it('names a wrong config key, falls back to its default and keeps serving', async () => {
    const dir = dataDir();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ sampling_interval_seconds: 'often', log_level: 'debug' }), { mode: 0o600 });
    const served = await startServe(netmonArgv(['serve', '--port', '0', '--data-dir', dir]));
    const token = readFileSync(path.join(dir, 'pairing-token'), 'utf8').trim();
    const status = (await (await fetch(`${served.url}/api/v1/config:get`, { headers: { 'x-netmon-token': token } })).json()) as { ok: boolean; value: Record<string, unknown> };
    expect(await served.stop()).toBe(0);
    expect(served.stderr()).toMatch(/config\.json: sampling_interval_seconds: .*using the default 5/);
    expect(status.value['sampling_interval_seconds']).toBe(5);
    expect(status.value['log_level']).toBe('debug');
  });

  it('a port in use gets a clear message with the --port way out', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = netmon(['serve', '--port', String(port), '--data-dir', dataDir()]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain(`--port ${port + 1}`);
      expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
    } finally {
      blocker.close();
    }
  });

  it('a port in use names the port config.json asked for, not the default', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const dir = dataDir();
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ web_server_port: port }), { mode: 0o600 });
      const result = netmon(['serve', '--data-dir', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain(`--port ${port + 1}`);
      expect(result.stderr).not.toContain('7500');
    } finally {
      blocker.close();
    }
  });

  it('doctor reports the sampler and the database health', () => {
    const dir = dataDir();
    netmon(['demo', '--days', '2', '--data-dir', dir]);
    // No eBPF helper at that path: the unprivileged level is this machine's sampler.
    const missing = path.join(dir, 'no-such-helper');
    const result = netmon(['doctor', '--json', '--helper-path', missing, '--data-dir', dir]);
    const report = JSON.parse(result.stdout) as { sampler: string; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.sampler).toBe('linux');
    const helper = report.checks.find((c) => c.name === 'eBPF helper (privileged level)');
    expect(helper?.detail).toContain(`${missing} is missing`);
    const grant = report.checks.find((c) => c.name === 'how to grant it');
    expect(grant?.detail).toContain('npm run build:helper');
    expect(grant?.detail).toContain(`setcap cap_bpf,cap_net_admin,cap_perfmon+ep ${missing}`);
    const integrity = report.checks.find((c) => c.name === 'database integrity');
    expect(integrity).toEqual({ name: 'database integrity', ok: true, detail: 'quick_check ok' });
    expect(report.checks.some((c) => /UDP has no per-socket byte counters/.test(c.detail))).toBe(true);
    expect(existsSync(path.join(dir, 'network_monitor.db'))).toBe(true);
  });
});

const helper = path.join(import.meta.dirname, '..', '..', 'dist', 'helper', 'netmon-capture');
const canRunHelper = process.platform === 'linux' && process.getuid?.() === 0 && existsSync(helper);
describe.skipIf(!canRunHelper)(`netmon doctor with the eBPF helper${canRunHelper ? '' : ' (skipped: needs root and dist/helper/netmon-capture: npm run build:helper)'}`, () => {
  it('says the helper may run and picks the eBPF sampler, still checking the unprivileged one', () => {
    const result = netmon(['doctor', '--json', '--data-dir', dataDir()]);
    const report = JSON.parse(result.stdout) as { sampler: string; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.sampler).toBe('ebpf');
    const check = report.checks.find((c) => c.name === 'eBPF helper (privileged level)');
    expect(check?.ok).toBe(true);
    expect(check?.detail).toContain(`${helper} may run`);
    expect(report.checks.some((c) => c.name === 'ss (TCP socket counters)')).toBe(true);
  });
});

describe('netmon doctor with a nettop', () => {
  const fake = path.join(path.dirname(NETMON), '..', 'tests', 'fixtures', 'nettop', 'fake-nettop');
  const capture = path.join(path.dirname(NETMON), '..', 'tests', 'fixtures', 'nettop', 'streams', 'three-frames.csv');

  it('runs one poll through the sampler and says what it saw', () => {
    const result = netmon(['doctor', '--json', '--nettop-path', fake, '--data-dir', dataDir()], { FAKE_NETTOP_SCRIPT: capture });
    const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'nettop')).toMatchObject({ ok: true, detail: expect.stringMatching(/^one frame with \d+ processes/) as unknown });
  });

  it('names the problem when nettop prints its usage text', () => {
    const result = netmon(['doctor', '--json', '--nettop-path', fake, '--data-dir', dataDir()], { FAKE_NETTOP_SCRIPT: capture, FAKE_NETTOP_USAGE: '1' });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'nettop')).toMatchObject({ ok: false, detail: expect.stringMatching(/usage/i) as unknown });
  });
});
