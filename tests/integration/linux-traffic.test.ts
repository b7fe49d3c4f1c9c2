// The Linux sampler against real TCP traffic. A LinuxSampler runs inside the client namespace
// (tests/fixtures/linux/sampler-runner.js under `ip netns exec`) while named processes download,
// upload, run side by side and fire bursts of sub-second connections at a server in the other
// namespace. Each process counts its own bytes; the sampler's per-process totals must agree within 2 %.
// Also: through a router that drops packets (retransmissions must not count twice), and with the
// sampler running as uid 65534 (its own user's sockets by process, root's by uid).
//
// The totals are computed here by a deliberately plain method, independent of the delta engine: the
// largest cumulative value each socket cookie ever showed (in a poll or in its close event), minus what
// it showed in the first sample (the baseline), summed by owner.
//
// Needs root and `ip netns` (CI has both); skipped with the reason otherwise.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeltaOptions, initialDeltaState, stepDelta } from '../../src-main/engine/delta.js';
import type { FlowCounter, Sample, SamplerHealth } from '../../src-main/engine/types.js';
import { createNetnsPair, createRoutedNetnsPair, execInNetns, netnsArgv, netnsPids, netnsSupport, type NetnsPair, type RoutedNetnsPair } from '../helpers/netns.js';
import { readableCopy, startTraffic, startTrafficServer, namedNode, testNode, type TrafficReport, type TrafficServer } from '../helpers/traffic.js';

const support = netnsSupport();
const INTERVAL_MS = 1000;
const RUNNER = path.join(import.meta.dirname, '..', 'fixtures', 'linux', 'sampler-runner.js');

interface RunnerRecord {
  type: 'sample' | 'stopped';
  sample?: Sample;
  health: SamplerHealth;
}

/** The sampler running in a namespace, and everything it printed. */
class SamplerRunner {
  readonly records: RunnerRecord[] = [];
  readonly #child: ChildProcess;
  #stderr = '';

