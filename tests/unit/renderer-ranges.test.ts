// Ranges, zoom and dates as the pages hold them, hash routes, the settings form's change set, and
// the CSV of a table. Local days are Berlin days (TZ pinned); the DST days are 23 and 25 hours long.
import { describe, expect, it } from 'vitest';
import type { ConfigValues } from '../../src-shared/contract/settings.js';
import { csvCell, toCsv } from '../../src-renderer/lib/csv.js';
import { dateInputToEpoch, dayRange, dragSelection, epochToDateInput, presetSpan, rangeRequest, zoomRange } from '../../src-renderer/lib/ranges.js';
import { parseRoute, routeHash } from '../../src-renderer/lib/route.js';
import { changesOf, draftOf } from '../../src-renderer/lib/settings-form.js';

const at = (iso: string): number => Date.parse(iso) / 1000;

describe('zoom', () => {
  it.each([
    ['halves around the middle', { since: 0, until: 3600 }, 0.5, 10_000, { since: 900, until: 2700 }],
    ['doubles, held at now', { since: 3000, until: 6600 }, 2, 8000, { since: 800, until: 8000 }],
    ['never below ten minutes', { since: 0, until: 700 }, 0.5, 10_000, { since: 50, until: 650 }],
    ['held at the floor', { since: 100, until: 3700 }, 2, 100_000, { since: 0, until: 7200 }],
    ['no wider than all there is', { since: 0, until: 1000 }, 1000, 5000, { since: 0, until: 5000 }],
  ])('%s', (_name, range, factor, now, expected) => {
    expect(zoomRange(range, factor, now)).toEqual(expected);
  });

  it('orders a drag and ignores a click', () => {
    expect(dragSelection(200, 100)).toEqual({ since: 100, until: 200 });
    expect(dragSelection(100, 130)).toBeNull();
  });

  it('turns a view into request fields', () => {
    expect(rangeRequest({ kind: 'preset', preset: '7d' })).toEqual({ range: '7d' });
    expect(rangeRequest({ kind: 'custom', since: 1, until: 2 })).toEqual({ since: 1, until: 2 });
    expect(presetSpan('90d')).toBe(90 * 86_400);
    expect(presetSpan('today')).toBeNull();
  });
});

describe('dates of a date input', () => {
  it.each([
    ['2025-03-30', at('2025-03-29T23:00:00Z')],
    ['2025-07-01', at('2025-06-30T22:00:00Z')],
    ['2024-02-29', at('2024-02-28T23:00:00Z')],
    ['2025-02-29', null],
    ['2025-02-30', null],
    ['2025-3-1', null],
    ['', null],
  ])('%j starts at %s', (text, epoch) => {
    expect(dateInputToEpoch(text)).toBe(epoch);
  });

  it('names the local day of an instant', () => {
    expect(epochToDateInput(at('2025-03-29T23:30:00Z'))).toBe('2025-03-30');
    expect(epochToDateInput(at('2025-03-29T22:59:59Z'))).toBe('2025-03-29');
  });

  it.each([
    ['spring forward: 23 hours', '2025-03-30', '2025-03-30', at('2025-03-29T23:00:00Z'), at('2025-03-30T22:00:00Z')],
    ['fall back: 25 hours', '2025-10-26', '2025-10-26', at('2025-10-25T22:00:00Z'), at('2025-10-26T23:00:00Z')],
    ['a week', '2025-11-03', '2025-11-09', at('2025-11-02T23:00:00Z'), at('2025-11-09T23:00:00Z')],
  ])('whole days, %s', (_name, from, to, since, until) => {
    expect(dayRange(from, to)).toEqual({ ok: true, since, until });
  });

  it('refuses a backwards or incomplete pick', () => {
    expect(dayRange('2025-11-09', '2025-11-03')).toEqual({ ok: false, message: 'the end date is before the start date' });
    expect(dayRange('', '2025-11-03')).toEqual({ ok: false, message: 'pick both dates' });
  });
});

describe('hash routes', () => {
  it.each([
    ['#/apps?app=Slack&range=30d', { page: 'apps', params: { app: 'Slack', range: '30d' } }],
    ['#/settings/', { page: 'settings', params: {} }],
    ['#popover', { page: 'popover', params: {} }],
    ['#/nowhere', { page: 'overview', params: {} }],
    ['', { page: 'overview', params: {} }],
  ])('%j', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('writes a route back, leaving out empty parameters', () => {
    expect(routeHash('apps', { app: 'A B', range: undefined, q: '' })).toBe('#/apps?app=A+B');
    expect(routeHash('history')).toBe('#/history');
    expect(parseRoute(routeHash('domains', { domain: 'bbc.co.uk' }))).toEqual({ page: 'domains', params: { domain: 'bbc.co.uk' } });
  });
});

describe('settings form', () => {
  const config: ConfigValues = {
    sampling_interval_seconds: 5,
    web_server_port: 7500,
    log_level: 'info',
    data_retention_days_raw: 7,
    data_retention_days_hourly: 90,
    capture_method: 'auto',
    nettop_per_connection: true,
    domain_rollup: true,
    high_usage_threshold_gb: 10,
    enable_notifications: true,
  };
  const draft = draftOf(config);

  it('starts from the settings and sends nothing unchanged', () => {
    expect(draft.sampling_interval_seconds).toBe('5');
    expect(draft.enable_notifications).toBe(true);
    expect(changesOf(config, draft)).toEqual({ ok: true, patch: {} });
  });

  it('sends only what changed, as numbers and booleans', () => {
    expect(changesOf(config, { ...draft, sampling_interval_seconds: ' 10 ', high_usage_threshold_gb: '0.5', enable_notifications: false, log_level: 'debug' })).toEqual({
      ok: true,
      patch: { sampling_interval_seconds: 10, high_usage_threshold_gb: 0.5, enable_notifications: false, log_level: 'debug' },
    });
  });

  it.each([
    ['sampling_interval_seconds', '0', 'between 1 and 3600'],
    ['sampling_interval_seconds', '2.5', 'a whole number'],
    ['data_retention_days_raw', 'abc', 'enter a number'],
    ['web_server_port', '', 'enter a number'],
    ['log_level', 'verbose', 'one of debug, info, warn, error'],
  ] as const)('refuses %s = %j: %s', (key, value, problem) => {
    expect(changesOf(config, { ...draft, [key]: value })).toEqual({ ok: false, problems: { [key]: problem } });
  });
});

describe('CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['-5', "'-5"],
    ['@cmd', "'@cmd"],
    [-5, '-5'],
    [1.25, '1.25'],
    [Number.NaN, ''],
    [null, ''],
  ])('cell %j is %s', (value, text) => {
    expect(csvCell(value)).toBe(text);
  });

  it('ends every line with CRLF and quotes line breaks', () => {
    expect(toCsv(['a', 'b'], [['x', 1], [null, 'y\nz']])).toBe('a,b\r\nx,1\r\n,"y\nz"\r\n');
  });
});
