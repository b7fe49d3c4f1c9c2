// samplers/process/ against real processes: whole-tree kills across sessions, restarts, the ps reader, runOnce.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RestartingChild, psProcessTable, runOnce, spawnInGroup, terminateTree, type GroupChild } from '../../../../src-main/engine/samplers/process/index.js';
import { processTreeCpuReader } from '../../../../src-main/engine/samplers/nettop/sampler.js';
import { alive, groupGone, waitFor } from '../../../helpers/nettop.js';

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('terminateTree', () => {
  it('kills the group and a descendant that moved to its own session', async () => {
    // sh starts `setsid sleep` (a new session, outside the group, as nettop is under `script`) and a plain sleep.
    const child = spawnInGroup({ command: 'sh', args: ['-c', 'setsid sleep 30 & sleep 30 & wait'] });
    const pgid = child.pid as number;
    await waitFor('two children', () => childrenOf(pgid).length === 2);
    const [a, b] = childrenOf(pgid) as [number, number];
    await terminateTree(pgid, { graceMs: 500 });
    expect(groupGone(pgid)).toBe(true);
    expect(alive(a)).toBe(false);
    expect(alive(b)).toBe(false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const child = spawnInGroup({ command: 'sh', args: ['-c', "trap '' TERM; sleep 30 & wait; sleep 30"] });
    const pgid = child.pid as number;
    await waitFor('the sleep', () => childrenOf(pgid).length === 1);
    const started = Date.now();
    await terminateTree(pgid, { graceMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(groupGone(pgid)).toBe(true);
  });
});

describe('RestartingChild', () => {
  it('restarts a dying child with growing delays, and stop() waits for a kill in flight', async () => {
    const spawned: GroupChild[] = [];
    const exits: number[] = [];
    const codes: (number | null)[] = [];
    const supervisor = new RestartingChild({
      name: 'test',
      spec: () => ({ command: 'sh', args: ['-c', spawned.length < 3 ? 'exit 4' : 'sleep 30'] }),
      onSpawn: (c) => spawned.push(c),
      onExit: (exit, _c, delay) => {
        exits.push(delay);
        codes.push(exit.code);
      },
      backoff: { initialMs: 50, maxMs: 1000 },
    });
    supervisor.start();
    await waitFor('a long-lived fourth child', () => spawned.length === 4);
    expect(exits).toEqual([50, 100, 200]);
    expect(codes).toEqual([4, 4, 4]);
    expect(supervisor.restarts).toBe(3);
    const last = spawned[3]?.pid as number;
    await waitFor('it to run', () => alive(last));
    void supervisor.restart('test');
    await supervisor.stop();
    expect(groupGone(last)).toBe(true);
    expect(spawned).toHaveLength(4);
  });
});

describe('runOnce', () => {
  it('collects what a short command prints and how it ended', async () => {
    const r = await runOnce('sh', ['-c', 'printf out; printf err >&2; exit 3'], { timeoutMs: 5000 });
    expect(r).toEqual({ code: 3, signal: null, stdout: 'out', stderr: 'err', spawnError: null, timedOut: false, truncated: false, aborted: false });
  });

  it('caps the output it keeps', async () => {
    // 64 KB in 4 writes of 16 KB: past the cap, whole chunks are dropped.
    const r = await runOnce('sh', ['-c', 'for i in 1 2 3 4; do head -c 16384 /dev/zero | tr "\\0" x; sleep 0.05; done'], { timeoutMs: 5000, maxStdout: 10 });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stdout.length).toBeLessThan(65536);
  });

  it('kills the whole group of a command that does not end in time', async () => {
    const r = await runOnce('sh', ['-c', 'echo $$; sleep 30 & wait'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    const pgid = Number(r.stdout.trim());
    expect(groupGone(pgid)).toBe(true);
  });

  it('says when a command cannot start, without throwing', async () => {
    const r = await runOnce('/nonexistent/netmon-no-such-tool', [], { timeoutMs: 5000 });
    expect(r.spawnError?.code).toBe('ENOENT');
    expect(r.timedOut).toBe(false);
  });
});

describe('process table reader', () => {
  it('reads our own process and sums a tree CPU time', async () => {
    const table = await psProcessTable()();
    const self = table.find((row) => row.pid === process.pid);
    expect(self?.args).toContain('node');
    const cpu = await processTreeCpuReader()(process.pid);
    expect(cpu).not.toBeNull();
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(await processTreeCpuReader()(2 ** 22 + 12345)).toBeNull();
  });
});
