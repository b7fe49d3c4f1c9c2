// The eBPF sampler against real traffic: the real netmon-capture helper runs in a client namespace (through
// `nsenter --net`, as `launcher`) while named processes there move known bytes to peers in a server
// namespace: TCP both ways (64 KB writes, with the veth's segmentation offload on, as by default), a burst
// of 220 connections each living about 50 ms, UDP both ways over a connected socket and over an
// unconnected one talking to two peers, DNS-like answers from port 53, a TCP stream that starts like TLS,
// and loopback traffic that must be left out. The samples go through the real delta engine, and each
// process's bytes must match what the process itself counted at its sockets: exactly for UDP (no
// retransmission), within 2 % (and never less) for TCP (retransmits cross the wire and count).
// Figures (expected vs measured per process, helper CPU) go to tests/artifacts/ebpf-sampler.txt.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeltaOptions, initialDeltaState, stepDelta, type DeltaState } from '../../src-main/engine/delta.js';
import { ebpfAvailability } from '../../src-main/engine/samplers/ebpf/probe.js';
import { SnapshotAssembler, type CaptureSnapshot } from '../../src-main/engine/samplers/ebpf/protocol.js';
import { EbpfSampler } from '../../src-main/engine/samplers/ebpf/sampler.js';
import type { FlowDelta, PayloadEvent, Sample } from '../../src-main/engine/types.js';
import { createNetnsPair, netnsArgv, netnsSupport, type NetnsPair } from '../helpers/netns.js';
import { namedNode, runTraffic, startTraffic, startTrafficServer, type RunningTraffic, type TrafficReport, type TrafficServer } from '../helpers/traffic.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const HELPER = path.join(REPO, 'dist', 'helper', 'netmon-capture');
const ARTIFACT = path.join(REPO, 'tests', 'artifacts', 'ebpf-sampler.txt');
const INTERVAL_MS = 500;
/** The ClientHello record nmtls opens its stream with (body bytes; under the helper's 8 KB cap). */
const TLS_RECORD_LENGTH = 4000;

