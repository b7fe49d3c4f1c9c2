// Issue 13 item 4, "UDP-peer flood" (security review finding 6): a flood of spoofed peers (150 000
// distinct source address:port pairs from 203.0.113.0/24) to one long-lived UDP socket in the client
// namespace, while `netmon serve --sampler ebpf` counts a paced app that opens new TCP connections and
// sends UDP through the flood, and a second app that starts when the flood ends. Both must be counted
// within 2 % of what they counted at their sockets. A second helper, run beside serve's, shows the
// kernel table: never full, a socket's per-peer keys capped (the rest of its bytes on its "other peers"
// key), and the flood's keys aged out once quiet. Figures go to tests/artifacts/ebpf-udp-flood.txt.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, reportRows, startServe, type ReportRow } from '../helpers/cli.js';
import { HELPER, serveArgv } from '../helpers/ebpf-serve.js';
import { CLIENT_ADDRESS, SERVER_ADDRESS, createNetnsPair, execInNetns, netnsArgv, netnsSupport, type NetnsPair } from '../helpers/netns.js';
import { startApp, startPeers, type AppPlan, type AppReport } from '../helpers/netns-apps.js';

const FLOOD_TOOL = path.join(REPO, 'tests', 'fixtures', 'udp-flood.py');
const ARTIFACT = path.join(REPO, 'tests', 'artifacts', 'ebpf-udp-flood.txt');
const FLOOD = { count: 150_000, size: 64, seconds: 6, port: 9000, prefix: '203.0.113' };
/** capture.h: NM_UDP_PEERS_PER_SOCKET and NM_UDP_PEER_AGE_NS. */
const PEERS_PER_SOCKET = 256;
const PEER_AGE_MS = 10_000;

