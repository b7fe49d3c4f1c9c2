// The engine issue's proof: `netmon serve --sampler linux` runs in a client network namespace while
// named processes move known bytes to a server namespace; after SIGTERM, `netmon report --json` must
// give each process's bytes within 2 % of what it counted itself, and everything stored must add up to
// exactly what the client's interface counted over the run.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetnsPair, interfaceBytes, netnsArgv, netnsSupport, type NetnsPair } from '../helpers/netns.js';
import { startTraffic, startTrafficServer, testNode, type TrafficReport, type TrafficServer } from '../helpers/traffic.js';
import { NETMON, reportRows, startServe, type ReportRow } from '../helpers/cli.js';

const support = netnsSupport();
const INTERVAL_S = 1;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!support.ok)(`netmon serve with real traffic in network namespaces${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let pair: NetnsPair;
  let bulk: TrafficServer;
  let burst: TrafficServer;
  let root: string;
  let dataDir: string;
  const truth = new Map<string, TrafficReport>();
  let burstTruth: TrafficReport;
  let rows: ReportRow[] = [];
  let ifaceDelta = { bytesIn: 0, bytesOut: 0 };
  let serveCode: number | null = null;
  let serveStderr = '';

  beforeAll(async () => {
    pair = createNetnsPair();
    root = mkdtempSync(path.join(os.tmpdir(), 'netmon-netns-'));
    dataDir = path.join(root, 'data');
    bulk = await startTrafficServer(pair.server, { host: pair.serverAddress, port: 9000 });
    burst = await startTrafficServer(pair.server, { host: pair.serverAddress, port: 9001 });
    const before = interfaceBytes(pair.client);
    const served = await startServe(
      netnsArgv(pair.client, [testNode(), NETMON, 'serve', '--port', '0', '--sampler', 'linux', '--interval', String(INTERVAL_S), '--data-dir', dataDir]),
    );
    // Two quiet samples first: the first is a baseline, the second shows the sampler is running.
    await sleep(2500);
    const server = pair.serverAddress;
    const runs = [
      startTraffic(pair.client, { name: 'nmdown', mode: 'download', host: server, port: 9000, bytes: 24_000_000, paceMs: 4000 }),
      startTraffic(pair.client, { name: 'nmup', mode: 'upload', host: server, port: 9000, bytes: 12_000_000, paceMs: 3000 }),
      startTraffic(pair.client, { name: 'nmpar', mode: 'download', host: server, port: 9000, bytes: 4_000_000, connections: 4, parallel: 4, paceMs: 2500 }),
    ];
    // A burst of sub-second connections while the others run.
    await sleep(800);
    const burstRun = startTraffic(pair.client, { name: 'nmburst', mode: 'download', host: server, port: 9001, bytes: 20_000, connections: 200, parallel: 4 });
    for (const run of runs) truth.set(run.name, await run.done);
    burstTruth = await burstRun.done;
    // Quiet again for two intervals, so the last sample holds everything before SIGTERM.
    await sleep(2500);
    serveCode = await served.stop();
    serveStderr = served.stderr();
    const after = interfaceBytes(pair.client);
    ifaceDelta = { bytesIn: after.bytesIn - before.bytesIn, bytesOut: after.bytesOut - before.bytesOut };
    rows = reportRows(dataDir);
    if (process.env['NETMON_DEBUG_NETNS'] !== undefined) console.log(JSON.stringify({ rows, truth: [...truth.entries()], burstTruth, ifaceDelta }, null, 1));
  }, 120_000);

  afterAll(async () => {
    await bulk?.stop();
    await burst?.stop();
    pair?.destroy();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  const app = (name: string): ReportRow => rows.find((r) => r.app === name) ?? { app: name, bytesIn: 0, bytesOut: 0 };
  // 2 %, and never less than one byte per connection: the kernel counts the peer's FIN as a byte received.
  const within2 = (measured: number, expected: number, connections: number, what: string): void => {
    expect(Math.abs(measured - expected), `${what}: measured ${measured}, the process counted ${expected}`).toBeLessThanOrEqual(Math.max(expected * 0.02, connections));
  };

  it('stops on SIGTERM with exit 0 after writing its buffer', () => {
    expect(serveCode, serveStderr).toBe(0);
    expect(serveStderr).toMatch(/SIGTERM: writing buffered rows/);
  });

  it.each(['nmdown', 'nmup', 'nmpar'])('%s: bytes within 2 %% of what the process counted', (name) => {
    const counted = truth.get(name);
    expect(counted).toBeDefined();
    const row = app(name);
    within2(row.bytesIn, counted?.bytesReceived ?? NaN, counted?.connections ?? 0, `${name} in`);
    within2(row.bytesOut, counted?.bytesSent ?? NaN, counted?.connections ?? 0, `${name} out`);
  });

  it('a burst of sub-second connections is counted, as unattributed where no poll saw its owner', () => {
    // Unprivileged, a socket that opens and closes between two polls is known only by its close event,
    // which names no process: its bytes must still be stored, under (unattributed) or nmburst.
    expect(burstTruth.connections).toBe(200);
    const burstIn = app('nmburst').bytesIn;
    const unattributedIn = app('(unattributed)').bytesIn;
    expect(burstIn + unattributedIn).toBeGreaterThanOrEqual(burstTruth.bytesReceived * 0.98);
  });

  it('everything stored adds up to exactly what the interface counted', () => {
    const stored = rows.reduce((sum, r) => ({ bytesIn: sum.bytesIn + r.bytesIn, bytesOut: sum.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
    expect(stored).toEqual(ifaceDelta);
  });

  it('the run is stored as many short intervals, each a separate row set, not one lump', () => {
    const db = new Database(path.join(dataDir, 'network_monitor.db'), { readonly: true });
    const intervals = db.prepare('SELECT ts, max(duration_s) AS d, sum(bytes_in) AS total FROM usage_raw GROUP BY ts ORDER BY ts').all() as { ts: number; d: number; total: number }[];
    db.close();
    // About 5 s of traffic sampled every second.
    expect(intervals.length).toBeGreaterThanOrEqual(4);
    for (const interval of intervals) expect(interval.d).toBeLessThanOrEqual(3 * INTERVAL_S);
    expect(intervals.reduce((sum, i) => sum + i.total, 0)).toBe(ifaceDelta.bytesIn);
  });
});
