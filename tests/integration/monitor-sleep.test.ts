// A system sleep on the real monitor and store (the app's powerMonitor suspend/resume call
// Monitor.suspend and wake): the sampler is stopped before the sleep and a fresh one started after it,
// the buffer is on disk before the machine sleeps, every byte is counted once, and the sleep is one gap,
// both where the monotonic clock keeps counting through a sleep (Node on macOS) and where it stops (Linux).
import { describe, expect, it } from 'vitest';
import { Monitor } from '../../src-main/engine/monitor.js';
import { chooseSampler } from '../../src-main/engine/sampler-choice.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import type { Clock, Sample } from '../../src-main/engine/types.js';
import { ScriptedSampler } from '../helpers/scripted-sampler.js';
import { tempDataDir } from '../helpers/store.js';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const SLEEP_MS = 600_000;

/** Both clocks, moved by the test; `sleep` moves the monotonic one too only where it counts through a sleep. */
class TestClock implements Clock {
  wall = T0;
  monoNow = 1_000_000;
  now(): number {
    return this.wall;
  }
  mono(): number {
    return this.monoNow;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.monoNow += ms;
  }
  sleep(ms: number, monoCounts: boolean): void {
    this.wall += ms;
    if (monoCounts) this.monoNow += ms;
  }
}

/** One curl flow and the interface, cumulative counters `bytesIn`, at the clock's present. */
function sampleNow(clock: TestClock, bytesIn: number): Sample {
  return {
    wallMs: clock.now(),
    monoMs: clock.mono(),
    mode: 'cumulative',
    flows: [{ id: 'a', owner: { pid: 10, name: 'curl', path: '/usr/bin/curl' }, bytesIn, bytesOut: 0 }],
    closed: [],
    iface: { bytesIn, bytesOut: 0 },
  };
}

interface Run {
  clock: TestClock;
  store: Store;
  monitor: Monitor;
  /** Every sampler the monitor was given: the first, then each fresh one. */
  samplers: ScriptedSampler[];
  /** The traffic so far (cumulative counters), which a final sample on stop reads. */
  traffic: { bytesIn: number };
}

function run(options: { restartable?: boolean; finalSample?: boolean } = {}): Run {
  const clock = new TestClock();
  const store = openStore({ dataDir: tempDataDir(), clock });
  const samplers: ScriptedSampler[] = [];
  const traffic = { bytesIn: 0 };
  const make = (): ScriptedSampler => {
    const sampler = new ScriptedSampler(options.finalSample === true ? { finalSample: () => sampleNow(clock, traffic.bytesIn) } : {});
    samplers.push(sampler);
    return sampler;
  };
  const monitor = new Monitor({
    store,
    sampler: make(),
    platform: 'linux',
    intervalMs: 5000,
    clock,
    flushIntervalMs: 3_600_000,
    freshSampler: options.restartable === false ? null : make,
  });
  monitor.start();
  return { clock, store, monitor, samplers, traffic };
}

/** The running sampler samples now, the counters at `bytesIn`. */
function push(r: Run, bytesIn: number): void {
  r.traffic.bytesIn = bytesIn;
  const sampler = r.samplers.at(-1);
  if (sampler === undefined) throw new Error('no sampler');
  sampler.push(sampleNow(r.clock, bytesIn));
}

/**
 * The common start: a baseline, 1000 bytes in the first 5 s, then `moreBytes` more in the 2 s before the
 * lid closes (not sampled, unless the sampler takes a last sample when stopped), and the suspend.
 */
async function upToTheSleep(r: Run, moreBytes: number): Promise<void> {
  push(r, 0);
  r.clock.advance(5000);
  push(r, 1000);
  r.clock.advance(2000);
  r.traffic.bytesIn = 1000 + moreBytes;
  await r.monitor.suspend();
}

/** Asleep for SLEEP_MS, awake, and the first sample after the wake `afterMs` later with the counters at `bytesIn`. */
async function sleepAndWake(r: Run, monoCounts: boolean, afterMs: number, bytesIn: number): Promise<void> {
  r.clock.sleep(SLEEP_MS, monoCounts);
  await r.monitor.wake();
  r.clock.advance(afterMs);
  push(r, bytesIn);
}

function usage(store: Store): Array<{ ts: number; d: number; b: number }> {
  return store.db
    .prepare("SELECT ts, duration_s AS d, bytes_in AS b FROM usage_raw WHERE app_id = (SELECT id FROM apps WHERE name = 'curl') ORDER BY ts")
    .all() as Array<{ ts: number; d: number; b: number }>;
}

function gaps(store: Store): Array<{ start: number; end: number; reason: string }> {
  return store.db.prepare('SELECT start_ts AS start, end_ts AS end, reason FROM gaps ORDER BY start_ts').all() as Array<{ start: number; end: number; reason: string }>;
}

const s = (ms: number): number => (T0 + ms) / 1000;

