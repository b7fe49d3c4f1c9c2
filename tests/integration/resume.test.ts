// Crash-consistent accounting over the real Monitor and store: baselines stored with each flush seed
// the next run in the same boot. A "kill -9" here is a run abandoned (Monitor.abandon): its connection
// closed without its final flush (what a killed process leaves on disk: the last committed flush). Totals are read back
// with plain SQL and compared with the counters the scripted sampler handed out.
import { describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../src-main/api/handlers.js';
import type { ApiDeps } from '../../src-main/api/ports.js';
import { createStoreQueries } from '../../src-main/api/store-queries.js';
import { Monitor } from '../../src-main/engine/monitor.js';
import { prepareResume, readBaselines } from '../../src-main/engine/resume/index.js';
import type { SocketCounters } from '../../src-main/engine/resume/ss-counters.js';
import type { PrivacyView } from '../../src-main/engine/privacy/list.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import type { Clock, FlowCounter, Sample } from '../../src-main/engine/types.js';
import { gapMessages } from '../../src-renderer/lib/gaps.js';
import { ScriptedSampler } from '../helpers/scripted-sampler.js';
import { sideConnection } from '../helpers/side-connection.js';
import { tempDataDir } from '../helpers/store.js';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const BOOT = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';

interface World {
  /** Cumulative counters as the OS keeps them, whatever netmon does. */
  flows: Map<string, { name: string; pid: number; startTime: number; bytesIn: number; bytesOut: number }>;
  iface: { bytesIn: number; bytesOut: number };
  wallMs: number;
}

function move(world: World, id: string, bytesIn: number, bytesOut: number, unseen = { bytesIn: 0, bytesOut: 0 }): void {
  const f = world.flows.get(id)!;
  f.bytesIn += bytesIn;
  f.bytesOut += bytesOut;
  world.iface.bytesIn += bytesIn + unseen.bytesIn;
  world.iface.bytesOut += bytesOut + unseen.bytesOut;
}

function sampleOf(world: World, monoMs: number, scale = (id: string, c: { bytesIn: number; bytesOut: number }) => c): Sample {
  const flows: FlowCounter[] = [...world.flows].map(([id, f]) => ({ id, owner: { pid: f.pid, name: f.name, path: `/usr/bin/${f.name}`, startTime: f.startTime }, ...scale(id, f) }));
  return { wallMs: world.wallMs, monoMs, mode: 'cumulative', flows, closed: [], iface: { ...world.iface } };
}

/** One run of netmon on `dataDir`: a real store and monitor, resumed from what the store holds. */
async function startRun(dataDir: string, world: World, options: { bootId?: string | null; sampler?: string; socketCounters?: Map<string, SocketCounters>; privacy?: PrivacyView } = {}) {
  const clock: Clock = { now: () => world.wallMs, mono: () => world.wallMs - T0 };
  const store = openStore({ dataDir, clock });
  const sampler = new ScriptedSampler({ name: options.sampler ?? 'linux' });
  const resume = await prepareResume({
    db: store.db,
    sampler: sampler.name,
    nowMs: world.wallMs,
    bootId: options.bootId === undefined ? BOOT : options.bootId,
    socketCounters: () => Promise.resolve(options.socketCounters ?? null),
    ifaceNow: () => Promise.resolve({ ...world.iface }),
  });
  const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 1000, clock, flushIntervalMs: 3_600_000, resume, privacy: options.privacy });
  monitor.start();
  let mono = 0;
  return {
    store,
    monitor,
    resume,
    push: (scale?: Parameters<typeof sampleOf>[2]) => {
      mono += 1000;
      sampler.push(sampleOf(world, mono, scale));
    },
    /** What kill -9 leaves: the last flush on disk, nothing after it (no final flush; timers and connection dropped as they are). */
    kill: (): void => monitor.abandon(),
  };
}

function totals(store: Store | string): { all: { bytesIn: number; bytesOut: number }; byApp: Record<string, number> } {
  const db = typeof store === 'string' ? openStore({ dataDir: store }).db : store.db;
  const rows = db.prepare('SELECT a.name AS app, sum(bytes_in) AS i, sum(bytes_out) AS o FROM usage_raw u JOIN apps a ON a.id = u.app_id GROUP BY a.name').all() as { app: string; i: number; o: number }[];
  const tiers = ['usage_raw', 'usage_hourly', 'usage_daily'].map((t) => db.prepare(`SELECT coalesce(sum(bytes_in), 0) AS i, coalesce(sum(bytes_out), 0) AS o FROM ${t}`).get() as { i: number; o: number });
  // Every tier holds the same bytes.
  expect(new Set(tiers.map((t) => `${t.i}/${t.o}`)).size).toBe(1);
  const byApp: Record<string, number> = {};
  for (const r of rows) byApp[r.app] = r.i + r.o;
  return { all: { bytesIn: tiers[0]!.i, bytesOut: tiers[0]!.o }, byApp };
}

