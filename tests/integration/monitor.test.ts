// The monitor over a real store: a scripted sampler feeds samples, the rows that reach SQLite are read
// back with plain SQL (not the query layer), so the pipeline's wiring is checked end to end.
import { describe, expect, it } from 'vitest';
import { Monitor } from '../../src-main/engine/monitor.js';
import { openStore } from '../../src-main/engine/store/index.js';
import type { Clock, FlowCounter, Sample } from '../../src-main/engine/types.js';
import { tempDataDir } from '../helpers/store.js';
import { ScriptedSampler } from '../helpers/scripted-sampler.js';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0); // 2026-11-20 10:00:00 UTC

function flow(id: string, name: string, pid: number, bytesIn: number, bytesOut: number): FlowCounter {
  return { id, owner: { pid, name, path: `/usr/bin/${name}` }, bytesIn, bytesOut };
}

function sample(step: number, flows: FlowCounter[], iface: { bytesIn: number; bytesOut: number }): Sample {
  return { wallMs: T0 + step * 5000, monoMs: 1_000_000 + step * 5000, mode: 'cumulative', flows, closed: [], iface };
}

function setup() {
  const dataDir = tempDataDir();
  let nowMs = T0;
  const clock: Clock = { now: () => nowMs, mono: () => nowMs };
  const store = openStore({ dataDir, clock });
  const sampler = new ScriptedSampler();
  const reports: number[] = [];
  const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 5000, clock, flushIntervalMs: 3_600_000, onInterval: (r) => reports.push(r.total.bytesIn) });
  return { store, sampler, monitor, reports, setNow: (ms: number) => (nowMs = ms) };
}

describe('monitor', () => {
  it('stores per-app deltas and the unattributed remainder, and flushes on stop', async () => {
    const { store, sampler, monitor, reports } = setup();
    monitor.start();
    sampler.push(sample(0, [flow('a', 'curl', 10, 1000, 100), flow('b', 'wget', 11, 0, 0)], { bytesIn: 50_000, bytesOut: 5_000 }));
    sampler.push(sample(1, [flow('a', 'curl', 10, 4000, 300), flow('b', 'wget', 11, 2000, 50)], { bytesIn: 56_000, bytesOut: 5_400 }));
    sampler.push(sample(2, [flow('a', 'curl', 10, 4000, 300), flow('b', 'wget', 11, 9000, 50)], { bytesIn: 63_500, bytesOut: 5_400 }));
    // Nothing is written before the flush.
    expect(store.db.prepare('SELECT count(*) AS n FROM usage_raw').get()).toEqual({ n: 0 });
    await monitor.stop();
    expect(sampler.stopped).toBe(true);
    const rows = store.db
      .prepare('SELECT a.name AS app, sum(r.bytes_in) AS i, sum(r.bytes_out) AS o FROM usage_raw r JOIN apps a ON a.id = r.app_id GROUP BY a.name ORDER BY a.name')
      .all();
    // Interval 1: curl 3000/200, wget 2000/50, interface 6000/400 → unattributed 1000/150.
    // Interval 2: wget 7000/0, interface 7500/0 → unattributed 500/0.
    expect(rows).toEqual([
      { app: '(unattributed)', i: 1500, o: 150 },
      { app: 'curl', i: 3000, o: 200 },
      { app: 'wget', i: 9000, o: 50 },
    ]);
    expect(reports).toEqual([6000, 7500]);
    expect(monitor.lastSampleAt()).toBe((T0 + 10_000) / 1000);
    store.close();
  });

  it('records nothing while paused, and the paused span as a gap', async () => {
    const { store, sampler, monitor, setNow } = setup();
    monitor.start();
    sampler.push(sample(0, [flow('a', 'curl', 10, 0, 0)], { bytesIn: 0, bytesOut: 0 }));
    sampler.push(sample(1, [flow('a', 'curl', 10, 100, 0)], { bytesIn: 100, bytesOut: 0 }));
    setNow(T0 + 6000);
    monitor.pauseCapture(null);
    expect(monitor.pauseState()).toEqual({ paused: true, until: null });
    sampler.push(sample(2, [flow('a', 'curl', 10, 5100, 0)], { bytesIn: 5100, bytesOut: 0 }));
    setNow(T0 + 12_000);
    monitor.resume();
    sampler.push(sample(3, [flow('a', 'curl', 10, 5200, 0)], { bytesIn: 5200, bytesOut: 0 }));
    await monitor.stop();
    const total = store.db.prepare('SELECT sum(bytes_in) AS i FROM usage_raw').get();
    // 100 before the pause and 100 after it; the 5000 moved while paused are not recorded.
    expect(total).toEqual({ i: 200 });
    expect(store.db.prepare('SELECT start_ts, end_ts, reason FROM gaps').all()).toEqual([{ start_ts: (T0 + 6000) / 1000, end_ts: (T0 + 12_000) / 1000, reason: 'paused' }]);
    store.close();
  });

  it('a pause with an end resumes by itself', () => {
    const { store, monitor, setNow } = setup();
    monitor.start();
    monitor.pauseCapture((T0 + 60_000) / 1000);
    setNow(T0 + 59_000);
    expect(monitor.pauseState().paused).toBe(true);
    setNow(T0 + 61_000);
    expect(monitor.pauseState()).toEqual({ paused: false, until: null });
    store.close();
  });
});
