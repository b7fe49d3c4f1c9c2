// The transport-independent handlers over small in-memory parts: validation at the boundary, errors as
// values, gap filling of timelines and heatmaps, summaries, export, pause, browser reports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigValues } from '../../src-shared/contract/settings.js';
import type { PauseState, ResolvedRange, TimelinePoint } from '../../src-shared/contract/types.js';
import { ApiError } from '../../src-main/api/errors.js';
import { createApiHandlers } from '../../src-main/api/handlers.js';
import type { ApiDeps } from '../../src-main/api/ports.js';
import { dataFolderSize, type BrowserReportRow } from '../../src-main/engine/store/index.js';
import { createLiveFeed } from '../../src-main/api/live.js';
import { ConfigError, DEFAULT_CONFIG } from '../../src-main/engine/config.js';

const NOW_S = 1_800_000_000; // 2027-01-15T08:00:00Z
const dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-api-handlers-'));
writeFileSync(path.join(dir, 'a.bin'), Buffer.alloc(1234));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Harness {
  deps: ApiDeps;
  reports: BrowserReportRow[];
  timelineCalls: Array<{ range: ResolvedRange; bucketS: number; app: string | null }>;
  purged: ResolvedRange[];
}

function harness(overrides: Partial<ApiDeps> = {}, rows: TimelinePoint[] = []): Harness {
  const reports: BrowserReportRow[] = [];
  const timelineCalls: Harness['timelineCalls'] = [];
  const purged: ResolvedRange[] = [];
  let pause: PauseState = { paused: false, until: null };
  let config: ConfigValues = { ...DEFAULT_CONFIG };
  const deps: ApiDeps = {
    now: () => NOW_S * 1000,
    dataDir: dir,
    queries: {
      totals: (range) => ({ bytesIn: range.until - range.since, bytesOut: 1 }),
      apps: (_range, limit) => [{ app: '=cmd|calc', bytesIn: 5, bytesOut: 6, lastSeen: 1500 }, { app: 'Firefox, "ESR"', bytesIn: 3, bytesOut: 4, lastSeen: null }].slice(0, limit),
      processes: () => [],
      domains: () => [{ domain: 'netflix.com', bytesIn: 9, bytesOut: 1 }],
      timeline: (range, bucketS, app) => {
        timelineCalls.push({ range, bucketS, app });
        return rows;
      },
      heatmap: () => [
        { weekday: 0, hour: 0, bytesIn: 1, bytesOut: 2 },
        { weekday: 6, hour: 23, bytesIn: 3, bytesOut: 4 },
        { weekday: 6, hour: 23, bytesIn: 10, bytesOut: 10 },
      ],
      purge: (range) => {
        purged.push(range);
        // Like the store, widens a range whose edges only coarser rows still hold.
        return { since: range.since - 100, until: range.until, deletedRows: 5 };
      },
    },
    capture: {
      state: () => pause,
      pause: (until) => (pause = { paused: true, until }),
      resume: () => (pause = { paused: false, until: null }),
    },
    config: {
      get: () => config,
      set: (patch) => {
        if (patch.sampling_interval_seconds === 0) throw new ConfigError([{ key: 'sampling_interval_seconds', message: 'sampling_interval_seconds: too small' }]);
        config = { ...config, ...(patch as Partial<ConfigValues>) };
        return config;
      },
    },
    status: {
      version: '0.1.0',
      startedAt: NOW_S - 90,
      samplerHealth: () => ({ sampler: 'linux', state: 'running', reason: null, restarts: 0, malformedLines: 0, lastSampleAt: null, details: {} }),
      storageHealth: () => ({ ok: true, error: null, pendingRows: 0, recoveredTo: null }),
      lastSampleAt: () => NOW_S - 5,
      dataBytes: () => dataFolderSize(dir).totalBytes,
    },
    live: createLiveFeed(),
    browserReports: { record: (r) => reports.push(r) },
    ...overrides,
  };
  return { deps, reports, timelineCalls, purged };
}

