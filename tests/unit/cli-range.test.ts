import { describe, expect, it } from 'vitest';
import { parseInstant, parseRange } from '../../src-main/cli/range.js';
import { renderTable } from '../../src-main/cli/table.js';

// The test script pins TZ=Europe/Berlin; these instants are checked by hand against that zone.
const NOW = Date.parse('2026-11-21T15:30:00Z') / 1000; // 16:30 in Berlin (CET, UTC+1)

describe('command-line ranges', () => {
  it.each([
    ['today', Date.parse('2026-11-20T23:00:00Z') / 1000],
    ['yesterday', Date.parse('2026-11-19T23:00:00Z') / 1000],
    ['24h', NOW - 86_400],
    ['7d', NOW - 7 * 86_400],
    ['30d', NOW - 30 * 86_400],
    ['90m', NOW - 5_400],
    ['2026-11-01', Date.parse('2026-10-31T23:00:00Z') / 1000],
    ['2026-07-01', Date.parse('2026-06-30T22:00:00Z') / 1000],
    ['2026-11-01T08:00:00Z', Date.parse('2026-11-01T08:00:00Z') / 1000],
  ])('%s', (text, expected) => {
    expect(parseInstant(text, '--since', NOW)).toBe(expected);
  });

  it.each(['yesterdayish', '7x', '2026-13-01', '2026-02-30', '', 'T08:00'])('refuses %j with the accepted forms', (text) => {
    expect(() => parseInstant(text, '--since', NOW)).toThrow(/--since .*expected today/);
  });

  it('defaults until to now and refuses an empty range', () => {
    expect(parseRange('24h', undefined, NOW)).toEqual({ since: NOW - 86_400, until: NOW });
    expect(() => parseRange('today', 'yesterday', NOW)).toThrow(/must be after/);
  });

  it('finds local midnight across the DST change', () => {
    // 2026-10-25 is the day Berlin goes back from CEST to CET: midnight was 22:00 UTC the day before.
    expect(parseInstant('today', '--since', Date.parse('2026-10-25T12:00:00Z') / 1000)).toBe(Date.parse('2026-10-24T22:00:00Z') / 1000);
  });
});

describe('tables', () => {
  it('pads columns and right-aligns numbers', () => {
    const text = renderTable(['Application', 'Total'], [['Firefox', '1.00 GB'], ['ssh', '12 B']], new Set([1]));
    expect(text.split('\n')).toEqual(['Application    Total', '-----------  -------', 'Firefox      1.00 GB', 'ssh             12 B']);
  });
});
