// "What changed" on fixed series: windows, order by absolute change, badges, anomaly scores and their
// floors, nothing scored in the first 14 days, and the one-line cause.
import { describe, expect, it } from 'vitest';
import { busyStretch, causeLine, computeChanges, hasUnusualHour, type EntitySeries } from '../../src-main/engine/plans/changes.js';

const MB = 1e6;
const GB = 1e9;
const DAY = 86_400;
// 63 days (9 weeks), day 0 at t = 0.
const days = Array.from({ length: 63 }, (_, i) => i * DAY);
const flat = (bytes: number): number[] => days.map(() => bytes);
const withDay = (series: number[], index: number, bytes: number): number[] => series.map((b, i) => (i === index ? bytes : b));

function changesOf(series: EntitySeries[], firstDay: number | null = 0) {
  return computeChanges({ dayStarts: days, windowDays: 7, firstDay, series });
}

describe('computeChanges', () => {
  it('windows: this = last 7 days, last = the 7 before, median of the four before', () => {
    // Weekly totals, oldest first … 4 GB, 3 GB, 2 GB, 1 GB (last window), then 5 GB now.
    const perDay = days.map((_, i) => {
      const week = Math.floor((62 - i) / 7); // 0 = this window
      return ([5, 1, 2, 3, 4][week] ?? 0) * GB / 7;
    });
    const { rows } = changesOf([{ kind: 'app', name: 'A', days: perDay }]);
    expect(rows[0]?.thisWindow).toBeCloseTo(5 * GB, 0);
    expect(rows[0]?.lastWindow).toBeCloseTo(1 * GB, 0);
    expect(rows[0]?.median4).toBeCloseTo(2.5 * GB, 0); // median of 1, 2, 3, 4
    expect(rows[0]?.delta).toBeCloseTo(4 * GB, 0);
  });

  it('sorted by absolute change in bytes, not by percent', () => {
    const big = flat(10 * GB).map((b, i) => (i >= 56 ? b - 1 * GB : b)); // −7 GB (−10 %)
    const small = flat(1 * MB).map((b, i) => (i >= 56 ? 100 * MB : b)); // +693 MB (×100)
    const { rows } = changesOf([{ kind: 'app', name: 'small', days: small }, { kind: 'domain', name: 'big.example', days: big }]);
    expect(rows.map((r) => r.name)).toEqual(['big.example', 'small']);
  });

  it('badges: new (nothing in the four windows before, ≥ 50 MB now), gone (nothing now, something last window)', () => {
    const fresh = days.map((_, i) => (i >= 60 ? 30 * MB : 0));
    const gone = days.map((_, i) => (i >= 49 && i < 56 ? 10 * MB : 0));
    const tiny = days.map((_, i) => (i === 62 ? 1 * MB : 0));
    const { rows } = changesOf([
      { kind: 'app', name: 'Fresh', days: fresh },
      { kind: 'app', name: 'Gone', days: gone },
      { kind: 'app', name: 'Tiny', days: tiny },
    ]);
    const badges = Object.fromEntries(rows.map((r) => [r.name, r.badges]));
    expect(badges).toEqual({ Fresh: ['new'], Gone: ['gone'], Tiny: [] });
  });

  it('a 30 GB day against a steady 1 GB a day scores far over 3.5 and names that day', () => {
    const series = withDay(flat(1 * GB), 60, 31 * GB);
    const { rows, scored } = changesOf([{ kind: 'app', name: 'Photos', days: series }]);
    expect(scored).toBe(true);
    // Baseline: the same weekday 1–8 weeks before, all 1 GB → MAD 0, floor 10 % of 1 GB = 100 MB; z = 0.6745 · 30 000 / 100.
    expect(rows[0]?.anomaly).toEqual({ dayStart: 60 * DAY, bytes: 31 * GB, usual: 1 * GB, excess: 30 * GB, z: expect.closeTo(202.35, 6) as number });
  });

  it('a high z under 200 MB and under 5 % of the week is not shown', () => {
    // 5 MB a day usually, 60 MB one day: z = 0.6745 · 55 / 5 = 7.4, but 55 MB is small next to the other app’s week.
    const quiet = withDay(flat(5 * MB), 61, 60 * MB);
    const { rows } = changesOf([{ kind: 'app', name: 'Quiet', days: quiet }, { kind: 'app', name: 'Busy', days: flat(2 * GB) }]);
    expect(rows.find((r) => r.name === 'Quiet')?.anomaly).toBeNull();
  });

  it('the same small spike is shown when it is ≥ 5 % of the window’s traffic', () => {
    const quiet = withDay(flat(5 * MB), 61, 60 * MB);
    const { rows } = changesOf([{ kind: 'app', name: 'Quiet', days: quiet }]);
    expect(rows[0]?.anomaly?.dayStart).toBe(61 * DAY);
  });

  it('nothing is scored in the first 14 days of history', () => {
    const series = withDay(flat(1 * GB), 60, 31 * GB);
    const { rows, scored } = changesOf([{ kind: 'app', name: 'Photos', days: series }], 50 * DAY);
    expect(scored).toBe(false);
    expect(rows[0]?.anomaly).toBeNull();
  });

  it('fewer than 4 same-weekday days of history before the day: no score', () => {
    const series = withDay(flat(1 * GB), 60, 31 * GB);
    // History from day 35: days 53, 46, 39 only (3 weeks) before day 60.
    expect(changesOf([{ kind: 'app', name: 'Photos', days: series }], 35 * DAY).rows[0]?.anomaly).toBeNull();
    expect(changesOf([{ kind: 'app', name: 'Photos', days: series }], 32 * DAY).rows[0]?.anomaly?.dayStart).toBe(60 * DAY);
  });
});

describe('causes', () => {
  it('the busy stretch: first to last hour holding at least half of the peak hour', () => {
    const hours = Array.from({ length: 24 }, (_, h) => (h >= 2 && h < 5 ? 10 * GB : 1 * MB));
    // 2026-03-28 was a Saturday (local midnight in Berlin).
    const saturday = new Date(2026, 2, 28).getTime() / 1000;
    expect(busyStretch(saturday, hours)).toBe('Sat 02:00–05:00');
    expect(busyStretch(saturday, Array.from({ length: 24 }, () => 0))).toBeNull();
  });
  it('one line, leaving out what the data does not give', () => {
    expect(causeLine('Photos', 6.1 * GB, 'Sat 02:00–05:00', 'icloud-content.com')).toBe('Photos +6.10 GB, Sat 02:00–05:00, mostly icloud-content.com');
    expect(causeLine('Photos', 6.1 * GB, null, null)).toBe('Photos +6.10 GB');
  });
  it('unusual hour: ≥ 50 MB in an hour that is usually idle on that weekday', () => {
    const baseline = Array.from({ length: 24 }, () => [0, 0, 0, 0]);
    const hours = Array.from({ length: 24 }, (_, h) => (h === 3 ? 2 * GB : 0));
    expect(hasUnusualHour(hours, baseline)).toBe(true);
    expect(hasUnusualHour(hours.map((b) => b / 100), baseline)).toBe(false); // 20 MB: too small to matter
    expect(hasUnusualHour(hours, Array.from({ length: 24 }, () => [2 * GB, 2 * GB, 2 * GB, 2 * GB]))).toBe(false);
  });
});
