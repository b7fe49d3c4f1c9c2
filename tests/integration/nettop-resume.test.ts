// A resumed run under the nettop sampler (issue 14, item 1: "nettop processes by pid and start time"):
// the real NettopSampler against the fake nettop, the real Monitor and store, two runs on one data folder
// in the same boot. nettop's per-process counters are cumulative since the process started, so a process
// that lives on across the restart counts only what it moved since the stored baseline; a process that
// reused a stored pid (same name, another start time) is another process, born after the last flush, and
// counts whole. Start times come from an injected reader (the default asks `ps -o lstart` on macOS).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../src-main/engine/monitor.js';
import { prepareResume, type ResumePlan } from '../../src-main/engine/resume/index.js';
import { NettopSampler } from '../../src-main/engine/samplers/nettop/sampler.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import type { Sample, Sampler } from '../../src-main/engine/types.js';
import { FAKE_NETTOP_OPTIONS, FAKE_NETTOP_TIMING, tempDir, waitFor } from '../helpers/nettop.js';

const BOOT = '5e1f0c3a-7b2d-4e6f-9a81-c0ffee000014';
const SAFARI_START = 1_764_900_000;

const open: { sampler: Sampler; store: Store; monitor: Monitor }[] = [];

afterEach(async () => {
  for (const run of open.splice(0)) {
    await run.monitor.stop();
    run.store.close();
  }
});

