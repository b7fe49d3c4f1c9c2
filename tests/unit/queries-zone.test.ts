// The zone's constant-offset stretches and the hour-of-week arithmetic the heatmap's SQL repeats.
// Transitions are written by hand from `zdump -v -c 2024,2025 <zone>`; each case switches
// process.env.TZ (Node applies it at once) and puts it back.
process.env.TZ = 'Europe/Berlin';
import { afterEach, describe, expect, it } from 'vitest';
import { hourOfWeek, offsetSegments, segmentAt, zoneOffsetAt, type OffsetSegment } from '../../src-main/engine/queries/zone.js';

const utc = (m: number, d: number, h = 0, min = 0): number => Date.UTC(2024, m - 1, d, h, min) / 1000;
const YEAR = [utc(1, 1), Date.UTC(2025, 0, 1) / 1000] as const;

afterEach(() => {
  process.env.TZ = 'Europe/Berlin';
});

describe('offsetSegments', () => {
  const cases: { zone: string; from: number; to: number; want: OffsetSegment[] }[] = [
    {
      zone: 'Europe/Berlin',
      from: YEAR[0],
      to: YEAR[1],
      want: [
        { from: YEAR[0], to: utc(3, 31, 1), offsetS: 3600 },
        { from: utc(3, 31, 1), to: utc(10, 27, 1), offsetS: 7200 },
        { from: utc(10, 27, 1), to: YEAR[1], offsetS: 3600 },
      ],
    },
    {
      zone: 'America/New_York',
      from: YEAR[0],
      to: YEAR[1],
      want: [
        { from: YEAR[0], to: utc(3, 10, 7), offsetS: -18_000 },
        { from: utc(3, 10, 7), to: utc(11, 3, 6), offsetS: -14_400 },
        { from: utc(11, 3, 6), to: YEAR[1], offsetS: -18_000 },
      ],
    },
    {
      zone: 'Australia/Lord_Howe',
      from: YEAR[0],
      to: YEAR[1],
      want: [
        { from: YEAR[0], to: utc(4, 6, 15), offsetS: 39_600 },
        { from: utc(4, 6, 15), to: utc(10, 5, 15, 30), offsetS: 37_800 },
        { from: utc(10, 5, 15, 30), to: YEAR[1], offsetS: 39_600 },
      ],
    },
    { zone: 'Asia/Kolkata', from: YEAR[0], to: YEAR[1], want: [{ from: YEAR[0], to: YEAR[1], offsetS: 19_800 }] },
    // A change one second before the end, and one at the very start.
    {
      zone: 'Europe/Berlin',
      from: utc(3, 31, 0),
      to: utc(3, 31, 1) + 1,
      want: [
        { from: utc(3, 31, 0), to: utc(3, 31, 1), offsetS: 3600 },
        { from: utc(3, 31, 1), to: utc(3, 31, 1) + 1, offsetS: 7200 },
      ],
    },
    { zone: 'Europe/Berlin', from: utc(10, 27, 1), to: utc(10, 28), want: [{ from: utc(10, 27, 1), to: utc(10, 28), offsetS: 3600 }] },
    { zone: 'Europe/Berlin', from: utc(5, 1), to: utc(5, 1), want: [] },
  ];
  it.each(cases)('$zone from $from to $to', ({ zone, from, to, want }) => {
    process.env.TZ = zone;
    expect(offsetSegments(from, to)).toEqual(want);
  });

  it('agrees with the offset of every hour it covers', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe']) {
      process.env.TZ = zone;
      const segments = offsetSegments(YEAR[0], YEAR[1]);
      for (let t = YEAR[0]; t < YEAR[1]; t += 3600) expect(segmentAt(segments, t).offsetS, `${zone} ${t}`).toBe(zoneOffsetAt(t));
    }
  });
});

describe('segmentAt', () => {
  const segments: OffsetSegment[] = [
    { from: 100, to: 200, offsetS: 1 },
    { from: 200, to: 300, offsetS: 2 },
  ];
  it.each([
    [100, 1],
    [199, 1],
    [200, 2],
    [299, 2],
  ])('%i lies in the stretch of offset %i', (t, offsetS) => {
    expect(segmentAt(segments, t).offsetS).toBe(offsetS);
  });
  it.each([99, 300])('%i lies outside: refused', (t) => {
    expect(() => segmentAt(segments, t)).toThrow(RangeError);
  });
});

describe('hourOfWeek', () => {
  it.each([
    ['1970-01-01 00:00, a Thursday', 0, 3 * 24],
    ['2024-07-01 00:00, a Monday', utc(7, 1), 0],
    ['2024-07-01 13:59:59', utc(7, 1, 13, 59) + 59, 13],
    ['2024-07-07 23:00, a Sunday', utc(7, 7, 23), 6 * 24 + 23],
    ['2024-07-08 00:00, the next Monday', utc(7, 8), 0],
    ['1969-12-31 23:00, a Wednesday (before the epoch)', -3600, 2 * 24 + 23],
  ])('%s', (_name, local, want) => {
    expect(hourOfWeek(local)).toBe(want);
  });
});