describe('validation at the boundary', () => {
  const { deps } = harness();
  const api = createApiHandlers(deps);

  it.each([
    ['apps:list', { limit: 0 }, /limit: Too small/i],
    ['apps:list', { limit: '10abc' }, /limit: expected a whole number/],
    ['apps:list', { since: '' }, /since: expected a whole number/],
    ['apps:list', { since: '-5' }, /since: expected a whole number/],
    ['apps:list', { since: 100, until: 50 }, /until must be after since/],
    ['apps:list', { range: '24h', since: 1 }, /either range or since\/until/],
    ['apps:list', { range: '2y' }, /range:/],
    ['apps:list', { sort: 'x' }, /Unrecognized key/],
    ['apps:processes', {}, /app:/],
    ['usage:timeline', { bucket: 7 }, /bucket must be auto or one of/],
    ['config:set', {}, /at least one setting/],
    ['config:set', { not_a_setting: 1 }, /not_a_setting/],
    ['config:set', { log_level: { nested: true } }, /log_level/],
    ['capture:pause', { minutes: 99_999 }, /minutes: Too big/i],
    ['data:purge', { since: 10 }, /until:/],
    ['data:export', { format: 'xml' }, /format:/],
  ] as const)('%s %j is refused', async (channel, request, message) => {
    const result = await api.invoke(channel, request);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('bad-request');
      expect(result.error.message).toMatch(message);
    }
  });

  it('refuses a channel that does not exist', async () => {
    const result = await api.invoke('apps:drop' as 'apps:list', {});
    expect(result).toEqual({ ok: false, error: { code: 'not-found', message: 'no channel "apps:drop"' } });
  });

  it('accepts numbers as decimal strings, as a query string carries them', async () => {
    const result = await api.invoke('apps:list', { since: '1000', until: '2000', limit: '1' });
    expect(result).toEqual({ ok: true, value: { since: 1000, until: 2000, approximate: false, apps: [{ app: '=cmd|calc', bytesIn: 5, bytesOut: 6, lastSeen: 1500 }] } });
  });
});

describe('errors as values', () => {
  it('turns a ConfigError into bad-request naming the key', async () => {
    const api = createApiHandlers(harness().deps);
    const result = await api.invoke('config:set', { sampling_interval_seconds: 0 });
    expect(result).toEqual({ ok: false, error: { code: 'bad-request', message: 'sampling_interval_seconds: too small' } });
  });

  it('passes an ApiError code through', async () => {
    const h = harness();
    h.deps.queries.domains = () => {
      throw new ApiError('unavailable', 'database is busy');
    };
    const result = await createApiHandlers(h.deps).invoke('domains:list', {});
    expect(result).toEqual({ ok: false, error: { code: 'unavailable', message: 'database is busy' } });
  });

  it('hides an unexpected error behind a generic message', async () => {
    const h = harness();
    h.deps.queries.apps = () => {
      throw new Error('SQLITE_ERROR near "SELEC": /home/user/.netmonitor/network_monitor.db');
    };
    const result = await createApiHandlers(h.deps).invoke('apps:list', {});
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'apps:list failed; see the log for details' } });
  });
});

