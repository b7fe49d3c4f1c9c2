// Forecasts and robust scores on fixed histories, with the medians and percentiles worked out by hand
// in the comments (percentiles interpolate between order statistics: h = (n − 1)·q).
import { describe, expect, it } from 'vitest';
import { forecast, safeToday, type HistoryDay } from '../../src-main/engine/plans/forecast.js';
import { mad, median, modifiedZ, percentile } from '../../src-main/engine/plans/stats.js';
import { calibratedUsed, calibrationOffset } from '../../src-main/engine/plans/calibration.js';

const GB = 1e9;
const MB = 1e6;

describe('percentile and median', () => {
  const cases = [
    { values: [4, 1, 3, 2], q: 0.5, want: 2.5 }, // sorted 1 2 3 4, h = 1.5
    { values: [1, 2, 3, 4], q: 0.2, want: 1.6 }, // h = 0.6 → 1 + 0.6·1
    { values: [1, 2, 3, 4], q: 0.8, want: 3.4 }, // h = 2.4 → 3 + 0.4·1
    { values: [1, 2, 3, 4, 10], q: 0.2, want: 1.8 }, // h = 0.8
    { values: [1, 2, 3, 4, 10], q: 0.8, want: 5.2 }, // h = 3.2 → 4 + 0.2·6
    { values: [7], q: 0.8, want: 7 },
  ];
  it.each(cases)('percentile($values, $q) = $want', ({ values, q, want }) => {
    expect(percentile(values, q)).toBeCloseTo(want, 10);
  });
  it('median of nothing is NaN', () => {
    expect(median([])).toBeNaN();
  });
});

describe('modified z-score with a floored MAD', () => {
  const cases = [
    // MAD 0 and median 100 MB: the floor is 10 % of the median, 10 MB → 0.6745 · 100 / 10.
    { name: 'flat baseline: floor = 10 % of the median', x: 200 * MB, baseline: [100 * MB, 100 * MB, 100 * MB, 100 * MB], floor: 10 * MB, z: 6.745 },
    // Median 1 MB: 10 % is 0.1 MB, the 5 MB floor wins → 0.6745 · 10 / 5.
    { name: 'sparse app: floor = 5 MB', x: 11 * MB, baseline: [1 * MB, 1 * MB, 1 * MB, 1 * MB], floor: 5 * MB, z: 1.349 },
    // 10 20 30 40 50 GB: median 30, deviations 20 10 0 10 20 → MAD 10 GB (over 3 GB) → 0.6745 · 30 / 10.
    { name: 'spread baseline: the MAD itself', x: 60 * GB, baseline: [10 * GB, 20 * GB, 30 * GB, 40 * GB, 50 * GB], floor: 10 * GB, z: 2.0235 },
    // An idle app that is suddenly busy: median 0, floor 5 MB → 0.6745 · 1000 / 5.
    { name: 'from nothing to 1 GB', x: 1 * GB, baseline: [0, 0, 0, 0], floor: 5 * MB, z: 134.9 },
  ];
  it.each(cases)('$name', ({ x, baseline, floor, z }) => {
    const score = modifiedZ(x, baseline);
    expect(score?.floor).toBe(floor);
    expect(score?.z).toBeCloseTo(z, 6);
  });
  it('MAD by hand', () => {
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1); // median 2; deviations 1 1 0 0 2 4 7 → median 1
  });
  it('no baseline, no score', () => {
    expect(modifiedZ(5, [])).toBeNull();
  });
});

/** 28 complete days: weekday w of week k (k = 0 oldest) used (w + 1) · (k + 1) GB. Day 0 is a Monday. */
function fourWeeks(firstMonday: number): HistoryDay[] {
  const days: HistoryDay[] = [];
  for (let k = 0; k < 4; k += 1) for (let w = 0; w < 7; w += 1) days.push({ dayStart: firstMonday + (k * 7 + w) * 86_400, weekday: w, bytes: (w + 1) * (k + 1) * GB });
  return days;
}