function support(): { ok: true } | { ok: false; reason: string } {
  const netns = netnsSupport();
  if (!netns.ok) return netns;
  if (!existsSync(HELPER)) return { ok: false, reason: `the capture helper is not built (${HELPER}): npm run build:helper` };
  if (!existsSync('/usr/bin/nsenter')) return { ok: false, reason: 'nsenter (util-linux) is needed to run the helper in the client namespace' };
  return { ok: true };
}
const supported = support();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// UDP peers, UDP clients, a TLS-looking stream and a loopback transfer; each prints one JSON line at the end.
const TOOL = String.raw`
import dgram from 'node:dgram';
import net from 'node:net';
const [mode, ...a] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify({ pid: process.pid, ...o }) + '\n');
if (mode === 'udp-server') {
  // Each datagram 'R' + 6 digits asks for a reply of that many bytes; the reply starts 0x81 0x80 like a DNS answer.
  const [host, ...ports] = a;
  const totals = { received: 0, sent: 0 };
  for (const port of ports) {
    const s = dgram.createSocket('udp4');
    s.on('message', (msg, rinfo) => {
      totals.received += msg.length;
      const n = Number(msg.toString('latin1', 1, 7));
      if (!Number.isInteger(n) || n < 0 || n > 65000) return;
      const reply = Buffer.alloc(n, 0x62);
      reply[0] = 0x81; reply[1] = 0x80;
      s.send(reply, rinfo.port, rinfo.address, () => { totals.sent += n; });
    });
    s.bind(Number(port), host);
  }
  setTimeout(() => out({ event: 'listening' }), 200);
  process.on('SIGTERM', () => { out({ event: 'done', ...totals }); process.exit(0); });
} else if (mode === 'udp-client') {
  // Ping-pong, one datagram at a time, so that nothing is dropped by a full queue; a lost reply times out.
  const [host, connected, count, size, reply, ...ports] = a;
  const s = dgram.createSocket('udp4');
  const totals = { sent: 0, received: 0, peers: {} };
  const once = (port) => new Promise((resolve) => {
    const msg = Buffer.alloc(Number(size), 0x71);
    msg.write('R' + String(reply).padStart(6, '0'), 0, 'latin1');
    const timer = setTimeout(() => { s.off('message', got); resolve(); }, 1000);
    const got = (m) => { clearTimeout(timer); totals.received += m.length; totals.peers[port] = (totals.peers[port] ?? 0) + m.length; s.off('message', got); resolve(); };
    s.on('message', got);
    const done = () => { totals.sent += msg.length; };
    if (connected === 'connected') s.send(msg, done); else s.send(msg, Number(port), host, done);
  });
  const run = async () => {
    if (connected === 'connected') await new Promise((resolve) => s.connect(Number(ports[0]), host, resolve));
    for (let i = 0; i < Number(count); i++) await once(ports[i % ports.length]);
    s.close();
    out({ event: 'done', ...totals });
  };
  if (connected === 'connected') run(); else s.bind(0, () => run());
} else if (mode === 'quic') {
  // Long-header datagrams: v1 Initials (0xc3), then v2 Initials (0xd3), then a 1600-byte one (cut at 1500).
  const [host, port] = a;
  const s = dgram.createSocket('udp4');
  const sizes = [1200, 1200, 1200, 1600, 1200, 1200];
  let sent = 0;
  s.connect(Number(port), host, async () => {
    for (const [i, size] of sizes.entries()) {
      const d = Buffer.alloc(size, 0x51);
      d[0] = i < 3 ? 0xc3 : 0xd3;
      d.write('000010', 1, 'latin1');
      d[size - 1] = 0x7a;
      await new Promise((resolve) => s.send(d, resolve));
      sent += size;
    }
    setTimeout(() => { s.close(); out({ event: 'done', sent, received: 0 }); }, 300);
  });
  s.on('message', () => undefined);
} else if (mode === 'tls-start') {
  // A stream that opens with a TLS handshake record holding a ClientHello (type 1) of recordLength bytes,
  // then more bytes (what a TLS 1.2 client's Certificate would be): only that first record is passed up.
  const [host, port, bytes, recordLength] = a;
  const data = Buffer.alloc(Number(bytes));
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  data[0] = 0x16; data[1] = 0x03; data[2] = 0x01;
  data[3] = Number(recordLength) >> 8; data[4] = Number(recordLength) & 0xff; data[5] = 0x01;
  const c = net.connect(Number(port), host, () => c.end(data));
  c.on('data', () => undefined);
  c.on('close', () => out({ event: 'done', sent: data.length }));
} else if (mode === 'local') {
  // Loopback: bytes that never reach an interface, so the sampler must leave them out.
  const bytes = Number(a[0]);
  const server = net.createServer((sock) => { sock.on('data', () => undefined); sock.on('end', () => { sock.end(); server.close(); }); });
  server.listen(0, '127.0.0.1', () => {
    const c = net.connect(server.address().port, '127.0.0.1', () => c.end(Buffer.alloc(bytes, 0x6c)));
    c.on('close', () => out({ event: 'done', sent: bytes }));
  });
}
`;

interface ToolReport {
  pid: number;
  sent: number;
  received: number;
  peers?: Record<string, number>;
}

let toolDir = '';

