// Timer drift (App Nap, a busy main thread) and the synchronous halt a shutdown uses, on the real
// monitor and store: a late sample is one longer interval with every byte in it, counted and logged
// once (then at most once per ten minutes); after `halt` the rows are on disk before it returns.
import { describe, expect, it, vi } from 'vitest';
import { Monitor } from '../../src-main/engine/monitor.js';
import { openStore } from '../../src-main/engine/store/index.js';
import { TimerDrift } from '../../src-main/engine/timer-drift.js';
import type { Clock, FlowCounter, Sample } from '../../src-main/engine/types.js';
import { ScriptedSampler } from '../helpers/scripted-sampler.js';
import { tempDataDir } from '../helpers/store.js';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

function at(ms: number, bytesIn: number): Sample {
  const flows: FlowCounter[] = [{ id: 'a', owner: { pid: 10, name: 'curl', path: '/usr/bin/curl' }, bytesIn, bytesOut: 0 }];
  return { wallMs: T0 + ms, monoMs: 1_000_000 + ms, mode: 'cumulative', flows, closed: [], iface: { bytesIn, bytesOut: 0 } };
}

/** A monitor over a real store, fed by a scripted sampler, with its flush loop out of the way. */
function scripted(): { store: ReturnType<typeof openStore>; sampler: ScriptedSampler; monitor: Monitor } {
  const clock: Clock = { now: () => T0, mono: () => 1_000_000 };
  const store = openStore({ dataDir: tempDataDir(), clock });
  const sampler = new ScriptedSampler();
  const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 5000, clock, flushIntervalMs: 3_600_000 });
  monitor.start();
  return { store, sampler, monitor };
}

describe('TimerDrift', () => {
  it('calls a sample late only well past its interval, reports the first at once and then one summary per period', () => {
    const drift = new TimerDrift(5000, { reportEveryMs: 600_000 });
    expect(drift.note(null, 0)).toBeNull();
    // On time, and a busy second late: no drift.
    expect(drift.note(5000, 5000)).toBeNull();
    expect(drift.note(6000, 11_000)).toBeNull();
    expect(drift.note(7500, 18_500)).toBeNull();
    // 8 s for a 5-s interval (App Nap's one tick per ~8 s): late, said at once.
    expect(drift.note(8000, 26_500)).toEqual({ late: 1, samples: 4, worstMs: 8000, nominalMs: 5000 });
    // More of it within ten minutes: counted, not said.
    expect(drift.note(9000, 35_500)).toBeNull();
    expect(drift.note(30_000, 65_500)).toBeNull();
    expect(drift.note(5000, 300_000)).toBeNull();
    // Ten minutes after the last report: one summary.
    expect(drift.note(5000, 626_500)).toEqual({ late: 2, samples: 4, worstMs: 30_000, nominalMs: 5000 });
    // Nothing late since: nothing more to say.
    expect(drift.note(5000, 1_300_000)).toBeNull();
    expect(drift.total).toBe(3);
  });

  it('has a floor: a 1-s interval 1.6 s apart is not drift, 2.5 s apart is', () => {
    const drift = new TimerDrift(1000);
    expect(drift.note(1600, 1600)).toBeNull();
    expect(drift.note(2500, 4100)).not.toBeNull();
  });
});

describe('the monitor under timer drift', () => {
  it('keeps every byte of a late tick in one longer interval, and counts and logs the drift', async () => {
    const lines: string[] = [];
    // The engine's log goes to stderr while no file is attached.
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const { store, sampler, monitor } = scripted();
      sampler.push(at(0, 0));
      sampler.push(at(5000, 1000));
      // App Nap: the next tick comes 12 s later; the bytes of those 12 s are all in it.
      sampler.push(at(17_000, 13_000));
      sampler.push(at(22_000, 14_000));
      await monitor.stop();
      const rows = store.db.prepare("SELECT ts, duration_s AS d, bytes_in AS b FROM usage_raw WHERE app_id = (SELECT id FROM apps WHERE name = 'curl') ORDER BY ts").all();
      expect(rows).toEqual([
        { ts: (T0 + 5000) / 1000, d: 5, b: 1000 },
        { ts: (T0 + 17_000) / 1000, d: 12, b: 12_000 },
        { ts: (T0 + 22_000) / 1000, d: 5, b: 1000 },
      ]);
      expect(monitor.monitorStats().lateSamples).toBe(1);
      const said = lines.filter((l) => l.includes('timer drift'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/late=1 .*worstMs=12000 intervalMs=5000/);
      store.close();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('halt (a shutdown that will not wait)', () => {
  it('writes the buffer before it returns, stops the sampler, and ignores samples after it', () => {
    const { store, sampler, monitor } = scripted();
    sampler.push(at(0, 0));
    sampler.push(at(5000, 2500));
    expect(store.db.prepare('SELECT count(*) AS n FROM usage_raw').get()).toEqual({ n: 0 });
    monitor.halt();
    expect(sampler.stopped).toBe(true);
    expect(store.db.prepare('SELECT sum(bytes_in) AS b FROM usage_raw').get()).toEqual({ b: 2500 });
    store.close();
    // A sample still in flight from the sampler's children: ignored, the closed store untouched.
    expect(() => sampler.push(at(10_000, 5000))).not.toThrow();
    const stop = vi.spyOn(store, 'flush');
    return monitor.stop().then(() => expect(stop).not.toHaveBeenCalled());
  });
});
