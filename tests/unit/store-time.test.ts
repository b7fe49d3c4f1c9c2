// Local days and epoch hours in Europe/Berlin, including both DST changes, and a half-hour zone.
// Expected instants are written as UTC wall times by hand.
process.env.TZ = 'Europe/Berlin';
import { afterEach, describe, expect, it } from 'vitest';
import { hourCeil, hourStart, localDateLabel, localDayCeil, localDayStart, nextLocalDayStart, usageInstant } from '../../src-main/engine/store/time.js';

const utc = (y: number, m: number, d: number, h = 0, min = 0, s = 0): number => Date.UTC(y, m - 1, d, h, min, s) / 1000;

describe('local days in Europe/Berlin', () => {
  const cases: { name: string; t: number; start: number; next: number; label: string }[] = [
    { name: 'winter day, noon', t: utc(2024, 1, 15, 11), start: utc(2024, 1, 14, 23), next: utc(2024, 1, 15, 23), label: '2024-01-15' },
    { name: 'summer day, 00:30 local', t: utc(2024, 7, 1, 22, 30), start: utc(2024, 7, 1, 22), next: utc(2024, 7, 2, 22), label: '2024-07-02' },
    { name: 'spring-forward day (23 h)', t: utc(2024, 3, 31, 12), start: utc(2024, 3, 30, 23), next: utc(2024, 3, 31, 22), label: '2024-03-31' },
    { name: 'fall-back day (25 h)', t: utc(2024, 10, 27, 12), start: utc(2024, 10, 26, 22), next: utc(2024, 10, 27, 23), label: '2024-10-27' },
    { name: 'fall-back day, inside the repeated hour', t: utc(2024, 10, 27, 1, 30), start: utc(2024, 10, 26, 22), next: utc(2024, 10, 27, 23), label: '2024-10-27' },
    { name: 'exactly local midnight', t: utc(2024, 10, 26, 22), start: utc(2024, 10, 26, 22), next: utc(2024, 10, 27, 23), label: '2024-10-27' },
    { name: 'one second before local midnight', t: utc(2024, 10, 26, 21, 59, 59), start: utc(2024, 10, 25, 22), next: utc(2024, 10, 26, 22), label: '2024-10-26' },
  ];
  it.each(cases)('$name', ({ t, start, next, label }) => {
    expect(localDayStart(t)).toBe(start);
    expect(nextLocalDayStart(t)).toBe(next);
    expect(nextLocalDayStart(start)).toBe(next);
    expect(localDateLabel(t)).toBe(label);
    expect(localDayCeil(t)).toBe(t === start ? start : next);
  });

  it('day lengths are 23, 24 and 25 hours around the changes', () => {
    const len = (t: number): number => (nextLocalDayStart(t) - localDayStart(t)) / 3600;
    expect(len(utc(2024, 3, 31, 12))).toBe(23);
    expect(len(utc(2024, 4, 1, 12))).toBe(24);
    expect(len(utc(2024, 10, 27, 12))).toBe(25);
  });
});

describe('epoch hours and the usage instant', () => {
  it.each([
    { t: utc(2024, 5, 1, 10), start: utc(2024, 5, 1, 10), ceil: utc(2024, 5, 1, 10) },
    { t: utc(2024, 5, 1, 10, 0, 1), start: utc(2024, 5, 1, 10), ceil: utc(2024, 5, 1, 11) },
    { t: utc(2024, 5, 1, 10, 59, 59), start: utc(2024, 5, 1, 10), ceil: utc(2024, 5, 1, 11) },
  ])('hour of $t', ({ t, start, ceil }) => {
    expect(hourStart(t)).toBe(start);
    expect(hourCeil(t)).toBe(ceil);
  });

  it('a row ending exactly on the hour counts in the hour before', () => {
    const end = utc(2024, 5, 1, 10);
    expect(hourStart(usageInstant(end))).toBe(utc(2024, 5, 1, 9));
    expect(hourStart(usageInstant(end + 1))).toBe(utc(2024, 5, 1, 10));
  });
});

describe('a half-hour zone (Asia/Kolkata, UTC+5:30)', () => {
  afterEach(() => {
    process.env.TZ = 'Europe/Berlin';
  });
  it('days start at 18:30 UTC and are not hour-aligned', () => {
    process.env.TZ = 'Asia/Kolkata';
    const t = utc(2024, 6, 10, 12);
    expect(localDayStart(t)).toBe(utc(2024, 6, 9, 18, 30));
    expect(nextLocalDayStart(t)).toBe(utc(2024, 6, 10, 18, 30));
    expect(localDateLabel(utc(2024, 6, 10, 18, 30))).toBe('2024-06-11');
  });
});
