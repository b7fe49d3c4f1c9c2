// The renderer's selectors: pie slices (unattributed never folded away), table rows, sorting,
// filtering, weekly and monthly sums across DST, the heatmap grid, the domain rollup. Fixtures are
// small and every expected number below is summed by hand. TZ is pinned to Europe/Berlin.
import { describe, expect, it } from 'vitest';
import type { AppTotal, DomainTotal, TimelinePoint } from '../../src-shared/contract/types.js';
import {
  approximateSpans,
  isApproximate,
  appRows,
  appsForDomain,
  daysInMonth,
  filterAppRows,
  hasTraffic,
  heatmapGrid,
  localMonthStart,
  localWeekStart,
  monthRows,
  monthlySums,
  peakOf,
  pieSlices,
  processSummary,
  projectMonth,
  rollupDomains,
  sortAppRows,
  UNATTRIBUTED,
  weeklySums,
} from '../../src-renderer/lib/selectors.js';

const at = (iso: string): number => Date.parse(iso) / 1000;

// Unsorted on purpose, the unattributed remainder in the middle. Grand total 6370 bytes.
const APPS: AppTotal[] = [
  { app: 'Kilo', bytesIn: 100, bytesOut: 20 },
  { app: 'Alpha', bytesIn: 1000, bytesOut: 100 },
  { app: 'Bravo', bytesIn: 900, bytesOut: 0 },
  { app: UNATTRIBUTED, bytesIn: 400, bytesOut: 100 },
  { app: 'Charlie', bytesIn: 800, bytesOut: 50 },
  { app: 'Delta', bytesIn: 700, bytesOut: 0 },
  { app: 'Echo', bytesIn: 600, bytesOut: 0 },
  { app: 'Foxtrot', bytesIn: 500, bytesOut: 0 },
  { app: 'Golf', bytesIn: 400, bytesOut: 0 },
  { app: 'Hotel', bytesIn: 300, bytesOut: 0 },
  { app: 'India', bytesIn: 200, bytesOut: 0 },
  { app: 'Juliet', bytesIn: 150, bytesOut: 0 },
  { app: 'Lima', bytesIn: 50, bytesOut: 0 },
];
const GRAND = 6370;

describe('applications pie', () => {
  it('keeps the ten largest apps, sums the rest as Other and shows unattributed on its own', () => {
    const slices = pieSlices(APPS, 10);
    expect(slices.map((s) => [s.name, s.kind, s.bytesIn, s.bytesOut])).toEqual([
      ['Alpha', 'app', 1000, 100],
      ['Bravo', 'app', 900, 0],
      ['Charlie', 'app', 800, 50],
      ['Delta', 'app', 700, 0],
      ['Echo', 'app', 600, 0],
      ['Foxtrot', 'app', 500, 0],
      ['Golf', 'app', 400, 0],
      ['Hotel', 'app', 300, 0],
      ['India', 'app', 200, 0],
      ['Juliet', 'app', 150, 0],
      ['Other (2 apps)', 'other', 150, 20],
      ['Unattributed', 'unattributed', 400, 100],
    ]);
    expect(slices.find((s) => s.kind === 'unattributed')?.share).toBeCloseTo(500 / GRAND, 12);
    expect(slices.reduce((t, s) => t + s.share, 0)).toBeCloseTo(1, 12);
  });

  it('has no Other slice when every app fits, and no unattributed slice when there is none', () => {
    const few = APPS.filter((a) => ['Alpha', 'Bravo'].includes(a.app));
    expect(pieSlices(few, 10).map((s) => s.name)).toEqual(['Alpha', 'Bravo']);
  });

  it('shows unattributed even when it is the only traffic', () => {
    expect(pieSlices([{ app: UNATTRIBUTED, bytesIn: 5, bytesOut: 0 }]).map((s) => [s.name, s.share])).toEqual([['Unattributed', 1]]);
  });

  it('is empty for an empty or all-zero list', () => {
    expect(pieSlices([])).toEqual([]);
    expect(pieSlices([{ app: 'Quiet', bytesIn: 0, bytesOut: 0 }])).toEqual([]);
  });
});