/** Runs the inline tool as process `name` in namespace `ns`; resolves with its JSON report. */
function runTool(ns: string, name: string, args: string[], until: 'done' | 'listening' = 'done'): { pid: number; report: Promise<ToolReport>; stop: () => Promise<ToolReport> } {
  const [command, ...rest] = netnsArgv(ns, [namedNode(name), path.join(toolDir, 'tool.mjs'), ...args]);
  const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let buffer = '';
  let stderr = '';
  const waiters: { event: string; resolve: (r: ToolReport) => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const record = JSON.parse(buffer.slice(0, nl)) as ToolReport & { event: string };
      buffer = buffer.slice(nl + 1);
      for (const w of waiters.filter((x) => x.event === record.event)) w.resolve(record);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const waitFor = (event: string): Promise<ToolReport> =>
    new Promise((resolve, reject) => {
      waiters.push({ event, resolve });
      child.once('exit', (code) => setTimeout(() => reject(new Error(`${name} exited (${code ?? 'signal'}) before '${event}': ${stderr}`)), 200));
    });
  const report = waitFor(until);
  report.catch(() => undefined);
  return {
    pid: child.pid ?? 0,
    report,
    stop: () => {
      if (exited) return Promise.reject(new Error(`${name} had already exited: ${stderr}`));
      const done = waitFor('done');
      child.kill('SIGTERM');
      return done;
    },
  };
}

describe.skipIf(!supported.ok)(`eBPF sampler in a network namespace${supported.ok ? '' : ` (skipped: ${supported.reason})`}`, () => {
  let pair: NetnsPair;
  let tcpServer: TrafficServer;
  let udpServer: ReturnType<typeof runTool>;
  let sampler: EbpfSampler;
  const samples: Sample[] = [];
  const reports: Record<string, { in: number; out: number }> = {};
  let udpPeers: Record<string, number> = {};
  let tlsSent = 0;
  let helperCpuS = 0;
  let wallS = 0;
  let byName = new Map<string, { in: number; out: number; ids: Set<string>; ports: Set<number> }>();
  let flowOwner = new Map<string, string>();
  let payloads: PayloadEvent[] = [];

  beforeAll(async () => {
    toolDir = mkdtempSync(path.join(os.tmpdir(), 'netmon-ebpf-test-'));
    writeFileSync(path.join(toolDir, 'tool.mjs'), TOOL);
    pair = createNetnsPair();
    tcpServer = await startTrafficServer(pair.server, { host: pair.serverAddress, port: 9000 });
    udpServer = runTool(pair.server, 'nmudpsrv', ['udp-server', pair.serverAddress, '53', '7000', '7001'], 'listening');
    await udpServer.report;

    // A connection older than the helper: no socket hook saw it, so its owner comes from ss by cookie.
    const old: RunningTraffic = startTraffic(pair.client, { name: 'nmold', mode: 'download', host: pair.serverAddress, port: 9000, bytes: 1_000_000, paceMs: 5000 });
    await sleep(500);
    sampler = new EbpfSampler({ helperPath: HELPER, launcher: ['nsenter', `--net=/run/netns/${pair.client}`], intervalMs: INTERVAL_MS });
    sampler.start((sample) => samples.push(sample));
    const deadline = Date.now() + 15_000;
    while (samples.length < 2 && Date.now() < deadline) await sleep(100);
    if (samples.length < 2) throw new Error(`the sampler did not start: ${JSON.stringify(sampler.health())}`);
    const helperPid = Number(sampler.health().details['helperPid']);
    const cpuOf = (pid: number): number => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / 100;
    };
    const cpuBefore = cpuOf(helperPid);
    const started = Date.now();

    const host = pair.serverAddress;
    const tcp = async (name: string, spec: Parameters<typeof runTraffic>[1]): Promise<void> => {
      const r: TrafficReport = await runTraffic(pair.client, spec);
      reports[name] = { in: r.bytesReceived, out: r.bytesSent };
    };
    const udp = async (name: string, args: string[]): Promise<void> => {
      const r = await runTool(pair.client, name, args).report;
      reports[name] = { in: r.received, out: r.sent };
      if (name === 'nmudpu') udpPeers = r.peers ?? {};
    };
    await Promise.all([
      tcp('nmdown', { name: 'nmdown', mode: 'download', host, port: 9000, bytes: 6_000_000 }),
      tcp('nmup', { name: 'nmup', mode: 'upload', host, port: 9000, bytes: 4_000_000 }),
      tcp('nmburst', { name: 'nmburst', mode: 'download', host, port: 9000, bytes: 20_000, connections: 220, parallel: 4, holdMs: 50 }),
      udp('nmudpc', ['udp-client', host, 'connected', '300', '1000', '700', '7000']),
      udp('nmudpu', ['udp-client', host, 'unconnected', '200', '500', '300', '7000', '7001']),
      udp('nmdns', ['udp-client', host, 'unconnected', '5', '40', '120', '53']),
      runTool(pair.client, 'nmtls', ['tls-start', host, '9000', '20000', String(TLS_RECORD_LENGTH)]).report.then((r) => {
        tlsSent = r.sent;
        reports['nmtls'] = { in: 0, out: r.sent };
      }),
      runTool(pair.client, 'nmlocal', ['local', '1000000']).report.then(() => undefined),
      runTool(pair.client, 'nmquic', ['quic', host, '7001']).report.then(() => undefined),
      old.done.then(() => undefined),
    ]);
    // Let released sockets be reported closed (the helper waits 1.5 s of quiet), then stop.
    await sleep(2500);
    helperCpuS = cpuOf(helperPid) - cpuBefore;
    wallS = (Date.now() - started) / 1000;
    await sampler.stop();

    let state: DeltaState = initialDeltaState();
    const options = defaultDeltaOptions(INTERVAL_MS);
    const deltas: FlowDelta[] = [];
    for (const sample of samples) {
      const step = stepDelta(state, sample, options);
      state = step.state;
      if (step.interval !== null) deltas.push(...step.interval.flows);
    }
    byName = new Map();
    flowOwner = new Map();
    for (const d of deltas) {
      const name = d.owner?.name ?? '(none)';
      const entry = byName.get(name) ?? { in: 0, out: 0, ids: new Set<string>(), ports: new Set<number>() };
      entry.in += d.bytesIn;
      entry.out += d.bytesOut;
      entry.ids.add(d.id);
      if (d.remote !== undefined) entry.ports.add(d.remote.port);
      byName.set(name, entry);
      flowOwner.set(d.id, name);
    }
    for (const sample of samples) for (const f of [...sample.flows, ...sample.closed]) if (!flowOwner.has(f.id)) flowOwner.set(f.id, f.owner?.name ?? '(none)');
    payloads = samples.flatMap((s) => s.payloads ?? []);

    const lines = [`eBPF sampler, ${samples.length} samples every ${INTERVAL_MS} ms; helper CPU ${helperCpuS.toFixed(2)} s over ${wallS.toFixed(1)} s of traffic (${((100 * helperCpuS) / wallS).toFixed(2)} % of one core)`];
    lines.push('process      expected in/out        measured in/out');
    for (const [name, r] of Object.entries(reports)) {
      const m = byName.get(name);
      lines.push(`${name.padEnd(12)} ${String(r.in).padStart(9)} / ${String(r.out).padEnd(9)}  ${String(m?.in ?? 0).padStart(9)} / ${m?.out ?? 0}`);
    }
    lines.push(`health at stop: ${JSON.stringify(sampler.health())}`);
    mkdirSync(path.dirname(ARTIFACT), { recursive: true });
    writeFileSync(ARTIFACT, `${lines.join('\n')}\n`);
  }, 180_000);

  afterAll(async () => {
    await sampler?.stop();
    await udpServer?.stop().catch(() => undefined);
    await tcpServer?.stop().catch(() => undefined);
    pair?.destroy();
    if (toolDir !== '') rmSync(toolDir, { recursive: true, force: true });
  });

  const tcpWithin = (name: string): void => {
    const expected = reports[name];
    const measured = byName.get(name);
    expect(expected, `${name} ran`).toBeDefined();
    expect(measured, `${name} has bytes`).toBeDefined();
    if (expected === undefined || measured === undefined) return;
    // Never less than moved; more only by retransmissions, which crossed the wire.
    expect(measured.in).toBeGreaterThanOrEqual(expected.in);
    expect(measured.in).toBeLessThanOrEqual(expected.in * 1.02);
    expect(measured.out).toBeGreaterThanOrEqual(expected.out);
    expect(measured.out).toBeLessThanOrEqual(expected.out * 1.02);
  };

  it('counts a long TCP download and upload (64 KB writes, offload on) within 2 % and never less', () => {
    tcpWithin('nmdown');
    tcpWithin('nmup');
  });

  it('counts 220 connections of about 50 ms each, all tied to their process', () => {
    tcpWithin('nmburst');
    expect(byName.get('nmburst')?.ids.size).toBe(220);
  });

  it('counts UDP both ways exactly, over a connected socket', () => {
    const m = byName.get('nmudpc');
    expect(reports['nmudpc']?.out).toBe(300 * 1000);
    expect(m?.out).toBe(reports['nmudpc']?.out);
    expect(m?.in).toBe(reports['nmudpc']?.in);
  });

  it('counts UDP both ways exactly over an unconnected socket, one flow per peer', () => {
    const m = byName.get('nmudpu');
    expect(m?.out).toBe(reports['nmudpu']?.out);
    expect(m?.in).toBe(reports['nmudpu']?.in);
    expect([...(m?.ports ?? [])].sort()).toEqual([7000, 7001]);
    // The two peers' flows have one cookie: the same socket.
    const cookies = new Set([...(m?.ids ?? [])].map((id) => id.split('/')[0]));
    expect(cookies.size).toBe(1);
    expect(Object.keys(udpPeers).sort()).toEqual(['7000', '7001']);
  });

  it('ties a connection older than the helper to its process, and leaves no flow under a bare uid', () => {
    expect(byName.get('nmold')?.in).toBeGreaterThan(0);
    expect([...byName.keys()].filter((name) => name.startsWith('('))).toEqual([]);
  });

  it('leaves loopback traffic out', () => {
    expect(byName.has('nmlocal')).toBe(false);
    for (const sample of samples) for (const f of sample.flows) expect(f.remote?.address.startsWith('127.')).toBe(false);
  });

  it('passes up DNS answers from port 53, tied to the asking flow', () => {
    const dns = payloads.filter((p) => p.direction === 'in' && p.protocol === 'udp' && p.remote.port === 53);
    expect(dns.length).toBe(5);
    for (const p of dns) {
      expect(p.remote.address).toBe(pair.serverAddress);
      expect(Array.from(p.bytes.slice(0, 2))).toEqual([0x81, 0x80]);
      expect(p.bytes.length).toBe(120);
      expect(p.truncated).toBe(false);
      expect(flowOwner.get(p.flowId)).toBe('nmdns');
    }
    expect(byName.get('nmdns')?.in).toBe(reports['nmdns']?.in);
  });

  it('passes up the first 4 QUIC Initials (v1 and v2 first bytes) of a flow, cut at 1500 bytes', () => {
    const quic = payloads.filter((p) => p.protocol === 'udp' && p.direction === 'out');
    for (const p of quic) expect(flowOwner.get(p.flowId)).toBe('nmquic');
    // The tool sent 0xc3 ×3 (1200 bytes) then 0xd3 (1600), 0xd3 ×2: only the first four are passed up.
    expect(quic.map((p) => [p.bytes[0], p.bytes.length, p.truncated])).toEqual([
      [0xc3, 1200, false],
      [0xc3, 1200, false],
      [0xc3, 1200, false],
      [0xd3, 1500, true],
    ]);
    expect(quic[0]?.bytes[1199]).toBe(0x7a);
    expect(quic[0]?.remote).toEqual({ address: pair.serverAddress, port: 7001 });
  });

  it('passes up a stream\'s first TLS record when it holds a ClientHello, nothing after that record, and nothing of other streams', () => {
    const tls = payloads.filter((p) => p.protocol === 'tcp');
    expect(tls.length).toBeGreaterThan(0);
    for (const p of tls) expect(flowOwner.get(p.flowId)).toBe('nmtls');
    const first = Math.min(...tls.map((p) => p.tcpSeq ?? Infinity));
    const covered = new Set<number>();
    for (const p of tls) {
      const start = ((p.tcpSeq ?? 0) - first) >>> 0;
      p.bytes.forEach((byte, i) => {
        const at = start + i;
        covered.add(at);
        // What the tool wrote at that offset.
        const header = [0x16, 0x03, 0x01, TLS_RECORD_LENGTH >> 8, TLS_RECORD_LENGTH & 0xff, 0x01];
        const wrote = at < header.length ? header[at] : at % 251;
        expect(byte).toBe(wrote);
      });
    }
    // The record's 5-byte header and body, whole, and not one byte of what the stream sent after it.
    const recordEnd = 5 + TLS_RECORD_LENGTH;
    expect(tlsSent).toBeGreaterThan(recordEnd);
    expect(covered.size).toBe(recordEnd);
    expect(Math.max(...covered)).toBe(recordEnd - 1);
  });

  it('lost nothing, read every line, and says the helper can run here', async () => {
    const health = sampler.health();
    expect(health.state).toBe('stopped');
    expect(health.malformedLines).toBe(0);
    expect(health.details['connectionsNotCounted']).toBe(0);
    expect(health.details['packetStartsLost']).toBe(0);
    expect(await ebpfAvailability(HELPER)).toEqual({ ok: true });
  });
});

