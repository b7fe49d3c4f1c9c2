// Issue 13 item 6 with a running `netmon serve` and real traffic (two uplinks in network namespaces, the
// ss sampler, --metrics-textfile):
// - a private network (uplink A, by its id `wired:MAC`) and a private app (nmupa): their bytes are stored
//   under the private network and "Private", and neither the network's id, its label nor the app's name is
//   in the database's bytes (WAL included) or in the textfile, which counts the private network instead;
// - forget from the CLI while serve runs: the app nmupb's rows are still in serve's memory (the 30-s
//   flush has not come), `netmon forget nmupb --yes` returns, and past the next flush (and after serve
//   stopped and wrote what it held) the name is nowhere in the database's bytes nor in the textfile,
//   while the flush itself worked (it wrote the private rows) and serve exits 0.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIVATE_APP, PRIVATE_NETWORK } from '../../src-shared/privacy.js';
import { NETMON, netmon, startServe } from '../helpers/cli.js';
import { createTwoUplinks, execInNetns, netnsArgv, netnsSupport, type TwoUplinks } from '../helpers/netns.js';
import { startApp, startPeers, type AppPlan, type AppReport } from '../helpers/netns-apps.js';
import { inFile } from '../helpers/privacy.js';
import { testNode } from '../helpers/traffic.js';

const supported = netnsSupport();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** The store's flush period (store.ts DEFAULT_FLUSH_INTERVAL_MS). */
const FLUSH_MS = 30_000;

function macOf(ns: string, device: string): string {
  const [link] = JSON.parse(execInNetns(ns, ['ip', '-j', 'link', 'show', 'dev', device])) as { address: string }[];
  return link?.address ?? '';
}