  constructor(ns: string, user?: { uid: number; gid: number }) {
    // Type stripping is on by default from Node 22.18; the flag keeps earlier 22.x working too.
    // Another user runs a copy of the runner and the sources it imports: the checkout may be private (700).
    const script = user === undefined ? RUNNER : readableCopy('tests/fixtures/linux/sampler-runner.js', ['src-main', 'src-shared', 'node_modules/rotating-file-stream']);
    const runner = [testNode(), '--experimental-strip-types', '--disable-warning=ExperimentalWarning', script];
    const argv = user === undefined ? runner : ['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', ...runner];
    const [command, ...args] = netnsArgv(ns, argv);
    this.#child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INTERVAL_MS: String(INTERVAL_MS) } });
    let rest = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.records.push(JSON.parse(line) as RunnerRecord);
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString('utf8');
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get samples(): Sample[] {
    return this.records.flatMap((r) => (r.sample === undefined ? [] : [r.sample]));
  }

  /** Waits until `count` more samples have arrived. */
  async nextSamples(count: number, timeoutMs = 20_000): Promise<void> {
    const target = this.samples.length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.samples.length < target) {
      if (Date.now() > deadline) throw new Error(`no sample within ${timeoutMs} ms; runner stderr: ${this.#stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM; resolves with the health the runner printed after `stop()`. */
  async stop(): Promise<SamplerHealth> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = new Promise((resolve) => this.#child.once('exit', resolve));
      this.#child.kill('SIGTERM');
      await exited;
    }
    const stopped = this.records.find((r) => r.type === 'stopped');
    if (stopped === undefined) throw new Error(`runner did not report its stop; stderr: ${this.#stderr}`);
    return stopped.health;
  }
}

interface CookieTotals {
  owner: FlowCounter['owner'];
  bytesIn: number;
  bytesOut: number;
  /** Listed among live flows at least once (false: known only from its close event). */
  seenLive: boolean;
  closed: boolean;
  localPort: number | null;
  remotePort: number | null;
}

/** Per cookie: largest cumulative values after the first sample, minus the first sample's (baseline). */
function totalsByCookie(samples: Sample[]): Map<string, CookieTotals> {
  const [first, ...rest] = samples;
  const baseline = new Map<string, { bytesIn: number; bytesOut: number }>();
  for (const f of first?.flows ?? []) baseline.set(f.id, { bytesIn: f.bytesIn, bytesOut: f.bytesOut });
  const totals = new Map<string, CookieTotals>();
  const see = (f: FlowCounter, live: boolean): void => {
    const base = baseline.get(f.id) ?? { bytesIn: 0, bytesOut: 0 };
    const t = totals.get(f.id) ?? { owner: null, bytesIn: 0, bytesOut: 0, seenLive: false, closed: false, localPort: null, remotePort: f.remote?.port ?? null };
    t.owner ??= f.owner;
    t.bytesIn = Math.max(t.bytesIn, f.bytesIn - base.bytesIn);
    t.bytesOut = Math.max(t.bytesOut, f.bytesOut - base.bytesOut);
    if (live) t.seenLive = true;
    else t.closed = true;
    totals.set(f.id, t);
  };
  for (const s of rest) {
    for (const f of s.flows) see(f, true);
    for (const f of s.closed) see(f, false);
  }
  return totals;
}

function sumWhere(totals: Map<string, CookieTotals>, keep: (t: CookieTotals) => boolean): { bytesIn: number; bytesOut: number; sockets: number } {
  let bytesIn = 0;
  let bytesOut = 0;
  let sockets = 0;
  for (const t of totals.values()) {
    if (!keep(t)) continue;
    bytesIn += t.bytesIn;
    bytesOut += t.bytesOut;
    sockets += 1;
  }
  return { bytesIn, bytesOut, sockets };
}

/**
 * Within 2 % of what the process counted. The peer's FIN takes one sequence number, which
 * `bytes_received` counts: up to one byte per connection on top, allowed explicitly.
 */
function expectClose(measured: number, truth: number, connections: number, label: string): void {
  const slack = 0.02 * truth + connections;
  expect(Math.abs(measured - truth), `${label}: measured ${measured}, process counted ${truth}`).toBeLessThanOrEqual(slack);
}

const accuracy: string[] = [];
afterAll(() => {
  if (accuracy.length > 0) console.log(`Linux sampler accuracy (measured/process count):\n  ${accuracy.join('\n  ')}`);
});
function record(label: string, measured: { bytesIn: number; bytesOut: number }, truth: TrafficReport): void {
  const pct = (m: number, t: number): string => (t === 0 ? `${m - t} B` : `${(((m - t) / t) * 100).toFixed(3)} %`);
  accuracy.push(`${label}: in ${measured.bytesIn}/${truth.bytesReceived} (${pct(measured.bytesIn, truth.bytesReceived)}), out ${measured.bytesOut}/${truth.bytesSent} (${pct(measured.bytesOut, truth.bytesSent)})`);
}

describe.skipIf(!support.ok)('Linux sampler on real traffic in network namespaces', () => {
  let pair: NetnsPair;
  let server: TrafficServer;
  let runner: SamplerRunner;
  const PORT = 9000;
  const BURST_PORT = 9001;
  let burstServer: TrafficServer;

  beforeAll(async () => {
    pair = createNetnsPair();
    server = await startTrafficServer(pair.server, { host: pair.serverAddress, port: PORT, name: 'nmserver' });
    burstServer = await startTrafficServer(pair.server, { host: pair.serverAddress, port: BURST_PORT, name: 'nmburstsrv' });
    runner = new SamplerRunner(pair.client);
    // The first sample is the baseline; start traffic after it.
    await runner.nextSamples(2);
  });

  afterAll(async () => {
    await runner?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await burstServer?.stop().catch(() => undefined);
    pair?.destroy();
  });

  const host = (): string => pair.serverAddress;
  const settle = async (): Promise<void> => runner.nextSamples(2);

  it('attributes a download and an upload to their processes within 2 %', async () => {
    const down = startTraffic(pair.client, { name: 'nmdown', mode: 'download', host: host(), port: PORT, bytes: 6_000_000, paceMs: 3000 });
    const downReport = await down.done;
    const up = startTraffic(pair.client, { name: 'nmup', mode: 'upload', host: host(), port: PORT, bytes: 4_000_000, paceMs: 3000 });
    const upReport = await up.done;
    await settle();

    const totals = totalsByCookie(runner.samples);
    const downMeasured = sumWhere(totals, (t) => t.owner?.pid === downReport.pid);
    const upMeasured = sumWhere(totals, (t) => t.owner?.pid === upReport.pid);
    record('nmdown (1 × 6 MB download, 3 s)', downMeasured, downReport);
    record('nmup (1 × 4 MB upload, 3 s)', upMeasured, upReport);
    expectClose(downMeasured.bytesIn, downReport.bytesReceived, 1, 'nmdown in');
    expectClose(downMeasured.bytesOut, downReport.bytesSent, 1, 'nmdown out');
    expectClose(upMeasured.bytesIn, upReport.bytesReceived, 1, 'nmup in');
    expectClose(upMeasured.bytesOut, upReport.bytesSent, 1, 'nmup out');

    // The owner is the process as /proc describes it.
    const owner = [...totals.values()].find((t) => t.owner?.pid === downReport.pid)?.owner;
    // namedNode hard-links node under the process name, so /proc/PID/exe names it too.
    expect(owner).toMatchObject({ pid: downReport.pid, name: 'nmdown', path: namedNode('nmdown'), uid: 0 });
    expect(owner?.cmdline).toContain('traffic-tool.js download');
    expect(owner?.startTime).toBeGreaterThan(0);
  });

  it('keeps processes apart when several run at once, with several connections each', async () => {
    const a = startTraffic(pair.client, { name: 'nmpar-a', mode: 'download', host: host(), port: PORT, bytes: 2_000_000, connections: 3, parallel: 3, paceMs: 2500 });
    const b = startTraffic(pair.client, { name: 'nmpar-b', mode: 'upload', host: host(), port: PORT, bytes: 1_500_000, connections: 2, parallel: 2, paceMs: 2500 });
    // One after the other; each outlives a poll (1.5 intervals), so each is tied to its process.
    const c = startTraffic(pair.client, { name: 'nmpar-c', mode: 'download', host: host(), port: PORT, bytes: 1_000_000, connections: 3, parallel: 1, paceMs: 1500 });
    const reports = await Promise.all([a.done, b.done, c.done]);
    await settle();

    const totals = totalsByCookie(runner.samples);
    for (const [i, report] of reports.entries()) {
      const name = ['nmpar-a', 'nmpar-b', 'nmpar-c'][i] as string;
      const measured = sumWhere(totals, (t) => t.owner?.pid === report.pid);
      record(`${name} (${report.connections} connections, ${report.mode})`, measured, report);
      expect(measured.sockets, name).toBe(report.connections);
      expectClose(measured.bytesIn, report.bytesReceived, report.connections, `${name} in`);
      expectClose(measured.bytesOut, report.bytesSent, report.connections, `${name} out`);
      for (const t of totals.values()) if (t.owner?.pid === report.pid) expect(t.owner.name).toBe(name);
    }
  });

  it('counts connections shorter than one interval through their close events', async () => {
    const burst = startTraffic(pair.client, { name: 'nmburst', mode: 'download', host: host(), port: BURST_PORT, bytes: 20_000, connections: 150, parallel: 5 });
    const report = await burst.done;
    await settle();

    const totals = totalsByCookie(runner.samples);
    const burstPorts = new Set(report.localPorts ?? []);
    // Close events name no process: these sockets are found by the burst server's port.
    const burstSockets = [...totals.values()].filter((t) => t.remotePort === BURST_PORT);
    const measured = sumWhere(totals, (t) => t.remotePort === BURST_PORT);
    record(`nmburst (${report.connections} × 20 kB, ${report.durationMs} ms, by port)`, measured, report);
    expect(measured.sockets).toBe(report.connections);
    expectClose(measured.bytesIn, report.bytesReceived, report.connections, 'burst in');
    expectClose(measured.bytesOut, report.bytesSent, report.connections, 'burst out');
    expect(burstPorts.size).toBe(report.connections);

    // Most never appeared in a poll: only their close event counted them, unattributed.
    const neverPolled = burstSockets.filter((t) => !t.seenLive);
    expect(neverPolled.length).toBeGreaterThan(report.connections / 2);
    for (const t of neverPolled) {
      expect(t.closed).toBe(true);
      expect(t.owner).toBeNull();
    }
    // Those a poll did catch are tied to nmburst.
    for (const t of burstSockets.filter((s) => s.seenLive)) expect(t.owner?.name).toBe('nmburst');
  });

  it('the delta engine, fed the same samples, finds the same bytes per process', () => {
    const simple = totalsByCookie(runner.samples);
    const byPidSimple = new Map<number, { bytesIn: number; bytesOut: number }>();
    for (const t of simple.values()) {
      if (t.owner === null) continue;
      const sum = byPidSimple.get(t.owner.pid) ?? { bytesIn: 0, bytesOut: 0 };
      byPidSimple.set(t.owner.pid, { bytesIn: sum.bytesIn + t.bytesIn, bytesOut: sum.bytesOut + t.bytesOut });
    }
    let state = initialDeltaState();
    const byPidEngine = new Map<number, { bytesIn: number; bytesOut: number }>();
    for (const sample of runner.samples) {
      const step = stepDelta(state, sample, defaultDeltaOptions(INTERVAL_MS));
      state = step.state;
      for (const f of step.interval?.flows ?? []) {
        if (f.owner === null) continue;
        const sum = byPidEngine.get(f.owner.pid) ?? { bytesIn: 0, bytesOut: 0 };
        byPidEngine.set(f.owner.pid, { bytesIn: sum.bytesIn + f.bytesIn, bytesOut: sum.bytesOut + f.bytesOut });
      }
    }
    // nmdown, nmup, nmpar-a, nmpar-b, nmpar-c (and nmburst, if a poll caught one of its connections).
    expect(byPidSimple.size).toBeGreaterThanOrEqual(5);
    expect(byPidEngine).toEqual(byPidSimple);
  });

  it('never attributes more than the interfaces carried, and stops cleanly', async () => {
    const samples = runner.samples;
    const first = samples[0];
    const last = samples[samples.length - 1];
    expect(first?.iface).not.toBeNull();
    expect(last?.iface).not.toBeNull();
    const ifaceIn = (last?.iface?.bytesIn ?? 0) - (first?.iface?.bytesIn ?? 0);
    const ifaceOut = (last?.iface?.bytesOut ?? 0) - (first?.iface?.bytesOut ?? 0);
    const all = sumWhere(totalsByCookie(samples), () => true);
    accuracy.push(`interfaces: in ${ifaceIn} ≥ attributed ${all.bytesIn} (${((all.bytesIn / ifaceIn) * 100).toFixed(1)} %), out ${ifaceOut} ≥ ${all.bytesOut}`);
    expect(all.bytesIn).toBeGreaterThan(0);
    expect(ifaceIn).toBeGreaterThanOrEqual(all.bytesIn);
    expect(ifaceOut).toBeGreaterThanOrEqual(all.bytesOut);

    const runningHealth = runner.records[runner.records.length - 1]?.health;
    expect(runningHealth).toMatchObject({ sampler: 'linux', state: 'running', reason: null, malformedLines: 0 });
    expect(runningHealth?.details['closeEvents']).toBe('up');

    const stopped = await runner.stop();
    expect(stopped.state).toBe('stopped');
    // Nothing of the sampler's is left in the namespace (ss -E was killed with its process group).
    expect(netnsPids(pair.client)).toEqual([]);
  });
});

describe.skipIf(!support.ok)('Linux sampler without privileges (uid 65534) on real traffic', () => {
  const NOBODY = { uid: 65534, gid: 65534 };
  let pair: NetnsPair;
  let server: TrafficServer;
  let runner: SamplerRunner;
  const PORT = 9000;

  beforeAll(async () => {
    pair = createNetnsPair();
    server = await startTrafficServer(pair.server, { host: pair.serverAddress, port: PORT, name: 'nmserver' });
    runner = new SamplerRunner(pair.client, NOBODY);
    await runner.nextSamples(2);
  });

  afterAll(async () => {
    await runner?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    pair?.destroy();
  });

  it("ties its own user's sockets to their processes, and root's to uid 0", async () => {
    const mine = startTraffic(pair.client, { name: 'nmuser', mode: 'download', host: pair.serverAddress, port: PORT, bytes: 3_000_000, connections: 2, parallel: 2, paceMs: 2000, user: NOBODY });
    const roots = startTraffic(pair.client, { name: 'nmrootdl', mode: 'upload', host: pair.serverAddress, port: PORT, bytes: 2_000_000, connections: 2, parallel: 2, paceMs: 2000 });
    const [mineReport, rootReport] = await Promise.all([mine.done, roots.done]);
    await runner.nextSamples(2);

    const totals = totalsByCookie(runner.samples);
    const mineMeasured = sumWhere(totals, (t) => t.owner?.pid === mineReport.pid);
    // Root's processes are not ours to inspect: ss shows their sockets' uid, not their owner.
    const rootMeasured = sumWhere(totals, (t) => t.owner?.pid === 0 && t.owner.uid === 0);
    record('nmuser as uid 65534, seen by an unprivileged sampler', mineMeasured, mineReport);
    record('nmrootdl as root, seen by an unprivileged sampler as "(uid 0)"', rootMeasured, rootReport);
    expect(mineMeasured.sockets).toBe(2);
    expect(rootMeasured.sockets).toBe(2);
    expectClose(mineMeasured.bytesIn, mineReport.bytesReceived, 2, 'own process in');
    expectClose(mineMeasured.bytesOut, mineReport.bytesSent, 2, 'own process out');
    expectClose(rootMeasured.bytesIn, rootReport.bytesReceived, 2, 'root process in');
    expectClose(rootMeasured.bytesOut, rootReport.bytesSent, 2, 'root process out');
    for (const t of totals.values()) {
      if (t.owner?.pid === mineReport.pid) expect(t.owner).toMatchObject({ name: 'nmuser', uid: 65534 });
      if (t.owner?.pid === 0) expect(t.owner.name).toBe('(uid 0)');
    }

    const health = runner.records[runner.records.length - 1]?.health;
    expect(health).toMatchObject({ state: 'running', reason: null });
    expect(health?.details).toMatchObject({ seesAllOwners: false, closeEvents: 'up' });
  });
});

/** TCP segments the namespace has retransmitted (Tcp: RetransSegs in /proc/net/snmp). */
function retransmittedSegments(ns: string): number {
  const lines = execInNetns(ns, ['cat', '/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('RetransSegs')]);
}

describe.skipIf(!support.ok)('Linux sampler on real traffic through a lossy router', () => {
  let routed: RoutedNetnsPair;
  let server: TrafficServer;
  let runner: SamplerRunner;
  const PORT = 9000;

  beforeAll(async () => {
    // 16 Mbit/s with a 24 kB queue: a TCP sender overflows it and loses packets on the path.
    routed = createRoutedNetnsPair({ rateKbit: 16_000, burstBytes: 16_384, limitBytes: 24_576 });
    server = await startTrafficServer(routed.server, { host: routed.serverAddress, port: PORT, name: 'nmserver' });
    runner = new SamplerRunner(routed.client);
    await runner.nextSamples(2);
  });

  afterAll(async () => {
    await runner?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    routed?.destroy();
  });

  it('counts each payload byte once although TCP retransmitted many', async () => {
    const before = retransmittedSegments(routed.client);
    // Unpaced: the bottleneck stretches each transfer over about two seconds (two polls).
    const upReport = await startTraffic(routed.client, { name: 'nmlossup', mode: 'upload', host: routed.serverAddress, port: PORT, bytes: 4_000_000 }).done;
    const retransmitted = retransmittedSegments(routed.client) - before;
    const downReport = await startTraffic(routed.client, { name: 'nmlossdown', mode: 'download', host: routed.serverAddress, port: PORT, bytes: 4_000_000 }).done;
    await runner.nextSamples(2);

    const totals = totalsByCookie(runner.samples);
    const up = sumWhere(totals, (t) => t.owner?.pid === upReport.pid);
    const down = sumWhere(totals, (t) => t.owner?.pid === downReport.pid);
    record(`nmlossup (4 MB upload through the bottleneck, ${retransmitted} segments retransmitted)`, up, upReport);
    record('nmlossdown (4 MB download through the bottleneck)', down, downReport);
    // The test means something only if the path really lost packets.
    expect(retransmitted).toBeGreaterThan(10);
    expectClose(up.bytesOut, upReport.bytesSent, 1, 'upload out');
    expectClose(up.bytesIn, upReport.bytesReceived, 1, 'upload in');
    expectClose(down.bytesIn, downReport.bytesReceived, 1, 'download in');
    expectClose(down.bytesOut, downReport.bytesSent, 1, 'download out');
  });
});

if (!support.ok) {
  describe('Linux sampler on real traffic in network namespaces', () => {
    it.skip(`skipped: ${support.reason}`, () => undefined);
  });
}