function newWorld(): World {
  return {
    flows: new Map([
      ['sk:a1', { name: 'curl', pid: 100, startTime: 5000, bytesIn: 7_000_000, bytesOut: 10_000 }],
      ['sk:b2', { name: 'wget', pid: 200, startTime: 6000, bytesIn: 1_000, bytesOut: 900_000 }],
    ]),
    iface: { bytesIn: 50_000_000, bytesOut: 9_000_000 },
    wallMs: T0,
  };
}

describe('resuming from stored baselines', () => {
  it('a kill -9 after a flush: the next run counts what moved since that flush, exactly, once', async () => {
    const dir = tempDataDir();
    const world = newWorld();
    const start = { iface: { ...world.iface }, curl: world.flows.get('sk:a1')!.bytesIn };
    const one = await startRun(dir, world);
    one.push(); // baseline
    for (let i = 0; i < 5; i += 1) {
      world.wallMs += 1000;
      move(world, 'sk:a1', 100_000, 1_000, { bytesIn: 300, bytesOut: 200 });
      one.push();
    }
    one.monitor.flush();
    const flushed = totals(dir);
    // Moved after the flush, then the process is killed: these rows were never written.
    for (let i = 0; i < 3; i += 1) {
      world.wallMs += 1000;
      move(world, 'sk:a1', 100_000, 1_000);
      move(world, 'sk:b2', 0, 50_000);
      one.push();
    }
    one.kill();
    // The kill wrote nothing: the disk holds the last flush and no more.
    expect(totals(dir)).toEqual(flushed);
    // Down for 20 s: the counters keep counting.
    world.wallMs += 20_000;
    move(world, 'sk:a1', 2_000_000, 20_000, { bytesIn: 5_000, bytesOut: 0 });
    move(world, 'sk:b2', 0, 400_000);

    const two = await startRun(dir, world);
    expect(two.resume.plan).toMatchObject({ outcome: 'resumed', flows: 2 });
    two.push();
    world.wallMs += 1000;
    move(world, 'sk:a1', 10_000, 0);
    two.push();
    await two.monitor.stop();
    two.store.close();

    const stored = totals(dir);
    expect(stored.all).toEqual({ bytesIn: world.iface.bytesIn - start.iface.bytesIn, bytesOut: world.iface.bytesOut - start.iface.bytesOut });
    expect(stored.byApp['curl']).toBe(world.flows.get('sk:a1')!.bytesIn - start.curl + 8 * 1_000 + 20_000);
    expect(stored.byApp['wget']).toBe(3 * 50_000 + 400_000);
    const db = openStore({ dataDir: dir }).db;
    const gaps = db.prepare("SELECT start_ts, end_ts FROM gaps WHERE reason = 'netmon-stopped'").all() as { start_ts: number; end_ts: number }[];
    expect(gaps).toHaveLength(1);
    // From the last flushed interval to the restart.
    expect(gaps[0]!.end_ts - gaps[0]!.start_ts).toBe(3 + 20);
  });

  it('the downtime gap of a restart reaches the API timeline and the dashboard names it', async () => {
    const dir = tempDataDir();
    const world = newWorld();
    const one = await startRun(dir, world);
    one.push(); // baseline
    world.wallMs += 1000;
    move(world, 'sk:a1', 100_000, 1_000);
    one.push();
    one.monitor.flush();
    one.kill();
    // Down for 12 minutes.
    world.wallMs += 12 * 60_000;
    move(world, 'sk:a1', 3_000_000, 0);
    const two = await startRun(dir, world);
    two.push();
    two.monitor.flush();
    world.wallMs += 60_000;

    // Only what the timeline channel needs: the wall clock and the store's queries.
    const handlers = createApiHandlers({ now: () => world.wallMs, queries: createStoreQueries(two.store) } as Pick<ApiDeps, 'now' | 'queries'> as ApiDeps);
    const since = T0 / 1000 - 3600;
    const answer = await handlers.invoke('usage:timeline', { since, until: since + 2 * 3600, bucket: 3600 });
    // A range from the restart on has no gap to name.
    const later = await handlers.invoke('usage:timeline', { since: T0 / 1000 + 1 + 12 * 60, until: Math.floor(world.wallMs / 1000), bucket: 60 });
    await two.monitor.stop();
    two.store.close();
    if (!answer.ok) throw new Error(answer.error.message);
    if (!later.ok) throw new Error(later.error.message);
    expect(later.value.gaps).toEqual([]);
    expect(answer.value.gaps).toEqual([{ start: T0 / 1000 + 1, end: T0 / 1000 + 1 + 12 * 60, reason: 'netmon-stopped' }]);
    // The bytes moved while down are counted at the restart (the hour holding it), not lost.
    expect(answer.value.points.reduce((n, p) => n + p.bytesIn, 0)).toBe(100_000 + 3_000_000);
    // T0 is 10:00 UTC, 11:00 in Berlin (the test runs with TZ=Europe/Berlin; the zone is named here).
    expect(gapMessages(answer.value.gaps, 'Europe/Berlin')).toEqual({
      messages: ['netmon was not running 11:00–11:12; bytes moved then are counted at the restart'],
      more: 0,
    });
  });

  it('a flow born after the last flush counts whole for its app after the restart (all its bytes are unflushed)', async () => {
    const dir = tempDataDir();
    const world = newWorld();
    const start = { ...world.iface };
    const one = await startRun(dir, world);
    one.push();
    world.wallMs += 1000;
    move(world, 'sk:a1', 1000, 0);
    one.push();
    one.monitor.flush();
    // Opened after the flush, with the bytes of its first seconds already on its counters.
    world.flows.set('sk:c3', { name: 'rsync', pid: 300, startTime: 7000, bytesIn: 0, bytesOut: 0 });
    world.wallMs += 1000;
    move(world, 'sk:c3', 0, 3_000_000);
    one.push();
    one.kill();
    world.wallMs += 5000;
    move(world, 'sk:c3', 0, 2_000_000);
    const two = await startRun(dir, world);
    two.push();
    await two.monitor.stop();
    two.store.close();
    const stored = totals(dir);
    expect(stored.byApp['rsync']).toBe(5_000_000);
    expect(stored.all).toEqual({ bytesIn: world.iface.bytesIn - start.bytesIn, bytesOut: world.iface.bytesOut - start.bytesOut });
  });

  it('a restart without new traffic adds zero bytes, whether the stop was clean or a kill -9 right after a flush', async () => {
    const dir = tempDataDir();
    const world = newWorld();
    const one = await startRun(dir, world);
    one.push();
    world.wallMs += 1000;
    move(world, 'sk:a1', 123_456, 789, { bytesIn: 11, bytesOut: 22 });
    one.push();
    await one.monitor.stop();
    one.store.close();
    const before = totals(dir);

    world.wallMs += 5000;
    const two = await startRun(dir, world);
    two.push();
    world.wallMs += 1000;
    two.push();
    two.monitor.flush();
    two.kill();
    expect(totals(dir)).toEqual(before);

    world.wallMs += 5000;
    const three = await startRun(dir, world);
    three.push();
    await three.monitor.stop();
    three.store.close();
    expect(totals(dir)).toEqual(before);
  });

  it('a restart within the same flush window counts the unflushed bytes once, not the flushed ones again', async () => {
    const dir = tempDataDir();
    const world = newWorld();
    const base = { ...world.iface };
    for (let run = 0; run < 4; run += 1) {
      const r = await startRun(dir, world);
      r.push();
      world.wallMs += 1000;
      move(world, 'sk:b2', 1000, 2000, { bytesIn: 10, bytesOut: 20 });
      r.push();
      r.monitor.flush();
      world.wallMs += 1000;
      move(world, 'sk:b2', 500, 500);
      r.push();
      r.kill();
    }
    const last = await startRun(dir, world);
    last.push();
    await last.monitor.stop();
    last.store.close();
    expect(totals(dir).all).toEqual({ bytesIn: world.iface.bytesIn - base.bytesIn, bytesOut: world.iface.bytesOut - base.bytesOut });
  });

  it('after a reboot (another boot id), or without one, the first sample is a fresh baseline', async () => {
    for (const bootId of ['11111111-2222-4333-8444-555555555555', null]) {
      const dir = tempDataDir();
      const world = newWorld();
      const one = await startRun(dir, world);
      one.push();
      world.wallMs += 1000;
      move(world, 'sk:a1', 1000, 0);
      one.push();
      await one.monitor.stop();
      one.store.close();
      world.wallMs += 60_000;
      move(world, 'sk:a1', 999_999, 0);
      const two = await startRun(dir, world, { bootId });
      expect(two.resume.plan.outcome).toBe(bootId === null ? 'no-boot-id' : 'other-boot');
      two.push();
      await two.monitor.stop();
      two.store.close();
      expect(totals(dir).all.bytesIn).toBe(1000);
    }
  });

  it('under the eBPF sampler a new helper counts from zero: the kernel counters (ss) carry what moved while down', async () => {
    const dir = tempDataDir();
    const world = newWorld();
    const start = { iface: { ...world.iface }, curl: world.flows.get('sk:a1')!.bytesIn };
    // The first helper attached when the sockets already had these counters: it counts from there.
    const attach1 = new Map([...world.flows].map(([id, f]) => [id, { bytesIn: f.bytesIn, bytesOut: f.bytesOut }]));
    const one = await startRun(dir, world, { sampler: 'ebpf' });
    const since = (attach: Map<string, { bytesIn: number; bytesOut: number }>) => (id: string, c: { bytesIn: number; bytesOut: number }) => ({
      bytesIn: c.bytesIn - attach.get(id)!.bytesIn,
      bytesOut: c.bytesOut - attach.get(id)!.bytesOut,
    });
    one.push(since(attach1));
    world.wallMs += 1000;
    move(world, 'sk:a1', 400_000, 4_000);
    one.push(since(attach1));
    one.monitor.flush();
    world.wallMs += 1000;
    move(world, 'sk:a1', 100_000, 0);
    one.push(since(attach1));
    // Born after the flush: 300 kB before the kill, 200 kB while netmon is down.
    world.flows.set('sk:d4', { name: 'scp', pid: 400, startTime: 8000, bytesIn: 0, bytesOut: 0 });
    move(world, 'sk:d4', 0, 300_000);
    one.push(since(new Map([...attach1, ['sk:d4', { bytesIn: 0, bytesOut: 0 }]])));
    one.kill();
    world.wallMs += 10_000;
    move(world, 'sk:a1', 1_000_000, 0);
    move(world, 'sk:d4', 0, 200_000);
    // ss's counters are the socket's whole life; the eBPF flows were stored in the first helper's terms.
    const kernel = new Map([...world.flows].filter(([id]) => attach1.has(id)).map(([id, f]) => [id, { bytesIn: f.bytesIn - attach1.get(id)!.bytesIn, bytesOut: f.bytesOut - attach1.get(id)!.bytesOut }]));
    kernel.set('sk:d4', { bytesIn: 0, bytesOut: 500_000 });
    // An old idle connection the first helper never saw move: its lifetime bytes are not this run's.
    kernel.set('sk:old', { bytesIn: 900_000_000, bytesOut: 1_000 });
    const two = await startRun(dir, world, { sampler: 'ebpf', socketCounters: kernel });
    const attach2 = new Map([...world.flows].map(([id, f]) => [id, { bytesIn: f.bytesIn, bytesOut: f.bytesOut }]));
    two.push(since(attach2));
    move(world, 'sk:d4', 0, 50_000);
    world.wallMs += 1000;
    move(world, 'sk:a1', 50_000, 0);
    two.push(since(attach2));
    await two.monitor.stop();
    two.store.close();
    const stored = totals(dir);
    expect(stored.byApp['curl']).toBe(world.flows.get('sk:a1')!.bytesIn - start.curl + 4_000);
    expect(stored.byApp['scp']).toBe(550_000);
    expect(stored.all.bytesIn).toBe(world.iface.bytesIn - start.iface.bytesIn);
  });

  it('under the eBPF sampler the carried sockets go to the sampler, which lists them from its first sample: the downtime share counts at once', async () => {
    const dir = tempDataDir();
    const world = newWorld();
    const one = await startRun(dir, world, { sampler: 'ebpf' });
    const fromZero = new Map([...world.flows].map(([id, f]) => [id, { bytesIn: f.bytesIn, bytesOut: f.bytesOut }]));
    const since = (attach: Map<string, { bytesIn: number; bytesOut: number }>) => (id: string, c: { bytesIn: number; bytesOut: number }) => ({
      bytesIn: c.bytesIn - (attach.get(id)?.bytesIn ?? 0),
      bytesOut: c.bytesOut - (attach.get(id)?.bytesOut ?? 0),
    });
    one.push(since(fromZero));
    one.monitor.flush();
    // An upload born after that flush: 8 MB before the kill, 1 MB while netmon is down.
    world.flows.set('sk:up', { name: 'nmpaced', pid: 500, startTime: 9000, bytesIn: 0, bytesOut: 0 });
    world.wallMs += 1000;
    move(world, 'sk:up', 0, 8_000_000);
    one.push(since(fromZero));
    one.kill();
    world.wallMs += 5000;
    move(world, 'sk:up', 0, 1_000_000);
    const kernel = new Map([['sk:up', { bytesIn: 0, bytesOut: 9_000_000, remote: { address: '198.51.100.7', port: 9000, family: 4 as const, uid: 1000 } }]]);
    const two = await startRun(dir, world, { sampler: 'ebpf', socketCounters: kernel });
    // What the sampler is handed: the socket as ss listed it, its owner to be looked up (born after the flush).
    expect(two.resume.plan.sockets).toEqual([{ id: 'sk:up', cookie: 'up', family: 4, remote: { protocol: 'tcp4', address: '198.51.100.7', port: 9000 }, uid: 1000, owner: null }]);
    // The new helper has seen no packet of it: the sampler lists it at zero (its terms) from the first sample on.
    const attach2 = new Map([...world.flows].map(([id, f]) => [id, { bytesIn: f.bytesIn, bytesOut: f.bytesOut }]));
    two.push(since(attach2));
    world.wallMs += 1000;
    move(world, 'sk:up', 0, 3_000_000);
    two.push(since(attach2));
    await two.monitor.stop();
    two.store.close();
    expect(totals(dir).byApp['nmpaced']).toBe(12_000_000);
  });

  it('stores a private app\'s processes in the baselines under the private row only, and a restart still knows them', async () => {
    const dir = tempDataDir();
    const world = newWorld();
    const start = world.flows.get('sk:a1')!.bytesIn;
    const privacy: PrivacyView = { level: (kind, name) => (kind === 'app' && name === 'curl' ? 'private' : null) };
    const one = await startRun(dir, world, { privacy });
    one.push();
    world.wallMs += 1000;
    move(world, 'sk:a1', 100_000, 0);
    one.push();
    one.monitor.flush();
    const owners = (openStore({ dataDir: dir }).db.prepare('SELECT id, owner FROM resume_flows ORDER BY id').all() as { id: string; owner: string }[]).map((r) => [r.id, JSON.parse(r.owner) as unknown]);
    // curl's process: its pid and start time, named only as the private row; wget's as it is.
    expect(owners).toEqual([
      ['sk:a1', { pid: 100, name: 'Private', startTime: 5000 }],
      ['sk:b2', { pid: 200, name: 'wget', path: '/usr/bin/wget', startTime: 6000 }],
    ]);
    one.kill();
    world.wallMs += 5000;
    move(world, 'sk:a1', 300_000, 0);
    const two = await startRun(dir, world, { privacy });
    two.push();
    await two.monitor.stop();
    two.store.close();
    // The same process (pid and start time): only what it moved since the flush counts, not its whole life.
    expect(totals(dir).byApp['curl']).toBe(world.flows.get('sk:a1')!.bytesIn - start);
  });

  it('stores the baselines in the flush transaction: a failed flush leaves the previous ones', async () => {
    const dir = tempDataDir();
    const world = newWorld();
    const one = await startRun(dir, world);
    expect(readBaselines(one.store.db)).toBeNull();
    one.push();
    // Written with the first sample, not only with the first timed flush 30 s later.
    expect(readBaselines(one.store.db)?.iface).toEqual(world.iface);
    world.wallMs += 1000;
    move(world, 'sk:a1', 10, 0);
    one.push();
    one.monitor.flush();
    const first = readBaselines(one.store.db);
    expect(first?.flows.get('sk:a1')?.bytesIn).toBe(world.flows.get('sk:a1')!.bytesIn);
    expect(first?.flows.get('sk:a1')?.owner).toMatchObject({ pid: 100, name: 'curl', startTime: 5000 });
    // A trigger makes the next usage insert fail, as a full disk would.
    const side = sideConnection(one.store);
    side.exec("CREATE TRIGGER fail BEFORE INSERT ON usage_raw BEGIN SELECT raise(ABORT, 'disk full'); END");
    side.close();
    world.wallMs += 1000;
    move(world, 'sk:a1', 10, 0);
    one.push();
    one.monitor.flush();
    expect(readBaselines(one.store.db)?.flows.get('sk:a1')?.bytesIn).toBe(first?.flows.get('sk:a1')?.bytesIn);
    one.kill();
  });
});