describe.skipIf(!supported.ok)('netmon-capture on its own: large segments', () => {
  let pair: NetnsPair;
  let server: TrafficServer;

  beforeAll(async () => {
    pair = createNetnsPair();
    server = await startTrafficServer(pair.server, { host: pair.serverAddress, port: 9000 });
  });
  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    pair?.destroy();
  });

  it('counts 64 KB offload segments by their real length: bytes exact, far fewer packets than MTU-sized ones', async () => {
    const child = spawn('nsenter', [`--net=/run/netns/${pair.client}`, HELPER, '--on-request'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const assembler = new SnapshotAssembler();
    const snapshots: CaptureSnapshot[] = [];
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const s = assembler.push(line);
        if (s !== null) snapshots.push(s);
      }
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let sent: number | undefined;
    try {
      while (assembler.version === null) await sleep(50);
      sent = (await runTraffic(pair.client, { name: 'nmbig', mode: 'upload', host: pair.serverAddress, port: 9000, bytes: 8_000_000 })).bytesSent;
      child.stdin.write('final\n');
      while (snapshots.length === 0) await sleep(50);
    } finally {
      child.stdin.end();
      await exited;
    }
    expect(sent).toBe(8_000_024);
    const snapshot = snapshots[0];
    const flows = [...(snapshot?.flows ?? []), ...(snapshot?.closed ?? [])].filter((f) => f.protocol === 'tcp' && f.port === 9000);
    expect(flows.length).toBe(1);
    const flow = flows[0];
    // The upload wrote 24 header bytes and then 8 000 000: all of them cross as payload, once (no loss on a veth).
    expect(flow?.bytesOut).toBeGreaterThanOrEqual(sent ?? Infinity);
    expect(flow?.bytesOut).toBeLessThanOrEqual((sent ?? 0) * 1.02);
    // 1448-byte segments would take 5 525 packets; merged ones are counted once each, at their full length.
    expect((flow?.bytesOut ?? 0) / (flow?.packetsOut ?? 1)).toBeGreaterThan(1500);
    expect(flow?.comm).toBe('nmbig');
  }, 60_000);
});
