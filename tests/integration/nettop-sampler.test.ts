// The NettopSampler against the fake nettop (tests/fixtures/nettop/fake-nettop) as a real child process.
//
// Expected totals of the synthetic stream are worked out by hand in the stream file's comments:
//   cumulative frames 6300/930, 8950/1100, 10050/1305; with -d: 6300/930, then 2650/170, 1550/245, then
//   0/0 for every repeat of the last frame.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../src-main/engine/types.js';
import { checkNettop } from '../../src-main/engine/samplers/nettop/probe.js';
import { NettopSampler, utilLinuxScriptPty, type NettopSamplerOptions } from '../../src-main/engine/samplers/nettop/sampler.js';
import { netstatInterfaceReader } from '../../src-main/engine/samplers/nettop/netstat.js';
import {
  FAKE_NETSTAT,
  FAKE_NETTOP,
  FAKE_NETTOP_OPTIONS,
  FAKE_NETTOP_TIMING,
  THREE_FRAMES,
  alive,
  capturesDir,
  commandLine,
  events,
  fixtures,
  groupGone,
  sleep,
  sum,
  summary,
  tempDir,
  waitFor,
  type FakeEvent,
} from '../helpers/nettop.js';

const running: NettopSampler[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

interface Harness {
  sampler: NettopSampler;
  samples: Sample[];
  log: string;
  dir: string;
}

function harness(options: NettopSamplerOptions, env: Record<string, string> = {}): Harness {
  const dir = tempDir();
  const log = path.join(dir, 'fake.log');
  const sampler = new NettopSampler({
    ...FAKE_NETTOP_OPTIONS,
    ...options,
    env: { FAKE_NETTOP_SCRIPT: THREE_FRAMES, FAKE_NETTOP_LOG: log, ...env, ...options.env },
    timing: { ...FAKE_NETTOP_TIMING, ...options.timing },
  });
  running.push(sampler);
  const samples: Sample[] = [];
  sampler.start((sample) => samples.push(sample));
  return { sampler, samples, log, dir };
}

async function stopped(h: Harness): Promise<void> {
  await h.sampler.stop();
  running.splice(running.indexOf(h.sampler), 1);
}

const STREAM_ARGS = ['-P', '-L', '0', '-s', '0.2', '-d', '-x', '-n', '-t', 'external', '-J', 'bytes_in,bytes_out'];

describe('NettopSampler, streaming', () => {
  it('-d stream: the first frame is a cumulative baseline, then deltas; totals are what the frames imply', async () => {
    const h = harness({});
    await waitFor('5 samples', () => h.samples.length >= 5);
    expect(summary(h.samples.slice(0, 5))).toEqual([
      ['cumulative', 6300, 930],
      ['delta', 2650, 170],
      ['delta', 1550, 245],
      ['delta', 0, 0],
      ['delta', 0, 0],
    ]);
    const second = h.samples[1] as Sample;
    expect(second.flows.map((f) => [f.id, f.owner?.pid, f.owner?.name, f.bytesIn, f.bytesOut])).toEqual([
      ['Safari.501', 501, 'Safari', 500, 60],
      ['Google Chrome H.74297', 74297, 'Google Chrome H', 0, 0],
      ['com.apple.WebKi.1790', 1790, 'com.apple.WebKi', 150, 10],
      ['curl.9001', 9001, 'curl', 2000, 100],
    ]);
    expect(second.iface).toBeNull();
    expect(second.closed).toEqual([]);
    // Stamped when each frame's header arrived: one interval apart (the fake prints every 200 ms).
    const gaps = h.samples.slice(1, 5).map((s, i) => s.monoMs - (h.samples[i] as Sample).monoMs);
    for (const gap of gaps) expect(gap).toBeGreaterThan(120);
    const log = events(h.log);
    expect(log.filter((e) => e.ev === 'start').map((e) => e.argv)).toEqual([STREAM_ARGS]);
    // stdin stays an open pipe while it runs (nettop spins a core on end of file).
    expect(log.some((e) => e.ev === 'stdin-eof')).toBe(false);
    expect(h.sampler.health()).toMatchObject({ state: 'running', reason: null, restarts: 0, malformedLines: 0, details: { mode: 'streaming' } });
    expect(h.sampler.health().lastSampleAt).toBe((h.samples.at(-1) as Sample).wallMs);
  });

  it('without -d every frame is cumulative', async () => {
    const h = harness({ deltas: false });
    await waitFor('4 samples', () => h.samples.length >= 4);
    expect(summary(h.samples.slice(0, 4))).toEqual([
      ['cumulative', 6300, 930],
      ['cumulative', 8950, 1100],
      ['cumulative', 10050, 1305],
      ['cumulative', 10050, 1305],
    ]);
    expect(events(h.log)[0]?.argv).not.toContain('-d');
  });

  it('per connection: flows per connection with their remote, process rows still the totals', async () => {
    const h = harness({ perConnection: true });
    await waitFor('3 samples', () => h.samples.length >= 3);
    // Each frame's processes count max(own row, sum of connections): equal here, so the same totals.
    expect(summary(h.samples.slice(0, 3))).toEqual([
      ['cumulative', 6300, 930],
      ['delta', 2650, 170],
      ['delta', 1550, 245],
    ]);
    const first = h.samples[0] as Sample;
    expect(first.flows.find((f) => f.id === 'Safari.501|tcp4 198.51.100.7:50001<->203.0.113.10:443')).toEqual({
      id: 'Safari.501|tcp4 198.51.100.7:50001<->203.0.113.10:443',
      owner: { pid: 501, name: 'Safari' },
      remote: { protocol: 'tcp4', address: '203.0.113.10', port: 443 },
      iface: 'en0',
      local: { address: '198.51.100.7', port: 50001 },
      bytesIn: 600,
      bytesOut: 150,
    });
    expect(first.flows.find((f) => f.id.startsWith('Google Chrome H.74297|tcp6'))?.remote).toEqual({ protocol: 'tcp6', address: '2001:db8:1::20', port: 443 });
    expect(first.flows.find((f) => f.id === 'com.apple.WebKi.1790|udp4 *:5353<->*:*')?.remote).toBeUndefined();
    expect(events(h.log)[0]?.argv).not.toContain('-P');
  });

  it('garbage lines are skipped and counted; the totals do not change', async () => {
    const h = harness({}, { FAKE_NETTOP_GARBAGE: '1' });
    await waitFor('3 samples', () => h.samples.length >= 3);
    expect(summary(h.samples.slice(0, 3))).toEqual([
      ['cumulative', 6300, 930],
      ['delta', 2650, 170],
      ['delta', 1550, 245],
    ]);
    // Two garbage lines after every header, and at least three headers were read.
    expect(h.sampler.health().malformedLines).toBeGreaterThanOrEqual(6);
    expect(h.sampler.health().malformedLines % 2).toBe(0);
  });

  it('a real capture replayed: the sample holds what the frame implies (capture 2, awk totals)', async () => {
    const script = path.join(tempDir(), 'capture.csv');
    const text = readFileSync(path.join(capturesDir, 'per-connection-csv-2-numeric.txt'), 'utf8');
    writeFileSync(script, text.slice(text.indexOf('\n') + 1));
    const h = harness({}, { FAKE_NETTOP_SCRIPT: script });
    await waitFor('2 samples', () => h.samples.length >= 2);
    const first = h.samples[0] as Sample;
    expect(first.mode).toBe('cumulative');
    expect(first.flows).toHaveLength(29);
    expect(sum(first.flows)).toEqual([651_639_821, 876_335_318]);
  });

  it('interface totals from netstat -ibn ride along with every sample', async () => {
    process.env['FAKE_NETSTAT_FILE'] = path.join(fixtures, 'netstat-ibn.txt');
    const h = harness({ interfaceReader: netstatInterfaceReader({ netstatPath: FAKE_NETSTAT }) });
    await waitFor('2 samples', () => h.samples.length >= 2);
    // Non-loopback link rows, summed by hand (tests/fixtures/nettop/README.md).
    expect(h.samples.slice(0, 2).map((s) => s.iface)).toEqual([
      { bytesIn: 988_161_110, bytesOut: 124_084_679 },
      { bytesIn: 988_161_110, bytesOut: 124_084_679 },
    ]);
    // And per interface, so that the tunnel stage sums the physical ones only (en0 here, never utun3 or
    // awdl0): without them a VPN's bytes counted twice in the network total.
    expect(h.samples[0]?.interfaces).toEqual({
      gif0: { bytesIn: 0, bytesOut: 0 },
      stf0: { bytesIn: 0, bytesOut: 0 },
      en0: { bytesIn: 987_654_321, bytesOut: 123_456_789 },
      awdl0: { bytesIn: 456_789, bytesOut: 567_890 },
      utun3: { bytesIn: 50_000, bytesOut: 60_000 },
    });
  });

  it('reads the interface counters ahead of each frame (a quarter interval before it is due), never after nettop read its rows', async () => {
    // Each reading says when it was taken (its bytesIn is its index); a frame's sample carries the reading
    // it was stamped with. Read as the frame arrived, the interfaces would run ahead of nettop's rows and
    // the bytes between were counted twice when traffic stopped (tests/integration/nettop-netns.test.ts).
    const readAt: number[] = [];
    const h = harness({
      interfaceReader: () => {
        readAt.push(performance.now());
        return Promise.resolve({ bytesIn: readAt.length - 1, bytesOut: 0 });
      },
    });
    await waitFor('6 samples', () => h.samples.length >= 6);
    // The first frame (and only it) has no reading armed ahead of it.
    for (const sample of h.samples.slice(1, 6)) {
      const at = readAt[sample.iface?.bytesIn ?? -1] ?? Infinity;
      // 200 ms frames: read 50 ms before the frame is due; a frame late by timer jitter only widens it.
      expect(sample.monoMs - at, `reading ${sample.iface?.bytesIn} vs the frame at ${sample.monoMs}`).toBeGreaterThanOrEqual(25);
      expect(sample.monoMs - at).toBeLessThan(200);
    }
  });

  it('under a pseudo-terminal (util-linux script): same samples, and stop() kills nettop in its own session', async () => {
    const h = harness({ ptyWrapper: utilLinuxScriptPty });
    await waitFor('3 samples', () => h.samples.length >= 3);
    expect(summary(h.samples.slice(0, 3))).toEqual([
      ['cumulative', 6300, 930],
      ['delta', 2650, 170],
      ['delta', 1550, 245],
    ]);
    const fake = events(h.log).find((e) => e.ev === 'start')?.pid as number;
    const leader = h.sampler.health().details['pid'] as number;
    expect(leader).not.toBe(fake); // the leader is `script`; the fake runs in another session below it
    await stopped(h);
    expect(alive(fake)).toBe(false);
    expect(groupGone(leader)).toBe(true);
    expect(groupGone(fake)).toBe(true);
  });
});

describe('NettopSampler, failures', () => {
  it('a child that dies is restarted with exponential backoff, and its samples keep coming', async () => {
    const h = harness({ timing: { backoffInitialMs: 150, backoffMaxMs: 5000, backoffResetAfterMs: 60_000 } }, { FAKE_NETTOP_DIE_AFTER: '2' });
    await waitFor('4 starts', () => events(h.log).filter((e) => e.ev === 'start').length >= 4, 15_000);
    const log = events(h.log);
    const starts = log.filter((e) => e.ev === 'start');
    const exits = log.filter((e) => e.ev === 'exit');
    // Time from each exit to the next start: at least 150, 300, 600 ms (a little slack for timers).
    const waits = [0, 1, 2].map((i) => (starts[i + 1] as { t: number }).t - (exits[i] as { t: number }).t);
    expect(waits[0]).toBeGreaterThanOrEqual(140);
    expect(waits[1]).toBeGreaterThanOrEqual(290);
    expect(waits[2]).toBeGreaterThanOrEqual(590);
    expect(h.sampler.health().restarts).toBeGreaterThanOrEqual(3);
    // Each run: its baseline, and its second frame, complete at the end of its output.
    expect(summary(h.samples.slice(0, 6))).toEqual([
      ['cumulative', 6300, 930],
      ['delta', 2650, 170],
      ['cumulative', 6300, 930],
      ['delta', 2650, 170],
      ['cumulative', 6300, 930],
      ['delta', 2650, 170],
    ]);
  });

  it('between a death and the restart the health says so; a frame cut by the death is dropped and counted', async () => {
    const h = harness({ timing: { backoffInitialMs: 1500 } }, { FAKE_NETTOP_DIE_AFTER: '2', FAKE_NETTOP_DIE_MIDFRAME: '1' });
    await waitFor('an exit', () => events(h.log).some((e) => e.ev === 'exit'));
    await waitFor('the restart to be scheduled', () => h.sampler.health().restarts === 1);
    const health = h.sampler.health();
    expect(health.state).toBe('degraded');
    expect(health.reason).toMatch(/^nettop exited with code 3 after 2 frames; restarting in 1\.5 s$/);
    // Frames 0 and 1 made it; the half of frame 2 (header and two of its four rows, then a cut line) did not.
    expect(summary(h.samples)).toEqual([
      ['cumulative', 6300, 930],
      ['delta', 2650, 170],
    ]);
    expect(health.malformedLines).toBe(4);
  });

  it('a stall (no complete frame for 3 intervals) kills the child and starts another', async () => {
    const h = harness({}, { FAKE_NETTOP_STALL_AFTER: '2', FAKE_NETTOP_IGNORE_TERM: '1' });
    await waitFor('a second start', () => events(h.log).filter((e) => e.ev === 'start').length >= 2, 10_000);
    const starts = events(h.log).filter((e) => e.ev === 'start');
    const first = starts[0] as FakeEvent;
    expect(starts[1]?.pid).not.toBe(first.pid);
    // The stalled child ignored SIGTERM: it took SIGKILL, and its group is gone.
    expect(events(h.log).some((e) => e.ev === 'ignored-sigterm' && e.pid === first.pid)).toBe(true);
    await waitFor('the stalled group to be gone', () => groupGone(first.pid));
    const health = h.sampler.health();
    expect(health.restarts).toBeGreaterThanOrEqual(1);
    // Frame 1 never completed: its header and four rows were dropped as partial.
    expect(health.malformedLines).toBeGreaterThanOrEqual(5);
    expect(h.samples[0]).toMatchObject({ mode: 'cumulative' });
    await waitFor('the new child to report', () => h.samples.length >= 2);
    expect(summary(h.samples.slice(0, 2))).toEqual([
      ['cumulative', 6300, 930],
      ['cumulative', 6300, 930],
    ]);
  });

  it('usage text on stdout (a flag this macOS does not know): failing, naming the flag', async () => {
    const h = harness({}, { FAKE_NETTOP_REJECT: 't' });
    await waitFor('failing', () => h.sampler.health().state === 'failing');
    const health = h.sampler.health();
    expect(health.reason).toContain('nettop printed its usage text instead of data: this macOS does not accept flag -t');
    expect(health.malformedLines).toBeGreaterThan(0);
    expect(h.samples).toEqual([]);
  });

  it('usage text on stderr is recognised too', async () => {
    const h = harness({ strategy: 'polling' }, { FAKE_NETTOP_REJECT: 'J', FAKE_NETTOP_USAGE_TO: 'stderr' });
    await waitFor('failing', () => h.sampler.health().state === 'failing');
    expect(h.sampler.health().reason).toContain('does not accept flag -J');
  });

  it('a missing executable: failing, saying where it looked', async () => {
    const h = harness({ executable: '/nonexistent/nettop' });
    await waitFor('failing', () => h.sampler.health().state === 'failing');
    expect(h.sampler.health().reason).toMatch(/^nettop not found at \/nonexistent\/nettop; restarting in/);
  });

  it('a child that keeps exiting before its first frame turns the health to failing', async () => {
    const h = harness({}, { FAKE_NETTOP_DIE_AFTER: '0' });
    await waitFor('failing', () => h.sampler.health().state === 'failing');
    expect(h.sampler.health().reason).toMatch(/^nettop exited with code 3 3 times in a row without printing a frame; restarting in/);
    expect(h.sampler.health().restarts).toBe(3);
  });

  it('stop() leaves no process of the group alive, grandchildren included', async () => {
    const stateDir = tempDir();
    const h = harness({ stateDir }, { FAKE_NETTOP_CHILD: '1' });
    await waitFor('a sample', () => h.samples.length >= 1);
    await waitFor('the grandchild', () => events(h.log).some((e) => e.ev === 'child'));
    const pgid = events(h.log).find((e) => e.ev === 'start')?.pid as number;
    const grandchild = events(h.log).find((e) => e.ev === 'child')?.child as number;
    expect(alive(grandchild)).toBe(true);
    await stopped(h);
    expect(groupGone(pgid)).toBe(true);
    expect(alive(grandchild)).toBe(false);
    expect(h.sampler.health().state).toBe('stopped');
    expect(existsSync(path.join(stateDir, 'nettop.pids.json'))).toBe(false);
    const count = h.samples.length;
    await sleep(400);
    expect(h.samples.length).toBe(count);
  });

  it('strays recorded by an earlier run are killed at start-up; a reused pid is left alone', async () => {
    const stateDir = tempDir();
    const stray = spawn(FAKE_NETTOP, ['-P', '-L', '0', '-s', '1'], { detached: true, stdio: 'ignore', env: { ...process.env, FAKE_NETTOP_SCRIPT: THREE_FRAMES } });
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    stray.unref();
    other.unref();
    const strayPid = stray.pid as number;
    const otherPid = other.pid as number;
    await waitFor('the stray to exec node', () => alive(strayPid) && commandLine(strayPid).includes('fake-nettop.js'));
    writeFileSync(
      path.join(stateDir, 'nettop.pids.json'),
      JSON.stringify([
        { pid: strayPid, pgid: strayPid, root: strayPid, args: commandLine(strayPid) },
        // Recorded as nettop, but the pid now runs something else: must survive.
        { pid: otherPid, pgid: otherPid, root: otherPid, args: '/usr/bin/nettop -P -L 0' },
      ]),
    );
    const h = harness({ stateDir });
    await waitFor('a sample', () => h.samples.length >= 1);
    expect(groupGone(strayPid)).toBe(true);
    expect(alive(otherPid)).toBe(true);
    process.kill(otherPid, 'SIGKILL');
  });
});

describe('NettopSampler, polling and the CPU budget', () => {
  it('polling: one -L 1 per interval, cumulative samples walking through the frames', async () => {
    const state = path.join(tempDir(), 'poll-state');
    const h = harness({ strategy: 'polling', cpuBudget: 1 }, { FAKE_NETTOP_STATE: state });
    await waitFor('4 samples', () => h.samples.length >= 4);
    expect(summary(h.samples.slice(0, 4))).toEqual([
      ['cumulative', 6300, 930],
      ['cumulative', 8950, 1100],
      ['cumulative', 10050, 1305],
      ['cumulative', 10050, 1305],
    ]);
    expect(events(h.log).find((e) => e.ev === 'start')?.argv).toEqual(['-P', '-L', '1', '-x', '-n', '-t', 'external', '-J', 'bytes_in,bytes_out']);
    expect(h.sampler.health()).toMatchObject({ state: 'running', details: { mode: 'polling' } });
  });

  it('polls are spaced so that their cost stays within the budget', async () => {
    const state = path.join(tempDir(), 'poll-state');
    // Each poll takes over 300 ms; at a budget of half a core they run at most every 600 ms.
    const h = harness({ strategy: 'polling', cpuBudget: 0.5 }, { FAKE_NETTOP_STATE: state, FAKE_NETTOP_POLL_DELAY_MS: '300' });
    await waitFor('3 samples', () => h.samples.length >= 3);
    const spacing = h.samples.slice(1, 3).map((s, i) => s.monoMs - (h.samples[i] as Sample).monoMs);
    for (const gap of spacing) expect(gap).toBeGreaterThanOrEqual(590);
    expect(h.sampler.health().details['pollEveryS']).toBeGreaterThanOrEqual(0.6);
  });

  it('switches to polling when the child costs more than the budget, and back when it is cheap', async () => {
    const state = path.join(tempDir(), 'poll-state');
    // The injected CPU reader: CPU seconds accumulate at `rate` cores while the test says so.
    let rate = 0.5;
    let cpu = 0;
    let last = performance.now();
    const readPids: number[] = [];
    const cpuReader = (pid: number): Promise<number> => {
      const now = performance.now();
      cpu += (rate * (now - last)) / 1000;
      last = now;
      readPids.push(pid);
      return Promise.resolve(cpu);
    };
    const h = harness(
      {
        strategy: 'auto',
        cpuBudget: 0.05,
        cpuReader,
        timing: { cpuCheckMs: 150, expensiveChecks: 2, probeAfterMs: 1000, maxPollIntervalMs: 300 },
      },
      { FAKE_NETTOP_STATE: state },
    );
    await waitFor('polling', () => h.sampler.health().details['mode'] === 'polling');
    const streamingPid = events(h.log).find((e) => e.ev === 'start')?.pid as number;
    expect(readPids).toContain(streamingPid);
    let health = h.sampler.health();
    expect(health.state).toBe('degraded');
    expect(health.reason).toMatch(/^streaming nettop used 50% of a core \(budget 5\.0%\): polling instead, trying streaming again in 1\.0 s$/);
    expect(health.details['childCpuShare']).toBeCloseTo(0.5, 1);
    await waitFor('the streaming child to be gone', () => groupGone(streamingPid));
    await waitFor('a polled sample', () => events(h.log).some((e) => e.argv?.includes('-L') && e.argv[e.argv.indexOf('-L') + 1] === '1'));
    const before = h.samples.length;
    await waitFor('polled samples', () => h.samples.length >= before + 2);

    // Still expensive when it tries again: straight back to polling, and the wait doubles.
    await waitFor('a second streaming child', () => events(h.log).filter((e) => e.ev === 'start' && e.argv?.includes('0')).length >= 2, 5000);
    await waitFor('polling again', () => h.sampler.health().details['mode'] === 'polling' && (h.sampler.health().reason ?? '').includes('2.0 s'), 5000);

    // Cheap now: the next try streams and stays.
    rate = 0.01;
    await waitFor('streaming again', () => h.sampler.health().details['mode'] === 'streaming', 5000);
    await waitFor('probation passed', () => h.sampler.health().state === 'running', 5000);
    health = h.sampler.health();
    expect(health.reason).toBeNull();
    expect(health.details['childCpuShare']).toBeLessThan(0.05);
    const streamed = h.samples.length;
    await waitFor('streamed samples', () => h.samples.length >= streamed + 2);
    expect(h.sampler.health().details['mode']).toBe('streaming');
  });
});

describe('checkNettop (for netmon doctor)', () => {
  it('reports a usable frame', async () => {
    const result = await checkNettop({ executable: FAKE_NETTOP, ptyWrapper: null, interfaceReader: null, perConnection: false, env: { FAKE_NETTOP_SCRIPT: THREE_FRAMES } });
    expect(result).toMatchObject({ ok: true, flows: 3, malformedLines: 0, interfaceCounters: false });
    // Per connection (the default): the same three processes, as 4 connections and 3 remainders.
    const connections = await checkNettop({ executable: FAKE_NETTOP, ptyWrapper: null, interfaceReader: null, env: { FAKE_NETTOP_SCRIPT: THREE_FRAMES } });
    expect(connections).toMatchObject({ ok: true, processes: 3, flows: 7, malformedLines: 0 });
  });

  it('reports usage text as the reason', async () => {
    const result = await checkNettop({ executable: FAKE_NETTOP, ptyWrapper: null, interfaceReader: null, env: { FAKE_NETTOP_SCRIPT: THREE_FRAMES, FAKE_NETTOP_REJECT: 'x' } });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain('does not accept flag -x');
  });

  it('reports a missing executable', async () => {
    const result = await checkNettop({ executable: '/nonexistent/nettop', interfaceReader: null });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^nettop not found at \/nonexistent\/nettop/) as unknown });
  });
});