function support(): { ok: true } | { ok: false; reason: string } {
  const netns = netnsSupport();
  if (!netns.ok) return netns;
  if (!existsSync(HELPER)) return { ok: false, reason: `the capture helper is not built (${HELPER}: npm run build:helper)` };
  const python = spawnSync('python3', ['--version']);
  if (python.error !== undefined) return { ok: false, reason: 'python3 (the flood tool) is missing' };
  return { ok: true };
}
const supported = support();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A child in a namespace whose stdout is JSON lines; resolves each line that has `key`. */
function jsonChild(ns: string, argv: string[]): { child: ChildProcess; line: (key: string) => Promise<Record<string, number>> } {
  const [command, ...args] = netnsArgv(ns, argv);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, number>[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      lines.push(JSON.parse(buffer.slice(0, i)) as Record<string, number>);
      buffer = buffer.slice(i + 1);
      for (const wake of waiters.splice(0)) wake();
    }
  });
  const line = async (key: string): Promise<Record<string, number>> => {
    for (;;) {
      const found = lines.find((l) => key in l);
      if (found !== undefined) return found;
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return { child, line };
}

/** The helper's end-of-snapshot lines: E, number, map-full keys, their bytes, owners lost, starts lost, live keys. */
interface TableLine {
  atMs: number;
  flowMapFull: number;
  liveKeys: number;
}

/** A second netmon-capture in the namespace (as root), read only for its table figures. */
function observeTable(ns: string): { lines: TableLine[]; stop: () => Promise<void> } {
  const [command, ...args] = netnsArgv(ns, [HELPER, '--interval-ms', '500']);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: TableLine[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const fields = buffer.slice(0, i).split('\t');
      buffer = buffer.slice(i + 1);
      if (fields[0] === 'E') lines.push({ atMs: Date.now(), flowMapFull: Number(fields[2]), liveKeys: Number(fields[6]) });
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { lines, stop: async () => (child.kill('SIGTERM'), exited) };
}

const PACED: AppPlan = {
  dns: SERVER_ADDRESS,
  tasks: [
    // A new connection about every half second through the flood: each needs a new key in the table.
    { kind: 'tcp', address: SERVER_ADDRESS, port: 80, op: 'download', bytes: 60_000, connections: 30, parallel: 2, paceMs: 1000 },
    { kind: 'udp', address: SERVER_ADDRESS, port: 7000, count: 1000, size: 400, reply: 600, batch: 10, gapMs: 150 },
  ],
};
const AFTER: AppPlan = {
  dns: SERVER_ADDRESS,
  tasks: [
    { kind: 'tcp', address: SERVER_ADDRESS, port: 80, op: 'upload', bytes: 40_000, connections: 10, parallel: 2, paceMs: 800 },
    { kind: 'udp', address: SERVER_ADDRESS, port: 7000, count: 400, size: 300, reply: 500, batch: 10, gapMs: 100 },
  ],
};

describe.skipIf(!supported.ok)(`eBPF sampler under a UDP-peer flood${supported.ok ? '' : ` (skipped: ${supported.reason})`}`, () => {
  let pair: NetnsPair;
  let root: string;
  const truth = new Map<string, AppReport>();
  let apps: ReportRow[] = [];
  let table: TableLine[] = [];
  let flood: Record<string, number> = {};
  let sunk: Record<string, number> = {};
  let floodEnd = 0;
  let serveCode: number | null = null;
  let serveStderr = '';

  beforeAll(async () => {
    pair = createNetnsPair();
    // The spoofed sources are reachable through the link (no reverse-path drop before the socket).
    execInNetns(pair.client, ['ip', 'route', 'add', `${FLOOD.prefix}.0/24`, 'dev', pair.clientDevice]);
    root = mkdtempSync(path.join(os.tmpdir(), 'netmon-ebpf-flood-'));
    const serveDir = path.join(root, 'serve');
    mkdirSync(serveDir);
    const dataDir = path.join(serveDir, 'data');
    const server = await startPeers(pair.server, { tcp: [{ host: SERVER_ADDRESS, port: 80 }], udp: [{ host: SERVER_ADDRESS, port: 7000 }] });
    try {
      const served = await startServe(serveArgv(pair.client, serveDir, dataDir).argv);
      const observer = observeTable(pair.client);
      const sink = jsonChild(pair.client, ['python3', FLOOD_TOOL, 'sink', CLIENT_ADDRESS, String(FLOOD.port)]);
      await sink.line('listening');
      await sleep(2500);
      const paced = startApp(pair.client, 'nmpaced', PACED);
      await sleep(2000);
      const flooder = jsonChild(pair.server, ['python3', FLOOD_TOOL, 'flood', CLIENT_ADDRESS, String(FLOOD.port), String(FLOOD.count), String(FLOOD.size), String(FLOOD.seconds), FLOOD.prefix]);
      flood = await flooder.line('sent');
      floodEnd = Date.now();
      const after = startApp(pair.client, 'nmafter', AFTER);
      truth.set('nmpaced', await paced.done);
      truth.set('nmafter', await after.done);
      // The flood's keys age out once quiet for the ageing time (and a snapshot has seen it).
      await sleep(Math.max(0, floodEnd + PEER_AGE_MS + 3000 - Date.now()));
      await observer.stop();
      table = observer.lines;
      sink.child.kill('SIGTERM');
      sunk = await sink.line('received');
      serveCode = await served.stop();
      serveStderr = served.stderr();
    } finally {
      await server.stop();
    }
    apps = reportRows(dataDir);
    writeFigures();
  }, 150_000);

  afterAll(() => {
    pair?.destroy();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  /** What came in to an app: read, plus UDP replies the kernel dropped at its full socket after netmon's hook counted them. */
  const delivered = (counted: AppReport): number => counted.bytesReceived + counted.bytesDropped;
  const app = (name: string): ReportRow => apps.find((r) => r.app === name) ?? { app: name, bytesIn: 0, bytesOut: 0 };
  const error = (measured: number, expected: number): number => (expected === 0 ? 0 : Math.abs(measured - expected) / expected);
  const duringFlood = (): TableLine[] => table.filter((l) => l.atMs <= floodEnd + 1000);

  function writeFigures(): void {
    const lines = [`eBPF sampler under a UDP-peer flood ${new Date().toISOString()}`];
    lines.push(`flood: ${flood['sent']} datagrams of ${FLOOD.size} bytes from ${flood['peers']} distinct ${FLOOD.prefix}.0/24 peers over ~${FLOOD.seconds} s; the sink read ${sunk['received']} (${sunk['bytes']} bytes)`);
    for (const [name, counted] of truth) {
      const row = app(name);
      lines.push(`${name}: truth in/out ${delivered(counted)}/${counted.bytesSent} (${counted.bytesDropped} in dropped at its full socket), netmon ${row.bytesIn}/${row.bytesOut}, error in ${(100 * error(row.bytesIn, delivered(counted))).toFixed(3)} %, out ${(100 * error(row.bytesOut, counted.bytesSent)).toFixed(3)} %`);
    }
    const peak = Math.max(0, ...duringFlood().map((l) => l.liveKeys));
    lines.push(`kernel table (second helper): peak live keys during the flood ${peak}, at the end ${table.at(-1)?.liveKeys ?? '—'}, keys not inserted (map full) ${table.at(-1)?.flowMapFull ?? '—'}`);
    lines.push(`rows: ${apps.map((r) => `${r.app} ${r.bytesIn}/${r.bytesOut}`).join(', ')}`);
    const text = `${lines.join('\n')}\n`;
    mkdirSync(path.dirname(ARTIFACT), { recursive: true });
    writeFileSync(ARTIFACT, text);
    console.log(text);
  }

  it('the flood went out: every datagram from its own spoofed peer', () => {
    expect(flood['sent']).toBe(FLOOD.count);
    expect(flood['peers']).toBe(FLOOD.count);
    expect(serveCode, serveStderr).toBe(0);
  });

  it.each(['nmpaced', 'nmafter'])('%s (during and after the flood): bytes within 2 percent of what it counted, in and out', (name) => {
    const counted = truth.get(name);
    if (counted === undefined) throw new Error(`no ground truth for ${name}`);
    const row = app(name);
    // 2 %, and never less than one byte per connection (a FIN the kernel may count as a byte).
    const slack = (expected: number): number => Math.max(expected * 0.02, counted.connections);
    expect(Math.abs(row.bytesIn - delivered(counted)), `${name} in: netmon ${row.bytesIn}, truth ${delivered(counted)}`).toBeLessThanOrEqual(slack(delivered(counted)));
    expect(Math.abs(row.bytesOut - counted.bytesSent), `${name} out: netmon ${row.bytesOut}, truth ${counted.bytesSent}`).toBeLessThanOrEqual(slack(counted.bytesSent));
  });

  it('the kernel table never filled: the flooded socket kept its share of per-peer keys, and the flood\'s keys aged out', () => {
    expect(table.length).toBeGreaterThan(10);
    expect(table.at(-1)?.flowMapFull).toBe(0);
    // Its first 256 peers have keys (and a few more between two recounts); the other 149 700 share one.
    const peak = Math.max(...duringFlood().map((l) => l.liveKeys));
    expect(peak).toBeGreaterThanOrEqual(PEERS_PER_SOCKET);
    expect(peak).toBeLessThan(PEERS_PER_SOCKET + 200);
    expect(table.at(-1)?.liveKeys).toBeLessThan(16);
  });

  it('no flood byte lost or counted twice: the sink\'s app holds at least what it read and at most what was sent', () => {
    const named = new Set(['nmpaced', 'nmafter', '(unattributed)']);
    const sinkRow = apps.filter((r) => !named.has(r.app)).sort((a, b) => b.bytesIn - a.bytesIn)[0];
    expect(sinkRow, JSON.stringify(apps)).toBeDefined();
    expect(sinkRow?.bytesIn).toBeGreaterThanOrEqual(sunk['bytes'] ?? Infinity);
    expect(sinkRow?.bytesIn).toBeLessThanOrEqual(flood['bytes'] ?? 0);
  });
});
