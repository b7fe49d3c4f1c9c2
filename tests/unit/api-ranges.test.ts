// Range presets and the automatic bucket, in local time (the bucket grid: tests/unit/engine/queries/grid.test.ts). The test script pins TZ=Europe/Berlin; expected
// instants are written as UTC with Berlin's offset worked out by hand (CET +1, CEST +2 from the
// last Sunday of March, 2026-03-29 01:00 UTC).
import { describe, expect, it } from 'vitest';
import { autoBucket, localMidnight, localMonthStart, localWeekStart, presetStart, resolveRange } from '../../src-main/api/ranges.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0): number => Date.UTC(y, mo - 1, d, h, mi) / 1000;
const berlin = process.env['TZ'] === 'Europe/Berlin';

describe.runIf(berlin)('local calendar boundaries (Europe/Berlin)', () => {
  // Sunday 2026-03-29 14:00 CEST, the day clocks go forward.
  const now = utc(2026, 3, 29, 12);

  it('today starts at local midnight, still in winter time', () => {
    expect(localMidnight(now)).toBe(utc(2026, 3, 28, 23));
  });
  it('the week starts on Monday', () => {
    expect(localWeekStart(now)).toBe(utc(2026, 3, 22, 23));
    // A Monday is its own week's start.
    expect(localWeekStart(utc(2026, 3, 23, 10))).toBe(utc(2026, 3, 22, 23));
  });
  it('the month starts on its first day', () => {
    expect(localMonthStart(now)).toBe(utc(2026, 2, 28, 23));
    expect(localMonthStart(utc(2026, 7, 15, 12))).toBe(utc(2026, 6, 30, 22));
  });
  it('presets resolve against now', () => {
    expect(resolveRange({ range: 'today' }, now)).toEqual({ since: utc(2026, 3, 28, 23), until: now });
    expect(resolveRange({ range: 'week' }, now)).toEqual({ since: utc(2026, 3, 22, 23), until: now });
  });
});

describe('ranges independent of the zone', () => {
  const now = 1_800_000_000;
  it.each([
    ['1h', now - 3600],
    ['6h', now - 21_600],
    ['24h', now - 86_400],
    ['7d', now - 604_800],
    ['30d', now - 2_592_000],
    ['90d', now - 7_776_000],
    ['365d', now - 31_536_000],
  ] as const)('%s starts %i', (preset, since) => {
    expect(presetStart(preset, now)).toBe(since);
  });

  it('defaults: nothing is the last 24 h, a lone since runs to now, a lone until looks back 24 h', () => {
    expect(resolveRange({}, now)).toEqual({ since: now - 86_400, until: now });
    expect(resolveRange({ since: 100 }, now)).toEqual({ since: 100, until: now });
    expect(resolveRange({ until: 200_000 }, now)).toEqual({ since: 200_000 - 86_400, until: 200_000 });
  });

  it.each([
    [3600, 60],
    [3 * 3600, 60],
    [3 * 3600 + 1, 300],
    [6 * 3600, 300],
    [6 * 3600 + 1, 3600],
    [86_400, 3600],
    [7 * 86_400, 3600],
    [60 * 86_400, 3600],
    [90 * 86_400, 86_400],
    [365 * 86_400, 86_400],
  ])('a span of %i s gets %i s buckets', (span, bucket) => {
    expect(autoBucket({ since: now - span, until: now })).toBe(bucket);
  });
});