describe.skipIf(!supported.ok)('privacy with netmon serve running (real traffic)', () => {
  let net: TwoUplinks;
  let root: string;
  let dataDir: string;
  let keyA = '';
  let labelA = '';
  const truth = new Map<string, AppReport>();
  let pendingBeforeForget = -1;
  let forget: { code: number | null; stdout: string; stderr: string } = { code: -1, stdout: '', stderr: '' };
  let privateRowsAfterFlush = 0;
  let bytesAfterFlush = Buffer.alloc(0);
  let textAfterFlush = '';
  let textAtStop = '';
  let serveCode: number | null = null;
  let serveStderr = '';
  let stored: { network: string; app: string; bytes: number }[] = [];

  beforeAll(async () => {
    net = createTwoUplinks();
    root = mkdtempSync(path.join(os.tmpdir(), 'netmon-privacy-serve-'));
    dataDir = path.join(root, 'data');
    const [a, b] = net.uplinks;
    const mac = macOf(a.gateway, a.gatewayDevice);
    keyA = `wired:${mac}`;
    labelA = `Wired · ${mac.replace(/:/g, '').slice(-4)}`; // uplinks.ts: what netmon would call it
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(
      path.join(dataDir, 'privacy.json'),
      JSON.stringify({
        entries: [
          { kind: 'network', name: keyA, level: 'private' },
          { kind: 'app', name: 'nmupa', level: 'private' },
        ],
      }),
      { mode: 0o600 },
    );
    const plans: Record<string, AppPlan> = {
      nmupa: { dns: a.gatewayAddress, tasks: [{ kind: 'tcp', address: a.gatewayAddress, port: 80, op: 'download', bytes: 2_000_000, paceMs: 2000 }] },
      nmupb: { dns: b.gatewayAddress, tasks: [{ kind: 'tcp', address: b.gatewayAddress, port: 80, op: 'download', bytes: 1_500_000, paceMs: 2000 }] },
    };
    const peers = await Promise.all(net.uplinks.map((u, i) => startPeers(u.gateway, { tcp: [{ host: u.gatewayAddress, port: 80 }] }, `nmpriv${i}`)));
    const textfile = path.join(root, 'netmon.prom');
    const db = (): Database.Database => new Database(path.join(dataDir, 'network_monitor.db'), { readonly: true });
    try {
      const served = await startServe(netnsArgv(net.client, [testNode(), NETMON, 'serve', '--port', '0', '--sampler', 'linux', '--interval', '1', '--no-open', '--data-dir', dataDir, '--metrics-textfile', textfile]));
      const startedAt = Date.now();
      try {
        await sleep(2000);
        const running = Object.entries(plans).map(([name, plan]) => startApp(net.client, name, plan));
        for (const app of running) truth.set(app.name, await app.done);
        await sleep(2000);
        // Still in serve's memory: the first flush after the start has not come.
        const r = db();
        try {
          pendingBeforeForget = (r.prepare("SELECT count(*) AS n FROM usage_raw JOIN apps ON apps.id = app_id WHERE apps.name = 'nmupb'").get() as { n: number }).n;
        } finally {
          r.close();
        }
        forget = netmon(['forget', 'nmupb', '--yes', '--app', '--data-dir', dataDir]);
        // Past the next flush (and a few textfile intervals).
        await sleep(Math.max(0, startedAt + FLUSH_MS + 5000 - Date.now()));
        const after = db();
        try {
          privateRowsAfterFlush = (after.prepare('SELECT count(*) AS n FROM usage_raw JOIN apps ON apps.id = app_id WHERE apps.name = ?').get(PRIVATE_APP) as { n: number }).n;
        } finally {
          after.close();
        }
        const base = path.join(dataDir, 'network_monitor.db');
        bytesAfterFlush = Buffer.concat([base, `${base}-wal`].map((f) => readFileSync(f)));
        textAfterFlush = readFileSync(textfile, 'utf8');
      } finally {
        textAtStop = readFileSync(textfile, 'utf8');
        serveCode = await served.stop();
        serveStderr = served.stderr();
      }
    } finally {
      await Promise.all(peers.map((p) => p.stop()));
    }
    const r = db();
    try {
      stored = r
        .prepare('SELECT n.key AS network, a.name AS app, sum(t.bytes_in + t.bytes_out) AS bytes FROM network_raw t JOIN networks n ON n.id = t.network_id JOIN apps a ON a.id = t.app_id GROUP BY 1, 2')
        .all() as typeof stored;
    } finally {
      r.close();
    }
  }, 120_000);

  afterAll(() => {
    net?.destroy();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('serve stops on SIGTERM with exit 0, no write failed', () => {
    expect(serveCode, serveStderr).toBe(0);
    expect(serveStderr).not.toMatch(/could not write/);
  });

  it('a private network and app: stored under the private network and "Private", counted; id, label and name nowhere in the database or the textfile', () => {
    const nmupa = truth.get('nmupa');
    expect(nmupa).toBeDefined();
    const privateBytes = stored.filter((s) => s.network === PRIVATE_NETWORK && s.app === PRIVATE_APP).reduce((n, s) => n + s.bytes, 0);
    expect(privateBytes).toBeGreaterThanOrEqual(0.98 * ((nmupa?.bytesReceived ?? 0) + (nmupa?.bytesSent ?? 0)));
    expect(stored.map((s) => s.network)).not.toContain(keyA);
    for (const text of [keyA, labelA, 'nmupa']) {
      expect(inFile(dataDir, text), `database: ${text}`).toBe(false);
      expect(textAtStop.includes(text), `textfile: ${text}`).toBe(false);
    }
    expect(textAtStop).toMatch(/netmon_network_bytes_total\{[^}]*network="private"/);
    expect(textAtStop).toMatch(/name="Private network"/);
  });

  it('forget from the CLI while serve holds the rows: nothing of the name is written afterwards', () => {
    expect(pendingBeforeForget, 'the rows were still in memory when forget ran').toBe(0);
    expect(forget.code, forget.stderr).toBe(0);
    // The flush after the forget worked: it wrote the private rows it held with them.
    expect(privateRowsAfterFlush).toBeGreaterThan(0);
    expect(bytesAfterFlush.includes(Buffer.from('nmupb'))).toBe(false);
    expect(textAfterFlush.includes('nmupb')).toBe(false);
    // And after serve wrote what it still held at the stop.
    expect(inFile(dataDir, 'nmupb')).toBe(false);
    expect(stored.some((s) => s.app === 'nmupb')).toBe(false);
    expect(readFileSync(path.join(dataDir, 'privacy.json'), 'utf8')).not.toContain('nmupb');
  });
});