/** A `-P` capture: one cumulative frame per entry, each a list of [label, bytes in, bytes out]. */
function capture(dir: string, name: string, frames: [string, number, number][][]): string {
  const file = path.join(dir, name);
  const lines = frames.flatMap((rows, i) => ['time,,interface,state,bytes_in,bytes_out,', ...rows.map(([label, bytesIn, bytesOut], j) => `10:00:0${i}.00000${j + 1},${label},,,${bytesIn},${bytesOut},`)]);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** One run of netmon on `dataDir`: nettop replaying `script` with the given start times, resumed from the store. */
async function startRun(dataDir: string, script: string, startTimes: Record<number, number>, perConnection = false): Promise<{ samples: Sample[]; plan: ResumePlan; stop: () => Promise<void> }> {
  const store = openStore({ dataDir });
  const nettop = new NettopSampler({
    ...FAKE_NETTOP_OPTIONS,
    perConnection,
    startTimes: (pids) => Promise.resolve(new Map(pids.filter((pid) => startTimes[pid] !== undefined).map((pid) => [pid, startTimes[pid]!]))),
    env: { FAKE_NETTOP_SCRIPT: script },
    timing: FAKE_NETTOP_TIMING,
  });
  const samples: Sample[] = [];
  // The Monitor sees the sampler's samples unchanged; the test only counts them.
  const sampler: Sampler = { name: nettop.name, start: (onSample) => nettop.start((s) => (samples.push(s), onSample(s))), stop: () => nettop.stop(), health: () => nettop.health() };
  const resume = await prepareResume({ db: store.db, sampler: sampler.name, nowMs: Date.now(), bootId: BOOT });
  const monitor = new Monitor({ store, sampler, platform: 'darwin', intervalMs: 200, flushIntervalMs: 3_600_000, resume });
  const run = { sampler, store, monitor };
  open.push(run);
  monitor.start();
  return {
    samples,
    plan: resume.plan,
    stop: async () => {
      open.splice(open.indexOf(run), 1);
      await monitor.stop();
      store.close();
    },
  };
}

/** Stored bytes per application. */
function byApp(dataDir: string): Record<string, { bytesIn: number; bytesOut: number }> {
  const store = openStore({ dataDir });
  try {
    const rows = store.db
      .prepare('SELECT a.name AS name, sum(u.bytes_in) AS i, sum(u.bytes_out) AS o FROM usage_raw u JOIN apps a ON a.id = u.app_id GROUP BY a.name')
      .all() as { name: string; i: number; o: number }[];
    return Object.fromEntries(rows.map((r) => [r.name, { bytesIn: r.i, bytesOut: r.o }]));
  } finally {
    store.close();
  }
}

describe('resume under the nettop sampler', () => {
  it('carries a process by pid and start time: the same process counts only the difference, a reused pid counts whole', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    // Run 1: Safari (pid 501) and curl (pid 9001). The first frame is the baseline; the second moves 500/60 and 500/50.
    const first = capture(dir, 'run1.csv', [
      [['Safari.501', 1000, 200], ['curl.9001', 2000, 100]],
      [['Safari.501', 1500, 260], ['curl.9001', 2500, 150]],
    ]);
    const run1 = await startRun(dataDir, first, { 501: SAFARI_START, 9001: SAFARI_START + 100 });
    expect(run1.plan.outcome).toBe('first-start');
    await waitFor('both frames and a repeat', () => run1.samples.length >= 3);
    expect(run1.samples[0]!.flows.map((f) => f.owner?.startTime)).toEqual([SAFARI_START, SAFARI_START + 100]);
    await run1.stop();
    expect(byApp(dataDir)).toEqual({ Safari: { bytesIn: 500, bytesOut: 60 }, curl: { bytesIn: 500, bytesOut: 50 } });

    // Run 2, same boot: Safari is the same process (same start time) and moved 300/40 while netmon was
    // down; pid 9001 is now another curl (started later) that has moved 700/70 since it started.
    const second = capture(dir, 'run2.csv', [[['Safari.501', 1800, 300], ['curl.9001', 700, 70]]]);
    const run2 = await startRun(dataDir, second, { 501: SAFARI_START, 9001: SAFARI_START + 900 });
    expect(run2.plan.outcome).toBe('resumed');
    expect(run2.plan.flows).toBe(2);
    await waitFor('the frame and a repeat', () => run2.samples.length >= 2);
    await run2.stop();
    expect(byApp(dataDir)).toEqual({
      // 500/60 + (1800 − 1500)/(300 − 260): the stored counters are subtracted, nothing counted twice.
      Safari: { bytesIn: 800, bytesOut: 100 },
      // 500/50 + the new process's whole 700/70: the old curl's 2500/150 are not subtracted from it.
      curl: { bytesIn: 1200, bytesOut: 120 },
    });
  });

  it('per connection (the default): a connection open across the restart counts the difference, a new one whole, the remainder is a baseline', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const c1 = 'tcp4 198.51.100.7:50001<->203.0.113.10:443';
    const c2 = 'tcp4 198.51.100.7:50002<->203.0.113.11:443';
    // Run 1: Safari's c1 moves 500/60 between the frames; its row counts 100/10 more than c1 (sockets nettop does not list).
    const first = capture(dir, 'run1.csv', [
      [['Safari.501', 1100, 210], [c1, 1000, 200]],
      [['Safari.501', 1600, 270], [c1, 1500, 260]],
    ]);
    const run1 = await startRun(dataDir, first, { 501: SAFARI_START }, true);
    await waitFor('both frames and a repeat', () => run1.samples.length >= 3);
    await run1.stop();
    expect(byApp(dataDir)).toEqual({ Safari: { bytesIn: 500, bytesOut: 60 } });

    // Run 2, same process: c1 moved 300/40 while netmon was down, c2 was opened since (700/70), and the row
    // grew by 1500/150 beyond them (connections opened and closed meanwhile: the interface counters' part).
    const second = capture(dir, 'run2.csv', [[['Safari.501', 3600, 460], [c1, 1800, 300], [c2, 700, 70]]]);
    const run2 = await startRun(dataDir, second, { 501: SAFARI_START }, true);
    expect(run2.plan.outcome).toBe('resumed');
    await waitFor('the frame and a repeat', () => run2.samples.length >= 2);
    await run2.stop();
    // 500/60 + c1's (1800 − 1500)/(300 − 260) + c2's whole 700/70; the remainder (1100/90 now) is not counted again.
    expect(byApp(dataDir)).toEqual({ Safari: { bytesIn: 1500, bytesOut: 170 } });
  });
});
