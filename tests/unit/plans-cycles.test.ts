// Billing-cycle boundaries (TZ pinned to Europe/Berlin by the test script): local midnights, the 31st
// in February, every 28 days across a DST change, weekly, daily, one-time expiry, bucket top-up, and
// free hours on DST days.
import { describe, expect, it } from 'vitest';
import { cycleAt, dayStarts, freeWindows, previousCycle } from '../../src-main/engine/plans/cycles.js';
import type { CycleRule } from '../../src-main/engine/plans/types.js';

/** Epoch seconds of a local wall time. */
const at = (y: number, m: number, d: number, h = 0, min = 0): number => new Date(y, m - 1, d, h, min).getTime() / 1000;

describe('the zone of these tests', () => {
  it('is Europe/Berlin (DST on 2026-03-29 and 2026-10-25)', () => {
    expect(at(2026, 3, 30) - at(2026, 3, 29)).toBe(23 * 3600);
    expect(at(2026, 10, 26) - at(2026, 10, 25)).toBe(25 * 3600);
  });
});

describe('cycleAt', () => {
  const cases: { name: string; rule: CycleRule; now: number; start: string; last: string | null; hours?: number; active?: boolean }[] = [
    { name: 'monthly 31st, mid-February: started Jan 31, resets on Feb 28', rule: { kind: 'monthly', day: 31 }, now: at(2026, 2, 15, 12), start: '2026-01-31', last: '2026-02-27' },
    { name: 'monthly 31st on Feb 28: the reset day itself', rule: { kind: 'monthly', day: 31 }, now: at(2026, 2, 28, 0, 0), start: '2026-02-28', last: '2026-03-30' },
    { name: 'monthly 31st in a leap February resets on the 29th', rule: { kind: 'monthly', day: 31 }, now: at(2028, 2, 29, 9), start: '2028-02-29', last: '2028-03-30' },
    { name: 'monthly 30th in April (30 days) then May', rule: { kind: 'monthly', day: 30 }, now: at(2026, 5, 1), start: '2026-04-30', last: '2026-05-29' },
    { name: 'monthly 15th one second before the reset', rule: { kind: 'monthly', day: 15 }, now: at(2026, 3, 15) - 1, start: '2026-02-15', last: '2026-03-14' },
    { name: 'monthly 1st across the new year', rule: { kind: 'monthly', day: 1 }, now: at(2026, 12, 31, 23, 59), start: '2026-12-01', last: '2026-12-31' },
    {
      name: 'every 28 days from Mar 10, across the spring DST change: 28 local days, one hour short',
      rule: { kind: 'every-n-days', anchor: '2026-03-10', n: 28 },
      now: at(2026, 4, 6, 23, 59),
      start: '2026-03-10',
      last: '2026-04-06',
      hours: 28 * 24 - 1,
    },
    { name: 'every 28 days, the next cycle starts at local midnight Apr 7', rule: { kind: 'every-n-days', anchor: '2026-03-10', n: 28 }, now: at(2026, 4, 7), start: '2026-04-07', last: '2026-05-04', hours: 28 * 24 },
    { name: 'every 28 days across the autumn change: one hour long', rule: { kind: 'every-n-days', anchor: '2026-10-06', n: 28 }, now: at(2026, 10, 25, 12), start: '2026-10-06', last: '2026-11-02', hours: 28 * 24 + 1 },
    { name: 'every 30 days, anchor long ago', rule: { kind: 'every-n-days', anchor: '2025-01-01', n: 30 }, now: at(2026, 3, 1), start: '2026-02-25', last: '2026-03-26' },
    { name: 'weekly from Monday, on the DST Sunday', rule: { kind: 'weekly', weekday: 0 }, now: at(2026, 3, 29, 12), start: '2026-03-23', last: '2026-03-29', hours: 7 * 24 - 1 },
    { name: 'weekly from Saturday, on a Friday', rule: { kind: 'weekly', weekday: 5 }, now: at(2026, 3, 27, 23), start: '2026-03-21', last: '2026-03-27' },
    { name: 'daily on the short DST day', rule: { kind: 'daily' }, now: at(2026, 3, 29, 4), start: '2026-03-29', last: '2026-03-29', hours: 23 },
    { name: 'one-time, within its dates', rule: { kind: 'one-time', start: '2026-03-01', expiry: '2026-04-01' }, now: at(2026, 3, 31, 23, 59), start: '2026-03-01', last: '2026-03-31' },
    { name: 'one-time, at its expiry: inactive', rule: { kind: 'one-time', start: '2026-03-01', expiry: '2026-04-01' }, now: at(2026, 4, 1), start: '2026-03-01', last: '2026-03-31', active: false },
    { name: 'one-time, before its start: inactive', rule: { kind: 'one-time', start: '2026-03-01', expiry: '2026-04-01' }, now: at(2026, 2, 28, 23), start: '2026-03-01', last: '2026-03-31', active: false },
    { name: 'bucket: no reset', rule: { kind: 'bucket', start: '2026-01-05' }, now: at(2026, 6, 1), start: '2026-01-05', last: null },
    { name: 'bucket topped up: a new bucket from the top-up day', rule: { kind: 'bucket', start: '2026-06-01' }, now: at(2026, 6, 1, 8), start: '2026-06-01', last: null },
  ];
  it.each(cases)('$name', ({ rule, now, start, last, hours, active }) => {
    const cycle = cycleAt(rule, now);
    expect(cycle.startDate).toBe(start);
    expect(cycle.lastDate).toBe(last);
    expect(cycle.active).toBe(active ?? true);
    // Boundaries are local midnights.
    expect(new Date(cycle.start * 1000).getHours()).toBe(0);
    expect(new Date(cycle.start * 1000).getMinutes()).toBe(0);
    if (cycle.end !== null) expect(new Date(cycle.end * 1000).getHours()).toBe(0);
    if (hours !== undefined && cycle.end !== null) expect((cycle.end - cycle.start) / 3600).toBe(hours);
    if (cycle.active) {
      expect(cycle.start).toBeLessThanOrEqual(now);
      if (cycle.end !== null) expect(cycle.end).toBeGreaterThan(now);
    }
  });

  it('says why a one-time plan is not active', () => {
    expect(cycleAt({ kind: 'one-time', start: '2026-03-01', expiry: '2026-04-01' }, at(2026, 4, 2)).inactiveReason).toBe('expired on 2026-04-01');
    expect(cycleAt({ kind: 'one-time', start: '2026-03-01', expiry: '2026-04-01' }, at(2026, 2, 2)).inactiveReason).toBe('starts on 2026-03-01');
  });

  it('previousCycle: the cycle that ends where this one starts; none for one-time plans and buckets', () => {
    const rule: CycleRule = { kind: 'monthly', day: 31 };
    const march = cycleAt(rule, at(2026, 3, 5));
    const prev = previousCycle(rule, march);
    expect(prev?.startDate).toBe('2026-01-31');
    expect(prev?.end).toBe(march.start);
    expect(previousCycle({ kind: 'bucket', start: '2026-01-01' }, cycleAt({ kind: 'bucket', start: '2026-01-01' }, at(2026, 3, 1)))).toBeNull();
  });
});