describe('a system sleep', () => {
  for (const monoCounts of [true, false]) {
    it(`stops the sampler, writes the buffer, and counts every byte once with the sleep as one gap (${monoCounts ? 'macOS: the monotonic clock counts through it' : 'Linux: the monotonic clock stops'})`, async () => {
      const r = run();
      // 2 s after the last sample the lid closes; 700 more bytes moved since, not sampled yet.
      await upToTheSleep(r, 700);
      expect(r.samplers[0]?.stopped).toBe(true);
      // On disk before the machine sleeps.
      expect(usage(r.store)).toEqual([{ ts: s(5000), d: 5, b: 1000 }]);
      // The fresh sampler's first sample, 3 s after the wake: the 700 bytes from before the sleep and 300 after.
      await sleepAndWake(r, monoCounts, 3000, 2000);
      expect(r.samplers).toHaveLength(2);
      expect(r.samplers[1]?.stopped).toBe(false);
      r.clock.advance(5000);
      push(r, 2500);
      await r.monitor.stop();
      const end = 5000 + 2000 + SLEEP_MS + 3000;
      // The interval across the sleep has the length that was measured (2 s before, 3 s after), at its end.
      expect(usage(r.store)).toEqual([
        { ts: s(5000), d: 5, b: 1000 },
        { ts: s(end), d: 5, b: 1000 },
        { ts: s(end + 5000), d: 5, b: 500 },
      ]);
      expect(usage(r.store).reduce((sum, row) => sum + row.b, 0)).toBe(2500);
      // The sleep (and the 2 s it began before the lid closed, which the next interval holds) is one gap.
      expect(gaps(r.store)).toEqual([{ start: s(5000), end: s(end - 5000), reason: 'sleep-or-clock-jump' }]);
      // Not timer drift, and not a stall.
      expect(r.monitor.monitorStats().lateSamples).toBe(0);
      expect(r.monitor.monitorStats().stalls).toBe(0);
      expect(r.samplers[1]?.stopped).toBe(true);
      r.store.close();
    });
  }

  it("counts a stopping sampler's last sample before the sleep, and nothing of it again after", async () => {
    const r = run({ finalSample: true });
    await upToTheSleep(r, 700);
    // The Linux sampler's last sample on stop: the 700 bytes are in an interval that ends at the suspend.
    expect(usage(r.store)).toEqual([
      { ts: s(5000), d: 5, b: 1000 },
      { ts: s(7000), d: 2, b: 700 },
    ]);
    await sleepAndWake(r, true, 3000, 2000);
    await r.monitor.stop();
    const end = 7000 + SLEEP_MS + 3000;
    expect(usage(r.store)).toEqual([
      { ts: s(5000), d: 5, b: 1000 },
      { ts: s(7000), d: 2, b: 700 },
      { ts: s(end), d: 3, b: 300 },
    ]);
    expect(gaps(r.store)).toEqual([{ start: s(7000), end: s(end - 3000), reason: 'sleep-or-clock-jump' }]);
    r.store.close();
  });

  it('keeps a sampler that cannot restart without losing counts (eBPF) running, and still records the sleep as one gap', async () => {
    const r = run({ restartable: false });
    await upToTheSleep(r, 700);
    expect(r.samplers[0]?.stopped).toBe(false);
    await sleepAndWake(r, true, 3000, 2000);
    expect(r.samplers).toHaveLength(1);
    await r.monitor.stop();
    const end = 7000 + SLEEP_MS + 3000;
    expect(usage(r.store)).toEqual([
      { ts: s(5000), d: 5, b: 1000 },
      { ts: s(end), d: 5, b: 1000 },
    ]);
    expect(gaps(r.store)).toEqual([{ start: s(5000), end: s(end - 5000), reason: 'sleep-or-clock-jump' }]);
    r.store.close();
  });

  it('a quit while asleep writes what is buffered and starts no sampler; a wake without a sleep does nothing', async () => {
    const r = run();
    await r.monitor.wake();
    expect(r.samplers).toHaveLength(1);
    push(r, 0);
    r.clock.advance(5000);
    push(r, 1000);
    // The suspend and the quit race: the quit's stop comes while the sampler is stopping.
    const suspending = r.monitor.suspend();
    await r.monitor.stop();
    await suspending;
    await r.monitor.wake();
    expect(r.samplers).toHaveLength(1);
    expect(usage(r.store)).toEqual([{ ts: s(5000), d: 5, b: 1000 }]);
    r.store.close();
  });
});

describe('which samplers are restarted around a sleep', () => {
  it('nettop and ss (the kernel counts) are; the eBPF helper (its counts are its own) is not', async () => {
    const dataDir = tempDataDir();
    for (const [name, restarted] of [
      ['nettop', true],
      ['linux', true],
      ['ebpf', false],
    ] as const) {
      const choice = await chooseSampler({ name, intervalS: 5, dataDir });
      expect(choice.fresh !== null, name).toBe(restarted);
      const fresh = choice.fresh?.();
      if (fresh !== undefined) {
        expect(fresh).not.toBe(choice.sampler);
        expect(fresh.name).toBe(choice.sampler.name);
      }
    }
  });
});
