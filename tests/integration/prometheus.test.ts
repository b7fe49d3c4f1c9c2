// Many machines through Prometheus, on an existing engine and no new port: netmon writes its metrics to
// a node_exporter textfile-collector file every interval; Debian's prometheus-node-exporter reads the
// folder and Debian's prometheus scrapes the exporter (both on loopback, on free ports); the counter is
// then read back through Prometheus's HTTP API and must be the figure netmon counted.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createUsageCounters } from '../../src-main/engine/usage-counters.js';
import { renderMetrics } from '../../src-main/http/metrics.js';
import { startMetricsTextfile, writeTextfile } from '../../src-main/http/metrics-textfile.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'netmon-prom-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(root, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  child.on('exit', (code) => {
    if (code !== null && code !== 0) process.stderr.write(`${command} exited ${code}: ${err}\n`);
  });
  children.push(child);
  return child;
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const start = Date.now();
  let last: unknown = null;
  while (Date.now() - start < ms) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} not seen in ${ms} ms (${String(last)})`);
}

describe('the textfile', () => {
  it('is written whole, 640, and never through a symlink', () => {
    const file = path.join(root, 'w.prom');
    writeTextfile(file, 'netmon_test 1\n');
    expect(readFileSync(file, 'utf8')).toBe('netmon_test 1\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const target = path.join(root, 'victim');
    writeFileSync(target, 'keep');
    const link = path.join(root, 'link.prom');
    symlinkSync(target, link);
    expect(() => writeTextfile(link, 'x 1\n')).toThrow(/symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('keep');
    expect(() => writeTextfile(path.join(root, 'x.txt'), 'x 1\n')).toThrow(/\.prom/);
  });
});

describe('Prometheus scrapes netmon through node_exporter', () => {
  it('reads back per-app, interface and unattributed counters through the HTTP API', async () => {
    const dir = mkdtempSync(path.join(root, 'textfile-'));
    const counters = createUsageCounters();
    const ts = Math.floor(Date.now() / 1000);
    counters.addAppUsage([
      { ts, durationS: 5, app: 'Firefox', bytesIn: 123_456_789, bytesOut: 4_321 },
      { ts, durationS: 5, app: 'Slack "team"', bytesIn: 1_000, bytesOut: 2_000 },
      { ts, durationS: 5, app: '(unattributed)', bytesIn: 77, bytesOut: 7 },
    ]);
    counters.addInterface({ bytesIn: 123_457_866, bytesOut: 6_328 });
    const writer = startMetricsTextfile({
      file: path.join(dir, 'netmon.prom'),
      intervalMs: 500,
      render: () => renderMetrics({ apps: counters.apps(), iface: counters.iface(), unattributed: counters.unattributed(), samplers: [], paused: false, liveClients: 0 }),
    });
    try {
      const exporterPort = await freePort();
      run('prometheus-node-exporter', ['--web.listen-address', `127.0.0.1:${exporterPort}`, '--collector.disable-defaults', '--collector.textfile', '--collector.textfile.directory', dir]);
      const promPort = await freePort();
      const config = path.join(root, 'prometheus.yml');
      writeFileSync(config, ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: netmon', '    static_configs:', `      - targets: ['127.0.0.1:${exporterPort}']`, ''].join('\n'));
      run('prometheus', ['--config.file', config, '--storage.tsdb.path', mkdtempSync(path.join(root, 'tsdb-')), '--web.listen-address', `127.0.0.1:${promPort}`]);

      const query = async (promql: string): Promise<string | null> => {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
        const body = (await res.json()) as { status: string; data?: { result: Array<{ value: [number, string] }> } };
        return body.status === 'success' ? (body.data?.result[0]?.value[1] ?? null) : null;
      };
      expect(await until('Firefox in', () => query('netmon_app_bytes_total{app="Firefox",direction="in"}'))).toBe('123456789');
      expect(await query('netmon_app_bytes_total{app="Slack \\"team\\"",direction="out"}')).toBe('2000');
      expect(await query('netmon_interface_bytes_total{direction="in"}')).toBe('123457866');
      expect(await query('netmon_unattributed_bytes_total{direction="in"}')).toBe('77');
      // The next interval's figure arrives too: the file is rewritten, not written once.
      counters.addAppUsage([{ ts: ts + 5, durationS: 5, app: 'Firefox', bytesIn: 1, bytesOut: 0 }]);
      expect(await until('Firefox grown', async () => ((await query('netmon_app_bytes_total{app="Firefox",direction="in"}')) === '123456790' ? 'yes' : null))).toBe('yes');
    } finally {
      writer.stop();
    }
  }, 120_000);
});
