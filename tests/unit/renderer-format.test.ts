// The renderer's formatting: units, shares, times in a named zone. Expected strings are written out
// by hand (decimal units, en-GB dates, Europe/Berlin offsets looked up in the tz database).
import { describe, expect, it } from 'vitest';
import {
  bucketLabel,
  formatAgo,
  formatBytesShort,
  formatChange,
  formatClock,
  formatDateTime,
  formatDay,
  formatDuration,
  formatMonth,
  formatRate,
  formatShare,
  formatTick,
  timeZoneLabel,
} from '../../src-renderer/lib/format.js';
import { niceCeiling } from '../../src-renderer/lib/scale.js';

const BERLIN = 'Europe/Berlin';
const WINTER = Date.parse('2026-11-21T15:30:00Z') / 1000; // Saturday, 16:30 CET
const SUMMER = Date.parse('2026-07-01T00:05:00Z') / 1000; // Wednesday, 02:05 CEST

describe('bytes and rates', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1 KB'],
    [1500, '1.5 KB'],
    [12_345_678, '12.3 MB'],
    [123_456_789, '123 MB'],
    [9_999_999, '10 MB'],
    [1.5e9, '1.5 GB'],
    [2.25e12, '2.25 TB'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('short form of %d bytes is %s', (bytes, text) => {
    expect(formatBytesShort(bytes)).toBe(text);
  });

  it.each([
    [0, '0 B/s'],
    [0.4, '0 B/s'],
    [512, '512 B/s'],
    [1500, '1.50 KB/s'],
    [2_345_678, '2.35 MB/s'],
    [-5, '—'],
  ])('%d bytes per second is %s', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });

  it.each([
    [1, 3, '33.3 %'],
    [5, 5, '100.0 %'],
    [0, 10, '0 %'],
    [1, 2000, '<0.1 %'],
    [1, 0, '—'],
    [-1, 10, '—'],
  ])('%d of %d is %s', (part, whole, text) => {
    expect(formatShare(part, whole)).toBe(text);
  });

  it.each([
    [0.04, '+4 %'],
    [-0.12, '−12 %'],
    [-0.004, '±0 %'],
    [1.5, '+150 %'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('a change of %d is %s', (fraction, text) => {
    expect(formatChange(fraction)).toBe(text);
  });

  it.each([
    [0, 1],
    [0.7, 1],
    [3, 5],
    [1000, 1000],
    [1001, 2000],
    [2300, 2500],
    [6_000_000, 10_000_000],
    [0.3, 0.5],
  ])('a gauge for %d reaches %d', (value, ceiling) => {
    expect(niceCeiling(value)).toBeCloseTo(ceiling, 12);
  });
});

describe('durations and ages', () => {
  it.each([
    [0, 'just now'],
    [1.4, 'just now'],
    [-5, 'just now'],
    [12, '12 s ago'],
    [59, '59 s ago'],
    [60, '1 min ago'],
    [3599, '59 min ago'],
    [3600, '1 h ago'],
    [86_399, '23 h ago'],
    [4 * 86_400, '4 d ago'],
  ])('%d s ago reads %s', (s, text) => {
    expect(formatAgo(s)).toBe(text);
  });

  it.each([
    [45, '45 s'],
    [180, '3 min'],
    [7200, '2 h'],
    [7500, '2 h 5 min'],
    [86_400, '1 d'],
    [3 * 86_400 + 4 * 3600, '3 d 4 h'],
  ])('%d s lasts %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});

describe('times in a named zone', () => {
  it('formats clock, day, date-time and month in Berlin time', () => {
    expect(formatClock(WINTER, BERLIN)).toBe('16:30');
    expect(formatClock(SUMMER, BERLIN)).toBe('02:05');
    expect(formatDay(WINTER, BERLIN)).toBe('Sat 21 Nov');
    expect(formatDateTime(WINTER, BERLIN)).toBe('21 Nov 2026, 16:30');
    expect(formatMonth(SUMMER, BERLIN)).toBe('Jul 2026');
  });

  it('labels the zone with its offset at that moment (CET in winter, CEST in summer)', () => {
    expect(timeZoneLabel(WINTER, BERLIN)).toBe('Europe/Berlin (GMT+1)');
    expect(timeZoneLabel(SUMMER, BERLIN)).toBe('Europe/Berlin (GMT+2)');
  });

  it.each([
    [3600, '16:30'],
    [2 * 86_400, '16:30'],
    [7 * 86_400, 'Sat 21 Nov'],
    [90 * 86_400, '21 Nov'],
  ])('a tick on a %d s axis reads %s', (span, text) => {
    expect(formatTick(WINTER, span, BERLIN)).toBe(text);
  });

  it.each([
    [60, 'per minute'],
    [300, 'per 5 min'],
    [3600, 'per hour'],
    [86_400, 'per day'],
    [604_800, 'per week'],
    [90, 'per 90 s'],
  ])('a %d s bucket is %s', (bucket, text) => {
    expect(bucketLabel(bucket)).toBe(text);
  });
});