describe('dayStarts', () => {
  it('steps local midnights, 23 and 25 hours apart on DST days', () => {
    const days = dayStarts(at(2026, 3, 28), at(2026, 3, 31));
    expect(days).toEqual([at(2026, 3, 28), at(2026, 3, 29), at(2026, 3, 30)]);
    expect(dayStarts(at(2026, 10, 25), at(2026, 10, 27)).map((d, i, a) => (a[i + 1] ?? d) - d)).toEqual([25 * 3600, 0]);
  });
  it('starts at the next midnight when `from` is inside a day', () => {
    expect(dayStarts(at(2026, 3, 1, 12), at(2026, 3, 3))).toEqual([at(2026, 3, 2)]);
  });
});

describe('free hours', () => {
  const cases = [
    { name: '00–06 on an ordinary day: 6 h', free: { startHour: 0, endHour: 6 }, from: at(2026, 3, 10), to: at(2026, 3, 11), windows: [[at(2026, 3, 10), at(2026, 3, 10, 6)]], hours: 6 },
    { name: '00–06 on the spring DST day: 5 h (02:00–03:00 does not exist)', free: { startHour: 0, endHour: 6 }, from: at(2026, 3, 29), to: at(2026, 3, 30), windows: [[at(2026, 3, 29), at(2026, 3, 29, 6)]], hours: 5 },
    { name: '00–06 on the autumn DST day: 7 h', free: { startHour: 0, endHour: 6 }, from: at(2026, 10, 25), to: at(2026, 10, 26), windows: [[at(2026, 10, 25), at(2026, 10, 25, 6)]], hours: 7 },
    {
      name: '22–06 wraps midnight: the morning and the evening of each day',
      free: { startHour: 22, endHour: 6 },
      from: at(2026, 3, 10),
      to: at(2026, 3, 11),
      windows: [[at(2026, 3, 10), at(2026, 3, 10, 6)], [at(2026, 3, 10, 22), at(2026, 3, 11)]],
      hours: 8,
    },
    { name: 'clipped to the range (now is 03:30)', free: { startHour: 0, endHour: 6 }, from: at(2026, 3, 10), to: at(2026, 3, 10, 3, 30), windows: [[at(2026, 3, 10), at(2026, 3, 10, 3, 30)]], hours: 3.5 },
  ];
  it.each(cases)('$name', ({ free, from, to, windows, hours }) => {
    const got = freeWindows(free, from, to);
    expect(got.map((w) => [w.from, w.to])).toEqual(windows);
    expect(got.reduce((a, w) => a + w.to - w.from, 0) / 3600).toBe(hours);
  });
});