describe('applications table', () => {
  const seen = new Map<string, number | null>([
    ['Alpha', 500],
    ['Bravo', 900],
    ['Charlie', null],
  ]);
  const rows = appRows(APPS.map((a) => ({ ...a, lastSeen: seen.get(a.app) ?? null })));

  it('derives totals, shares of the grand total and last-seen times', () => {
    const alpha = rows.find((r) => r.app === 'Alpha');
    expect(alpha).toMatchObject({ total: 1100, lastSeen: 500, unattributed: false });
    expect(alpha?.share).toBeCloseTo(1100 / GRAND, 12);
    expect(rows.find((r) => r.app === UNATTRIBUTED)).toMatchObject({ total: 500, unattributed: true, lastSeen: null });
  });

  it('sorts by a byte column, ties by name', () => {
    expect(sortAppRows(rows, 'bytesOut', 'desc').map((r) => r.app)).toEqual([
      UNATTRIBUTED,
      'Alpha',
      'Charlie',
      'Kilo',
      'Bravo',
      'Delta',
      'Echo',
      'Foxtrot',
      'Golf',
      'Hotel',
      'India',
      'Juliet',
      'Lima',
    ]);
    expect(sortAppRows(rows, 'total', 'asc').map((r) => r.app).slice(0, 3)).toEqual(['Lima', 'Kilo', 'Juliet']);
  });

  it('sorts by name ignoring case', () => {
    const mixed = appRows([
      { app: 'zoom.us', bytesIn: 1, bytesOut: 0 },
      { app: 'Zen', bytesIn: 1, bytesOut: 0 },
      { app: 'apsd', bytesIn: 1, bytesOut: 0 },
    ]);
    expect(sortAppRows(mixed, 'app', 'asc').map((r) => r.app)).toEqual(['apsd', 'Zen', 'zoom.us']);
    expect(sortAppRows(mixed, 'app', 'desc').map((r) => r.app)).toEqual(['zoom.us', 'Zen', 'apsd']);
  });

  it('puts unknown last-seen times last in either direction', () => {
    expect(sortAppRows(rows, 'lastSeen', 'desc').map((r) => r.app).slice(0, 4)).toEqual(['Bravo', 'Alpha', UNATTRIBUTED, 'Charlie']);
    expect(sortAppRows(rows, 'lastSeen', 'asc').map((r) => r.app).slice(0, 4)).toEqual(['Alpha', 'Bravo', UNATTRIBUTED, 'Charlie']);
  });

  it.each([
    ['', 13],
    ['  ', 13],
    ['ho te', 1],
    ['UNATTR', 1],
    ['o', 6], // Bravo, Echo, Foxtrot, Golf, Hotel, Kilo
    ['zzz', 0],
  ])('filter %j keeps %d rows', (query, count) => {
    expect(filterAppRows(rows, query)).toHaveLength(count);
  });

  it('does not reorder or change the rows it is given', () => {
    const before = rows.map((r) => r.app);
    sortAppRows(rows, 'app', 'asc');
    filterAppRows(rows, 'a');
    expect(rows.map((r) => r.app)).toEqual(before);
  });
});

describe('processes', () => {
  const procs = [
    { name: 'Slack', pid: 10, path: '/a', lastSeen: 100 },
    { name: 'Slack Helper', pid: 11, path: null, lastSeen: 300 },
    { name: 'Slack', pid: 12, path: '/a', lastSeen: 200 },
  ];
  it('finds the distinct names, pids and paths', () => {
    expect(processSummary(procs)).toEqual({ names: ['Slack', 'Slack Helper'], pids: 3, paths: ['/a'] });
  });
});