describe('forecast', () => {
  const monday = 1_767_571_200; // any base: only weekdays and order matter here
  it('same weekday over 4 weeks: per weekday w the values (w+1)·{1,2,3,4} GB → P20 1.6, P50 2.5, P80 3.4 times (w+1)', () => {
    // Remaining: today (Monday, 0.5 GB used so far), Tuesday, Wednesday. Used so far 10 GB, quota 20 GB.
    // P50: 10 + (2.5 − 0.5) + 5 + 7.5 = 24.5; P20: 10 + (1.6 − 0.5) + 3.2 + 4.8 = 19.1; P80: 10 + (3.4 − 0.5) + 6.8 + 10.2 = 29.9.
    // P50 path: 12 after Monday, 17 after Tuesday, 24.5 after Wednesday → crosses on Wednesday.
    const remaining = [0, 1, 2].map((w) => ({ dayStart: monday + (28 + w) * 86_400, weekday: w }));
    const got = forecast({ history: fourWeeks(monday), historyDays: 40, used: 10 * GB, todayUsed: 0.5 * GB, remaining, elapsedDays: 5.2, quota: 20 * GB });
    expect(got).toEqual({ ok: true, value: { method: 'weekday', p20: 19.1 * GB, p50: 24.5 * GB, p80: 29.9 * GB, crossingDay: remaining[2]?.dayStart } });
  });

  it('fewer than two of each weekday: the median day of the last 14 days, range from its percentiles', () => {
    // 1 2 3 4 10 GB: P20 1.8, P50 3, P80 5.2 per day; two days left, nothing used today.
    const history = [1, 2, 3, 4, 10].map((g, i) => ({ dayStart: monday + i * 86_400, weekday: i, bytes: g * GB }));
    const remaining = [5, 6].map((w) => ({ dayStart: monday + w * 86_400, weekday: w }));
    const got = forecast({ history, historyDays: 5, used: 4 * GB, todayUsed: 0, remaining, elapsedDays: 4, quota: 100 * GB });
    expect(got).toEqual({ ok: true, value: { method: 'recent', p20: 7.6 * GB, p50: 10 * GB, p80: 14.4 * GB, crossingDay: null } });
  });

  it('today already above the day’s figure adds nothing for the rest of today', () => {
    const history = [1, 2, 3, 4, 10].map((g, i) => ({ dayStart: monday + i * 86_400, weekday: i, bytes: g * GB }));
    const got = forecast({ history, historyDays: 5, used: 9 * GB, todayUsed: 6 * GB, remaining: [{ dayStart: monday + 5 * 86_400, weekday: 5 }], elapsedDays: 4, quota: 100 * GB });
    // P20 1.8 and P50 3 are under the 6 GB already used today; P80 5.2 too: nothing is added.
    expect(got.ok && [got.value.p20, got.value.p50, got.value.p80]).toEqual([9 * GB, 9 * GB, 9 * GB]);
  });

  it('too little recent history: used ÷ elapsed, a range of one figure', () => {
    const got = forecast({ history: [], historyDays: 30, used: 6 * GB, todayUsed: 0, remaining: [{ dayStart: monday, weekday: 0 }, { dayStart: monday + 86_400, weekday: 1 }], elapsedDays: 3, quota: 9 * GB });
    // 2 GB a day for two days: 10 GB, over the 9 GB quota on the second day.
    expect(got).toEqual({ ok: true, value: { method: 'linear', p20: 10 * GB, p50: 10 * GB, p80: 10 * GB, crossingDay: monday + 86_400 } });
  });

  it('no forecast before 3 days of history, and it says why', () => {
    const got = forecast({ history: [], historyDays: 2, used: 1, todayUsed: 0, remaining: [], elapsedDays: 1, quota: 10 });
    expect(got).toEqual({ ok: false, reason: 'a forecast needs 3 days of history; there are 2 days so far' });
  });

  it('already over: crossed today', () => {
    const got = forecast({ history: fourWeeks(monday), historyDays: 40, used: 30 * GB, todayUsed: 0, remaining: [{ dayStart: monday + 28 * 86_400, weekday: 0 }], elapsedDays: 10, quota: 20 * GB });
    expect(got.ok && got.value.crossingDay).toBe(monday + 28 * 86_400);
  });

  it('safe today = remaining ÷ days left, never negative, none without an end', () => {
    expect(safeToday(20 * GB, 14 * GB, 3)).toBe(2 * GB);
    expect(safeToday(20 * GB, 25 * GB, 3)).toBe(0);
    expect(safeToday(20 * GB, 1, null)).toBeNull();
  });
});

describe('calibration: an offset, never a multiplier', () => {
  const cases = [
    { name: 'carrier counts more', carrier: 12 * GB, measured: 10 * GB, offset: 2 * GB, later: 15 * GB, used: 17 * GB },
    { name: 'carrier counts less', carrier: 8 * GB, measured: 10 * GB, offset: -2 * GB, later: 15 * GB, used: 13 * GB },
    { name: 'never below zero', carrier: 0, measured: 10 * GB, offset: -10 * GB, later: 4 * GB, used: 0 },
  ];
  it.each(cases)('$name', ({ carrier, measured, offset, later, used }) => {
    expect(calibrationOffset(carrier, measured)).toBe(offset);
    // What is measured afterwards is added as it is: 5 GB more measured is 5 GB more used.
    expect(calibratedUsed(later, offset)).toBe(used);
  });
});
