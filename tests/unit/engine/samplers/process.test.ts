// Pure helpers of samplers/process/: reading `ps`, walking a process tree, backoff.
import { describe, expect, it } from 'vitest';
import { Backoff, parseCpuTime, parsePsTable, processTree, treeCpuSeconds } from '../../../../src-main/engine/samplers/process/index.js';

describe('ps CPU time', () => {
  it.each([
    ['0:01.23', 1.23], // macOS: minutes:seconds.hundredths
    ['125:03.50', 7503.5], // macOS minutes run past 59
    ['00:00:01', 1], // procps: hours:minutes:seconds
    ['01:02:03', 3723],
    ['1-02:03:04', 93_784], // procps with days
    ['garbage', null],
    ['', null],
  ])('%s → %s', (text, seconds) => {
    const parsed = parseCpuTime(text);
    if (seconds === null) expect(parsed).toBeNull();
    else expect(parsed).toBeCloseTo(seconds, 6);
  });
});

describe('process table', () => {
  // pid ppid pgid stat time args, as macOS and procps print them.
  const text = [
    '    1     0     1 Ss       0:12.00 /sbin/launchd',
    '  500     1   500 Ss       0:00.10 /Applications/netmon.app/Contents/MacOS/netmon',
    '  600   500   600 Ss       0:00.02 /usr/bin/script -q /dev/null /usr/bin/nettop -P -L 0 -s 5',
    '  601   600   601 Ss+      1:02.50 /usr/bin/nettop -P -L 0 -s 5',
    '  602   601   601 Z        0:00.00 (nettop)',
    '  700     1   700 S     00:00:07 node fake-nettop.js -L 0',
    'garbage line',
    '',
  ].join('\n');

  it('parses rows, keeping command lines with spaces', () => {
    const rows = parsePsTable(text);
    expect(rows).toHaveLength(6);
    expect(rows[2]).toEqual({ pid: 600, ppid: 500, pgid: 600, stat: 'Ss', cpuSeconds: 0.02, args: '/usr/bin/script -q /dev/null /usr/bin/nettop -P -L 0 -s 5' });
    expect(rows[5]?.cpuSeconds).toBe(7);
  });

  it('walks a tree across sessions and sums its CPU time', () => {
    const rows = parsePsTable(text);
    expect(processTree(rows, 600).map((r) => r.pid)).toEqual([600, 601, 602]);
    expect(treeCpuSeconds(rows, 600)).toBeCloseTo(0.02 + 62.5, 6);
    expect(treeCpuSeconds(rows, 999)).toBeNull();
  });
});

describe('backoff', () => {
  it('doubles up to the cap, and starts over after a reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});