describe('weeks and months in local time', () => {
  // 27 Mar – 1 Apr 2025 in Berlin; DST began on Sunday 30 March, so Monday's midnight is 22:00 UTC.
  const midnights = [
    at('2025-03-26T23:00:00Z'),
    at('2025-03-27T23:00:00Z'),
    at('2025-03-28T23:00:00Z'),
    at('2025-03-29T23:00:00Z'),
    at('2025-03-30T22:00:00Z'),
    at('2025-03-31T22:00:00Z'),
  ];
  const daily: TimelinePoint[] = midnights.map((ts, i) => ({ ts, bytesIn: 10 * (i + 1), bytesOut: i + 1 }));

  it('finds the Monday and the first of the month across the DST change', () => {
    expect(localWeekStart(at('2025-03-31T10:00:00Z'))).toBe(at('2025-03-30T22:00:00Z'));
    expect(localWeekStart(at('2025-03-30T10:00:00Z'))).toBe(at('2025-03-23T23:00:00Z'));
    expect(localMonthStart(at('2025-04-01T10:00:00Z'))).toBe(at('2025-03-31T22:00:00Z'));
    expect(localMonthStart(at('2025-03-31T21:59:59Z'))).toBe(at('2025-02-28T23:00:00Z'));
  });

  it('sums days into weeks from Monday', () => {
    expect(weeklySums(daily)).toEqual([
      { start: at('2025-03-23T23:00:00Z'), bytesIn: 100, bytesOut: 10, points: 4 },
      { start: at('2025-03-30T22:00:00Z'), bytesIn: 110, bytesOut: 11, points: 2 },
    ]);
  });

  it('sums days into months and compares their daily averages', () => {
    expect(monthlySums(daily)).toEqual([
      { start: at('2025-02-28T23:00:00Z'), bytesIn: 150, bytesOut: 15, points: 5 },
      { start: at('2025-03-31T22:00:00Z'), bytesIn: 60, bytesOut: 6, points: 1 },
    ]);
    const rows = monthRows(daily);
    expect(rows.map((m) => [m.total, m.perDay, m.partial, m.change])).toEqual([
      [165, 33, true, null],
      [66, 66, true, 1],
    ]);
  });

  it.each([
    ['2024-02-01T12:00:00Z', 29],
    ['2025-02-01T12:00:00Z', 28],
    ['2025-03-01T12:00:00Z', 31],
    ['2025-04-01T12:00:00Z', 30],
  ])('the month of %s has %d days', (iso, days) => {
    expect(daysInMonth(localMonthStart(at(iso)))).toBe(days);
  });

  it('projects a month linearly, and not at all in its first hour or after it', () => {
    const start = at('2026-10-31T23:00:00Z'); // 1 Nov 2026, 00:00 CET; November has 30 days
    expect(projectMonth(100, start, at('2026-11-15T23:00:00Z'))).toBeCloseTo(200, 9);
    expect(projectMonth(100, start, start + 1800)).toBeNull();
    expect(projectMonth(100, start, at('2026-12-01T00:00:00Z'))).toBeNull();
  });
});

describe('heatmap grid', () => {
  it('fills all 168 cells and scales them against the busiest', () => {
    const grid = heatmapGrid([
      { weekday: 0, hour: 0, bytesIn: 10, bytesOut: 0 },
      { weekday: 6, hour: 23, bytesIn: 30, bytesOut: 10 },
    ]);
    expect(grid.max).toBe(40);
    expect(grid.rows).toHaveLength(7);
    expect(grid.rows.every((r) => r.cells.length === 24)).toBe(true);
    expect(grid.rows[0]?.cells[0]?.intensity).toBe(0.25);
    expect(grid.rows[6]?.cells[23]?.intensity).toBe(1);
    expect(grid.rows[3]?.cells[12]).toMatchObject({ total: 0, intensity: 0 });
  });

  it('is all zero (not NaN) without traffic', () => {
    const grid = heatmapGrid([]);
    expect(grid.max).toBe(0);
    expect(grid.rows.flatMap((r) => r.cells).every((c) => c.intensity === 0)).toBe(true);
  });
});