describe('answers', () => {
  it('fills a timeline: every bucket present, rows summed into the bucket that holds them', async () => {
    // 1 h with 5-min buckets: 12 buckets from 07:00 to 07:55.
    const rows = [
      { ts: NOW_S - 3600, bytesIn: 10, bytesOut: 1 },
      { ts: NOW_S - 3600 + 299, bytesIn: 5, bytesOut: 0 },
      { ts: NOW_S - 600, bytesIn: 7, bytesOut: 7 },
      { ts: NOW_S - 7200, bytesIn: 1000, bytesOut: 1000 },
    ];
    const h = harness({}, rows);
    const result = await createApiHandlers(h.deps).invoke('usage:timeline', { range: '1h', bucket: '300' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const t = result.value;
    expect(t.bucketS).toBe(300);
    expect(t.points.map((p) => p.ts)).toEqual(Array.from({ length: 12 }, (_, i) => NOW_S - 3600 + i * 300));
    expect(t.points[0]).toEqual({ ts: NOW_S - 3600, bytesIn: 15, bytesOut: 1 });
    expect(t.points[10]).toEqual({ ts: NOW_S - 600, bytesIn: 7, bytesOut: 7 });
    // The row before the range is not counted anywhere.
    expect(t.points.reduce((s, p) => s + p.bytesIn, 0)).toBe(22);
    expect(h.timelineCalls).toEqual([{ range: { since: NOW_S - 3600, until: NOW_S }, bucketS: 300, app: null }]);
  });

  it('picks the bucket by itself and passes the app through', async () => {
    const h = harness();
    const result = await createApiHandlers(h.deps).invoke('apps:timeline', { range: '7d', app: 'Firefox' });
    expect(result.ok && result.value.bucketS).toBe(3600);
    expect(result.ok && result.value.points.length).toBe(168);
    expect(h.timelineCalls[0]?.app).toBe('Firefox');
  });

  it('refuses a bucket too fine for the range', async () => {
    const result = await createApiHandlers(harness().deps).invoke('usage:timeline', { range: '365d', bucket: 60 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/more than 10000 points/);
  });

  it('fills the heatmap to 168 cells, Monday 00:00 first', async () => {
    const result = await createApiHandlers(harness().deps).invoke('usage:heatmap', {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.cells).toHaveLength(168);
    expect(result.value.cells[0]).toEqual({ weekday: 0, hour: 0, bytesIn: 1, bytesOut: 2 });
    expect(result.value.cells[167]).toEqual({ weekday: 6, hour: 23, bytesIn: 13, bytesOut: 14 });
    expect(result.value.cells[1]).toEqual({ weekday: 0, hour: 1, bytesIn: 0, bytesOut: 0 });
  });

  it('summarises today, week and month up to now', async () => {
    const result = await createApiHandlers(harness().deps).invoke('usage:summary', {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const period of [result.value.today, result.value.week, result.value.month]) {
      expect(period.until).toBe(NOW_S);
      // The fake totals report the range's length as bytesIn.
      expect(period.bytesIn).toBe(NOW_S - period.since);
    }
    expect(result.value.today.since).toBeGreaterThanOrEqual(result.value.week.since);
    expect(NOW_S - result.value.today.since).toBeLessThan(86_400);
  });

  it('marks the buckets that hold an estimated row, and the timeline as a whole', async () => {
    // 1 h in 5-min buckets from 07:00. Bucket 0 holds a measured row and an estimated one; bucket 2 an
    // estimated row of zero bytes (still an estimate); bucket 5 only measured rows.
    const rows: TimelinePoint[] = [
      { ts: NOW_S - 3600, bytesIn: 10, bytesOut: 1 },
      { ts: NOW_S - 3600 + 60, bytesIn: 4, bytesOut: 2, approximate: true },
      { ts: NOW_S - 3600 + 600, bytesIn: 0, bytesOut: 0, approximate: true },
      { ts: NOW_S - 3600 + 1500, bytesIn: 3, bytesOut: 3, approximate: false },
    ];
    const result = await createApiHandlers(harness({}, rows).deps).invoke('usage:timeline', { range: '1h', bucket: 300 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.approximate).toBe(true);
    expect(result.value.points[0]).toEqual({ ts: NOW_S - 3600, bytesIn: 14, bytesOut: 3, approximate: true });
    expect(result.value.points[1]).toEqual({ ts: NOW_S - 3300, bytesIn: 0, bytesOut: 0 });
    expect(result.value.points[2]).toEqual({ ts: NOW_S - 3000, bytesIn: 0, bytesOut: 0, approximate: true });
    expect(result.value.points[5]).toEqual({ ts: NOW_S - 2100, bytesIn: 3, bytesOut: 3 });
    expect(result.value.points.filter((p) => p.approximate === true).map((p) => p.ts)).toEqual([NOW_S - 3600, NOW_S - 3000]);
  });

  it('says a timeline of measured rows only is not approximate', async () => {
    const result = await createApiHandlers(harness({}, [{ ts: NOW_S - 600, bytesIn: 1, bytesOut: 1 }]).deps).invoke('usage:timeline', { range: '1h' });
    expect(result.ok && result.value.approximate).toBe(false);
    expect(result.ok && result.value.points.some((p) => 'approximate' in p)).toBe(false);
  });

  it('carries the query layer\'s approximate flag into apps, heatmap and each period of the summary', async () => {
    const h = harness();
    h.deps.queries.apps = () => ({ rows: [{ app: 'curl', bytesIn: 8, bytesOut: 2, lastSeen: 1900 }], approximate: true });
    h.deps.queries.heatmap = () => ({ rows: [{ weekday: 2, hour: 5, bytesIn: 6, bytesOut: 0 }], approximate: true });
    // In this fake only ranges starting over 7 days ago are estimates: of the periods, only the month
    // (from 1 January, 14 days back) does; the week (from Monday the 11th) and today do not, in any zone.
    h.deps.queries.totals = (range) => ({ bytesIn: 1, bytesOut: 1, ...(range.since < NOW_S - 7 * 86_400 ? { approximate: true } : {}) });
    const api = createApiHandlers(h.deps);
    const apps = await api.invoke('apps:list', { since: 1000, until: 2000 });
    expect(apps).toEqual({ ok: true, value: { since: 1000, until: 2000, approximate: true, apps: [{ app: 'curl', bytesIn: 8, bytesOut: 2, lastSeen: 1900 }] } });
    const heat = await api.invoke('usage:heatmap', { since: 1000, until: 2000 });
    expect(heat.ok && heat.value.approximate).toBe(true);
    expect(heat.ok && heat.value.cells[2 * 24 + 5]).toEqual({ weekday: 2, hour: 5, bytesIn: 6, bytesOut: 0 });
    const summary = await api.invoke('usage:summary', {});
    expect(summary.ok).toBe(true);
    if (!summary.ok) return;
    expect(summary.value.today.approximate).toBe(false);
    expect(summary.value.week.approximate).toBe(false);
    expect(summary.value.month.approximate).toBe(true);
    expect(summary.value.month).toEqual({ since: summary.value.month.since, until: NOW_S, bytesIn: 1, bytesOut: 1, approximate: true });
  });

  it('reads a bare array from the query layer as measured', async () => {
    const heat = await createApiHandlers(harness().deps).invoke('usage:heatmap', {});
    expect(heat.ok && heat.value.approximate).toBe(false);
    const apps = await createApiHandlers(harness().deps).invoke('apps:list', {});
    expect(apps.ok && apps.value.approximate).toBe(false);
  });

  it('reports status with the data folder size', async () => {
    const result = await createApiHandlers(harness().deps).invoke('status:get', {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ version: '0.1.0', uptimeS: 90, dataBytes: 1234, lastSampleAt: NOW_S - 5, pause: { paused: false, until: null } });
  });

  it('pauses for some minutes, then resumes', async () => {
    const api = createApiHandlers(harness().deps);
    expect(await api.invoke('capture:pause', { minutes: 30 })).toEqual({ ok: true, value: { paused: true, until: NOW_S + 1800 } });
    expect(await api.invoke('capture:resume', {})).toEqual({ ok: true, value: { paused: false, until: null } });
  });

  // The browser reports of the widened range go in the store's same transaction: tests/integration/store-purge.test.ts.
  it('purges a range through the engine and answers the range it widened to', async () => {
    const h = harness();
    const result = await createApiHandlers(h.deps).invoke('data:purge', { since: 100, until: 200 });
    expect(result).toEqual({ ok: true, value: { since: 0, until: 200, deletedRows: 5 } });
    expect(h.purged).toEqual([{ since: 100, until: 200 }]);
  });

  it('exports CSV with quoting and formula cells neutralised', async () => {
    const result = await createApiHandlers(harness().deps).invoke('data:export', { format: 'csv', since: 0, until: 86_400 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.filename).toBe('netmon-app-1970-01-01-1970-01-02.csv');
    expect(result.value.body).toBe('app,bytesIn,bytesOut,approximate\r\n\'=cmd|calc,5,6,false\r\n"Firefox, ""ESR""",3,4,false\r\n');
  });

  it('says in the export which figures are estimates: the range spread from coarser totals, the part the active tab placed', async () => {
    const h = harness();
    h.deps.queries.apps = () => ({ rows: [{ app: 'Firefox', bytesIn: 3, bytesOut: 4, lastSeen: null }], approximate: true });
    h.deps.queries.domains = () => ({
      rows: [
        { domain: 'netflix.com', bytesIn: 9, bytesOut: 1, estimated: { bytesIn: 4, bytesOut: 0 } },
        { domain: 'bbc.co.uk', bytesIn: 5, bytesOut: 2 },
      ],
      approximate: true,
    });
    const api = createApiHandlers(h.deps);
    const apps = await api.invoke('data:export', { format: 'csv', since: 0, until: 10 });
    expect(apps.ok && apps.value.body).toBe('app,bytesIn,bytesOut,approximate\r\nFirefox,3,4,true\r\n');
    const csv = await api.invoke('data:export', { format: 'csv', by: 'domain', since: 0, until: 10 });
    expect(csv.ok && csv.value.body).toBe(
      'domain,bytesIn,bytesOut,estimatedBytesIn,estimatedBytesOut,approximate\r\nnetflix.com,9,1,4,0,true\r\nbbc.co.uk,5,2,0,0,true\r\n',
    );
    const json = await api.invoke('data:export', { format: 'json', by: 'domain', since: 0, until: 10 });
    expect(json.ok && JSON.parse(json.value.body)).toEqual({
      since: 0,
      until: 10,
      approximate: true,
      rows: [
        { domain: 'netflix.com', bytesIn: 9, bytesOut: 1, estimated: { bytesIn: 4, bytesOut: 0 }, approximate: true },
        { domain: 'bbc.co.uk', bytesIn: 5, bytesOut: 2, estimated: { bytesIn: 0, bytesOut: 0 }, approximate: true },
      ],
      // 9 + 5 in, 1 + 2 out; estimated 4 + 0 in.
      totals: { bytesIn: 14, bytesOut: 3, estimated: { bytesIn: 4, bytesOut: 0 } },
    });
    expect(await api.invoke('domains:list', { since: 0, until: 10 })).toMatchObject({ ok: true, value: { approximate: true } });
  });

  it('marks in an hourly export the buckets that hold a spread row, and only those', async () => {
    const h = harness({}, [
      { ts: 0, bytesIn: 10, bytesOut: 1, approximate: true },
      { ts: 3600, bytesIn: 20, bytesOut: 2 },
    ]);
    const result = await createApiHandlers(h.deps).invoke('data:export', { format: 'csv', by: 'hour', since: 0, until: 7200 });
    expect(result.ok && result.value.body).toBe('ts,bytesIn,bytesOut,approximate\r\n0,10,1,true\r\n3600,20,2,false\r\n');
  });

  it('exports JSON in the shape of `netmon report --json`', async () => {
    const result = await createApiHandlers(harness().deps).invoke('data:export', { format: 'json', by: 'domain', since: 0, until: 10 });
    expect(result.ok && JSON.parse(result.value.body)).toEqual({
      since: 0,
      until: 10,
      approximate: false,
      rows: [{ domain: 'netflix.com', bytesIn: 9, bytesOut: 1, estimated: { bytesIn: 0, bytesOut: 0 }, approximate: false }],
      totals: { bytesIn: 9, bytesOut: 1, estimated: { bytesIn: 0, bytesOut: 0 } },
    });
  });

  it('returns the latest live rate, null before the first', async () => {
    const h = harness();
    const api = createApiHandlers(h.deps);
    expect(await api.invoke('usage:live', {})).toEqual({ ok: true, value: null });
    const rate = { ts: NOW_S, intervalS: 5, bytesInPerS: 100, bytesOutPerS: 10, topApps: [] };
    (h.deps.live as ReturnType<typeof createLiveFeed>).publish({ event: 'rate', data: rate });
    expect(await api.invoke('usage:live', {})).toEqual({ ok: true, value: rate });
  });
});

describe('browser reports', () => {
  it('stores the reduced hostname and registrable domain', async () => {
    const h = harness();
    const result = await createApiHandlers(h.deps).reportActiveTab({ domain: 'WWW.BBC.co.uk', timestamp: NOW_S - 3, browser: 'Zen', tabId: 7 });
    expect(result).toEqual({ ok: true, value: { stored: true, id: 1, hostname: 'www.bbc.co.uk', domain: 'bbc.co.uk' } });
    expect(h.reports).toEqual([{ receivedAt: NOW_S, ts: NOW_S - 3, hostname: 'www.bbc.co.uk', domain: 'bbc.co.uk', browser: 'zen' }]);
  });

  it.each([
    [{ domain: 'https://netflix.com/watch', timestamp: NOW_S, browser: 'zen' }, /not a URL/],
    [{ domain: 'netflix.com', timestamp: NOW_S * 1000, browser: 'zen' }, /timestamp: Too big/i],
    [{ domain: 'netflix.com', timestamp: NOW_S + 3600, browser: 'zen' }, /in the future/],
    [{ domain: 'netflix.com', timestamp: NOW_S, browser: '<script>' }, /browser is a short name/],
    [{ domain: 'netflix.com', browser: 'zen' }, /timestamp:/],
    [[1, 2, 3], /request:/],
    ['netflix.com', /request:/],
  ])('refuses %j', async (body, message) => {
    const h = harness();
    const result = await createApiHandlers(h.deps).reportActiveTab(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('bad-request');
      expect(result.error.message).toMatch(message);
    }
    expect(h.reports).toEqual([]);
  });

  it('records nothing while capture is paused', async () => {
    const h = harness();
    const api = createApiHandlers(h.deps);
    await api.invoke('capture:pause', {});
    const result = await api.reportActiveTab({ domain: 'netflix.com', timestamp: NOW_S, browser: 'zen' });
    expect(result).toEqual({ ok: true, value: { stored: false, id: null, hostname: 'netflix.com', domain: 'netflix.com' } });
    expect(h.reports).toEqual([]);
  });
});