describe('domains', () => {
  // A stand-in for the Public Suffix List that knows one two-label suffix.
  const registrable = (host: string): string => host.split('.').slice(host.endsWith('.co.uk') ? -3 : -2).join('.');
  const domains: DomainTotal[] = [
    { domain: 'www.bbc.co.uk', bytesIn: 30, bytesOut: 0 },
    { domain: 'netflix.com', bytesIn: 50, bytesOut: 10 },
    { domain: 'example.org', bytesIn: 70, bytesOut: 0 },
    { domain: 'api.netflix.com', bytesIn: 100, bytesOut: 0 },
    { domain: 'bbc.co.uk', bytesIn: 5, bytesOut: 0 },
  ];

  it('groups hosts under their registrable domain, largest first', () => {
    const groups = rollupDomains(domains, registrable);
    expect(groups.map((g) => [g.domain, g.total, g.hosts.map((h) => h.domain)])).toEqual([
      ['netflix.com', 160, ['api.netflix.com', 'netflix.com']],
      ['example.org', 70, ['example.org']],
      ['bbc.co.uk', 35, ['www.bbc.co.uk', 'bbc.co.uk']],
    ]);
    expect(groups[0]).toMatchObject({ bytesIn: 150, bytesOut: 10 });
    expect(groups.every((g) => g.estimated.bytesIn === 0 && g.estimated.bytesOut === 0)).toBe(true);
  });

  it('sums the estimated part of a group from its hosts, so only a group with a guess in it gets the badge', () => {
    const groups = rollupDomains(
      [
        { domain: 'video.a.test', bytesIn: 100, bytesOut: 4, estimated: { bytesIn: 30, bytesOut: 1 } },
        { domain: 'cdn.a.test', bytesIn: 50, bytesOut: 0, estimated: { bytesIn: 12, bytesOut: 0 } },
        { domain: 'b.test', bytesIn: 10, bytesOut: 0 },
      ],
      (host) => host.split('.').slice(-2).join('.'),
    );
    expect(groups.map((g) => [g.domain, g.estimated])).toEqual([
      ['a.test', { bytesIn: 42, bytesOut: 1 }],
      ['b.test', { bytesIn: 0, bytesOut: 0 }],
    ]);
  });

  it('finds the apps that used a domain', () => {
    const perApp = [
      { app: 'Firefox', domains: [{ domain: 'netflix.com', bytesIn: 10, bytesOut: 1 }, { domain: 'example.org', bytesIn: 5, bytesOut: 0 }] },
      { app: 'Zen', domains: [{ domain: 'netflix.com', bytesIn: 20, bytesOut: 2 }] },
      { app: 'Safari', domains: [{ domain: 'bbc.co.uk', bytesIn: 1, bytesOut: 0 }] },
    ];
    expect(appsForDomain(perApp, 'netflix.com')).toEqual([
      { app: 'Zen', bytesIn: 20, bytesOut: 2, total: 22 },
      { app: 'Firefox', bytesIn: 10, bytesOut: 1, total: 11 },
    ]);
    expect(appsForDomain(perApp, 'nowhere.test')).toEqual([]);
  });
});

describe('timelines', () => {
  it('tells a quiet timeline from one with traffic and finds its peak', () => {
    const points = [
      { ts: 0, bytesIn: 0, bytesOut: 0 },
      { ts: 60, bytesIn: 5, bytesOut: 5 },
      { ts: 120, bytesIn: 9, bytesOut: 0 },
    ];
    expect(hasTraffic(points)).toBe(true);
    expect(hasTraffic(points.slice(0, 1))).toBe(false);
    expect(peakOf(points)?.ts).toBe(60);
    expect(peakOf(points.slice(0, 1))).toBeNull();
  });
});

describe('estimate marker', () => {
  const pt = (ts: number, approximate?: boolean): TimelinePoint => (approximate === undefined ? { ts, bytesIn: 1, bytesOut: 1 } : { ts, bytesIn: 1, bytesOut: 1, approximate });

  it.each([
    ['nothing yet', null, false],
    ['a measured answer', { approximate: false, points: [pt(0), pt(60, false)] }, false],
    ['the range flagged', { approximate: true }, true],
    ['one point flagged, the range not (a page-assembled series)', { points: [pt(0), pt(60, true)] }, true],
  ] as const)('%s → %s', (_name, answer, expected) => {
    expect(isApproximate(answer)).toBe(expected);
  });

  it('merges consecutive estimated buckets into spans to shade', () => {
    // Hourly buckets at 0, 1, 2, 4, 5 h; estimated: 0, 1, 4 h → [0, 2 h) and [4 h, 5 h).
    const points = [pt(0, true), pt(3600, true), pt(7200), pt(14_400, true), pt(18_000, false)];
    expect(approximateSpans(points, 3600)).toEqual([
      { since: 0, until: 7200 },
      { since: 14_400, until: 18_000 },
    ]);
  });

  it('keeps a run of daily buckets across a 23-hour DST day', () => {
    // Day 1 starts at 0 and lasts 23 h, so day 2 starts at 82 800; 86 400 is only the nominal width.
    expect(approximateSpans([pt(0, true), pt(82_800, true)], 86_400)).toEqual([{ since: 0, until: 82_800 + 86_400 }]);
  });

  it('gives no span for a measured series', () => {
    expect(approximateSpans([pt(0), pt(60, false)], 60)).toEqual([]);
  });
});
