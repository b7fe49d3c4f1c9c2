// The HTTP API doing its job, over real SQLite and real sockets: queries answer from seeded rows
// (expected values worked out by hand from the seed), commands change what they should, the
// extension's reports land in their table, the live feed streams, /metrics parses, the server binds
// loopback only and reports a taken port as such.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { UNATTRIBUTED, type AppUsage, type ProcessSeen } from '../../src-main/engine/types.js';
import { createHttpClient } from '../../src-renderer/api/http-client.js';
import { createTokenStore } from '../../src-renderer/api/pairing.js';
import { createApiHandlers } from '../../src-main/api/handlers.js';
import { sideConnection } from '../helpers/side-connection.js';
import { PortInUseError, startHttpServer } from '../../src-main/http/server.js';
import { send, startFixture, type Fixture } from '../helpers/http-fixture.js';

interface ParsedFamily {
  name: string;
  type: string;
  metrics: Array<{ value: string; labels?: Record<string, string> }>;
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

const EXT = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const nowS = Math.floor(Date.now() / 1000);
// An epoch hour three hours back: the seed lies in [H, H + 2 h).
const H = Math.floor(nowS / 3600) * 3600 - 3 * 3600;
const seed: AppUsage[] = [
  { ts: H + 60, durationS: 5, app: 'Firefox', bytesIn: 1000, bytesOut: 100 },
  { ts: H + 120, durationS: 5, app: 'Firefox', bytesIn: 2000, bytesOut: 200 },
  { ts: H + 60, durationS: 5, app: UNATTRIBUTED, bytesIn: 10, bytesOut: 1 },
  { ts: H + 3605, durationS: 5, app: 'Slack', bytesIn: 500, bytesOut: 50 },
];
const processes: ProcessSeen[] = [
  { app: 'Firefox', name: 'firefox', pid: 4242, path: '/usr/lib/firefox/firefox', ts: H + 120 },
  { app: 'Firefox', name: 'Web Content', pid: 4300, path: null, ts: H + 60 },
];

let fx: Fixture;
let staticRoot: string;

beforeAll(async () => {
  staticRoot = mkdtempSync(path.join(os.tmpdir(), 'netmon-www-'));
  writeFileSync(path.join(staticRoot, 'index.html'), '<!doctype html><title>netmon</title>');
  fx = await startFixture({ seed, seedProcesses: processes, staticDir: staticRoot, heartbeatMs: 50, maxLiveClients: 2 });
});

afterAll(async () => {
  await fx.close();
  rmSync(staticRoot, { recursive: true, force: true });
});

const json = { 'content-type': 'application/json' };
const get = async (p: string, headers: Record<string, string> = {}): Promise<unknown> => {
  const reply = await send(fx.server.port, { method: 'GET', path: p, headers: { 'x-netmon-token': fx.token, ...headers } });
  expect(reply.status).toBe(200);
  return (reply.json() as { ok: true; value: unknown }).value;
};
const post = async (p: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; value: unknown; headers: http.IncomingHttpHeaders }> => {
  const reply = await send(fx.server.port, { method: 'POST', path: p, headers: { ...json, 'x-netmon-token': fx.token, ...headers }, body: JSON.stringify(body) });
  const parsed = reply.json() as { ok: boolean; value?: unknown; error?: unknown };
  return { status: reply.status, value: parsed.ok ? parsed.value : parsed.error, headers: reply.headers };
};

describe('queries', () => {
  it('lists applications by total, largest first, each with when a process of it was last seen', async () => {
    const value = await get(`/api/v1/apps:list?since=${H}&until=${H + 7200}`);
    expect(value).toEqual({
      since: H,
      until: H + 7200,
      // Every row of the fixture is raw: nothing is spread from a coarser tier.
      approximate: false,
      // Firefox's processes were seen last at H + 120 (firefox); no process of Slack was recorded.
      apps: [
        { app: 'Firefox', bytesIn: 3000, bytesOut: 300, lastSeen: H + 120 },
        { app: 'Slack', bytesIn: 500, bytesOut: 50, lastSeen: null },
        { app: UNATTRIBUTED, bytesIn: 10, bytesOut: 1, lastSeen: null },
      ],
    });
  });

  it('gives the same last-seen time as the app\'s own processes list', async () => {
    const list = (await get(`/api/v1/apps:list?since=${H}&until=${H + 7200}`)) as { apps: Array<{ app: string; lastSeen: number | null }> };
    const procs = (await get(`/api/v1/apps:processes?since=${H}&until=${H + 7200}&app=Firefox`)) as { processes: Array<{ lastSeen: number }> };
    expect(list.apps.find((a) => a.app === 'Firefox')?.lastSeen).toBe(Math.max(...procs.processes.map((p) => p.lastSeen)));
  });

  it('honours a limit', async () => {
    const value = (await get(`/api/v1/apps:list?since=${H}&until=${H + 7200}&limit=1`)) as { apps: unknown[] };
    expect(value.apps).toEqual([{ app: 'Firefox', bytesIn: 3000, bytesOut: 300, lastSeen: H + 120 }]);
  });

  it('gives a timeline in hourly buckets', async () => {
    const value = await get(`/api/v1/usage:timeline?since=${H}&until=${H + 7200}&bucket=3600`);
    expect(value).toEqual({
      since: H,
      until: H + 7200,
      approximate: false,
      bucketS: 3600,
      app: null,
      points: [
        { ts: H, bytesIn: 3010, bytesOut: 301 },
        { ts: H + 3600, bytesIn: 500, bytesOut: 50 },
      ],
      // No gap recorded in the range.
      gaps: [],
    });
  });

  it("gives one app's timeline in 5-minute buckets", async () => {
    const value = (await get(`/api/v1/apps:timeline?app=Firefox&since=${H}&until=${H + 3600}&bucket=300`)) as { points: Array<{ ts: number; bytesIn: number }> };
    expect(value.points).toHaveLength(12);
    expect(value.points[0]).toEqual({ ts: H, bytesIn: 3000, bytesOut: 300 });
    expect(value.points.slice(1).every((p) => p.bytesIn === 0)).toBe(true);
  });

  it('puts the seed into the right hour-of-week cells', async () => {
    const value = (await get(`/api/v1/usage:heatmap?since=${H}&until=${H + 7200}`)) as { cells: Array<{ weekday: number; hour: number; bytesIn: number; bytesOut: number }> };
    expect(value.cells).toHaveLength(168);
    const cellOf = (t: number): { weekday: number; hour: number } => {
      const d = new Date(t * 1000);
      return { weekday: (d.getDay() + 6) % 7, hour: d.getHours() };
    };
    const first = cellOf(H);
    const second = cellOf(H + 3600);
    const nonZero = value.cells.filter((c) => c.bytesIn + c.bytesOut > 0);
    expect(nonZero).toEqual([
      { ...first, bytesIn: 3010, bytesOut: 301 },
      { ...second, bytesIn: 500, bytesOut: 50 },
    ].sort((a, b) => a.weekday * 24 + a.hour - (b.weekday * 24 + b.hour)));
  });

  it('summarises today, this week and this month', async () => {
    const value = (await get('/api/v1/usage:summary')) as Record<'today' | 'week' | 'month', { since: number; bytesIn: number; bytesOut: number }>;
    for (const period of ['today', 'week', 'month'] as const) {
      const since = value[period].since;
      const expected = seed.filter((r) => r.ts > since).reduce((s, r) => s + r.bytesIn, 0);
      expect(value[period].bytesIn).toBe(expected);
    }
  });

  it('lists the processes behind an app, most recent first', async () => {
    const value = await get(`/api/v1/apps:processes?app=Firefox&since=${H}&until=${H + 7200}`);
    expect(value).toEqual({
      since: H,
      until: H + 7200,
      app: 'Firefox',
      processes: [
        { name: 'firefox', pid: 4242, path: '/usr/lib/firefox/firefox', lastSeen: H + 120 },
        { name: 'Web Content', pid: 4300, path: null, lastSeen: H + 60 },
      ],
    });
  });

  it('answers status with the data folder, health and last sample', async () => {
    const value = (await get('/api/v1/status:get')) as Record<string, unknown>;
    expect(value['dataDir']).toBe(fx.dir);
    expect(value['lastSampleAt']).toBe(H + 3605);
    expect(value['dataBytes']).toBeGreaterThan(4096);
    expect((value['sampler'] as { sampler: string }).sampler).toBe('replay');
  });

  it('answers a page of our own origin, and Bearer auth works for writes', async () => {
    await get('/api/v1/config:get', { origin: `http://localhost:${fx.server.port}`, 'sec-fetch-site': 'same-origin', host: `localhost:${fx.server.port}` });
    const reply = await post('/api/v1/capture:resume', {}, { 'x-netmon-token': '', authorization: `Bearer ${fx.token}` });
    expect(reply.status).toBe(200);
  });

  it('exports CSV', async () => {
    const value = (await get(`/api/v1/data:export?format=csv&since=${H}&until=${H + 7200}`)) as { body: string; contentType: string };
    expect(value.contentType).toBe('text/csv; charset=utf-8');
    expect(value.body).toBe(`app,bytesIn,bytesOut,approximate\r\nFirefox,3000,300,false\r\nSlack,500,50,false\r\n${UNATTRIBUTED},10,1,false\r\n`);
  });

  it.each(['/api/v1/config:get', '/metrics', '/', '/api/v1/nothing'])('sends the protective headers on %s', async (target) => {
    const reply = await send(fx.server.port, { method: 'GET', path: target, headers: { 'x-netmon-token': fx.token } });
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['x-frame-options']).toBe('DENY');
    expect(reply.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});

describe('commands', () => {
  it('changes a setting in config.json', async () => {
    const reply = await post('/api/v1/config:set', { log_level: 'debug', sampling_interval_seconds: 10 });
    expect(reply.status).toBe(200);
    expect(reply.value).toMatchObject({ log_level: 'debug', sampling_interval_seconds: 10 });
    expect(fx.written().configFile).toMatch(/"log_level": "debug"/);
  });

  it('pauses (reports are then not recorded) and resumes', async () => {
    const paused = await post('/api/v1/capture:pause', { minutes: 10 });
    expect(paused.value).toMatchObject({ paused: true });
    const until = (paused.value as { until: number }).until;
    expect(Math.abs(until - (nowS + 600))).toBeLessThan(30);
    const before = fx.written().browserReports;
    const report = await post('/api/browser/active-tab', { domain: 'netflix.com', timestamp: nowS, browser: 'chrome' }, { origin: EXT });
    expect(report.value).toMatchObject({ stored: false });
    expect(fx.written().browserReports).toBe(before);
    expect(await post('/api/v1/capture:resume', {})).toMatchObject({ status: 200, value: { paused: false, until: null } });
  });
});

describe('the browser extension', () => {
  it('answers its preflight with CORS for its own origin only', async () => {
    const reply = await send(fx.server.port, {
      method: 'OPTIONS',
      path: '/api/browser/active-tab',
      headers: { origin: EXT, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-netmon-token' },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe(EXT);
    expect(reply.headers['access-control-allow-methods']).toBe('POST');
    expect(reply.headers['access-control-allow-headers']).toContain('x-netmon-token');
  });

  it('stores a report as a lower-case hostname and its registrable domain', async () => {
    const reply = await post('/api/browser/active-tab', { domain: 'WWW.Netflix.com', timestamp: nowS - 2, browser: 'Chrome', tabTitle: 'ignored' }, { origin: EXT });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(EXT);
    expect(reply.value).toMatchObject({ stored: true, hostname: 'www.netflix.com', domain: 'netflix.com' });
    const rows = fx.reports.list({ since: nowS - 2, until: nowS - 1 });
    expect(rows).toEqual([{ receivedAt: expect.any(Number) as number, ts: nowS - 2, hostname: 'www.netflix.com', domain: 'netflix.com', browser: 'chrome' }]);
  });

  it('stores an IDN as punycode', async () => {
    const reply = await post('/api/browser/active-tab', { domain: 'bücher.de', timestamp: nowS - 1, browser: 'zen' }, { origin: EXT });
    expect(reply.value).toMatchObject({ stored: true, hostname: 'xn--bcher-kva.de' });
  });
});

describe('the browser_reports table', () => {
  it('refuses a URL, upper case or a space even from a writer that skips the API', () => {
    const side = sideConnection(fx.store);
    onTestFinished(() => void side.close());
    const insert = side.prepare('INSERT INTO browser_reports (received_at, ts, hostname, domain, browser) VALUES (1, 1, ?, ?, ?)');
    for (const host of ['https://netflix.com/watch', 'Netflix.com', 'net flix.com', 'netflix.com:443', '']) {
      expect(() => insert.run(host, 'netflix.com', 'zen')).toThrow(/CHECK constraint failed/);
    }
    expect(fx.reports.list({ since: 0, until: 2 })).toEqual([]);
  });
});

describe('purge', () => {
  it('deletes the range from the usage tiers and the browser reports', async () => {
    const report = await post('/api/browser/active-tab', { domain: 'example.org', timestamp: H + 100, browser: 'zen' }, { origin: EXT });
    expect(report.status).toBe(200);
    const reply = await post('/api/v1/data:purge', { since: H, until: H + 3600 });
    expect(reply.status).toBe(200);
    const value = reply.value as { since: number; until: number; deletedRows: number };
    expect(value.since).toBeLessThanOrEqual(H);
    expect(value.until).toBeGreaterThanOrEqual(H + 3600);
    expect(value.deletedRows).toBeGreaterThan(0);
    const apps = (await get(`/api/v1/apps:list?since=${H}&until=${H + 7200}`)) as { apps: unknown[] };
    expect(apps.apps).toEqual([{ app: 'Slack', bytesIn: 500, bytesOut: 50, lastSeen: null }]);
    expect(fx.reports.list({ since: H, until: H + 3600 })).toEqual([]);
  });
});

describe('metrics', () => {
  it('serves the text format that a Prometheus parser reads', async () => {
    const reply = await send(fx.server.port, { method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${fx.token}` } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheus(reply.text);
    const apps = families.find((f) => f.name === 'netmon_app_bytes_total');
    expect(apps?.type).toBe('COUNTER');
    expect(apps?.metrics.find((m) => m.labels?.['app'] === 'Firefox' && m.labels['direction'] === 'in')?.value).toBe('3000');
    expect(apps?.metrics.some((m) => m.labels?.['app'] === UNATTRIBUTED)).toBe(false);
    const unattributed = families.find((f) => f.name === 'netmon_unattributed_bytes_total');
    expect(unattributed?.metrics.find((m) => m.labels?.['direction'] === 'out')?.value).toBe('1');
  });
});

/** Opens the live feed and collects what arrives. */
function openLive(port: number): Promise<{ res: http.IncomingMessage; req: http.ClientRequest; text: () => string; waitFor: (re: RegExp) => Promise<void> }> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const waiters: Array<{ re: RegExp; done: () => void }> = [];
    const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/live', headers: { host: `127.0.0.1:${port}`, 'x-netmon-token': fx.token }, agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (const w of [...waiters]) {
          if (w.re.test(buffer)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.done();
          }
        }
      });
      resolve({
        res,
        req,
        text: () => buffer,
        waitFor: (re) =>
          new Promise<void>((done, fail) => {
            if (re.test(buffer)) return done();
            const timer = setTimeout(() => fail(new Error(`no ${String(re)} in ${JSON.stringify(buffer)}`)), 5000);
            waiters.push({ re, done: () => (clearTimeout(timer), done()) });
          }),
      });
    });
    req.on('error', reject);
  });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the live feed', () => {
  it('streams rate events and heartbeats, and forgets a client that leaves', async () => {
    const live = await openLive(fx.server.port);
    expect(live.res.statusCode).toBe(200);
    expect(live.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await live.waitFor(/retry: 5000\n\n/);
    await until(() => fx.live.listenerCount() === 1);
    const rate = { ts: nowS, intervalS: 5, bytesInPerS: 1234, bytesOutPerS: 56, topApps: [{ app: 'Firefox', bytesInPerS: 1000, bytesOutPerS: 50 }] };
    fx.live.publish({ event: 'rate', data: rate });
    await live.waitFor(/event: rate\ndata: .*\n\n/);
    const frame = /event: rate\ndata: (.*)\n\n/.exec(live.text());
    expect(JSON.parse(frame?.[1] ?? 'null')).toEqual(rate);
    // heartbeatMs is 50 in this fixture.
    await live.waitFor(/: keep-alive\n\n/);
    expect(fx.server.liveClients()).toBe(1);
    live.req.destroy();
    await until(() => fx.server.liveClients() === 0 && fx.live.listenerCount() === 0);
  });

  it('sends the latest rate to a client that just connected', async () => {
    const live = await openLive(fx.server.port);
    await live.waitFor(/event: rate\ndata: .*"bytesInPerS":1234/);
    live.req.destroy();
    await until(() => fx.server.liveClients() === 0);
  });

  it('turns away clients beyond the limit with 503', async () => {
    const a = await openLive(fx.server.port);
    const b = await openLive(fx.server.port);
    await until(() => fx.server.liveClients() === 2);
    const c = await send(fx.server.port, { method: 'GET', path: '/api/v1/live', headers: { 'x-netmon-token': fx.token } });
    expect(c.status).toBe(503);
    a.req.destroy();
    b.req.destroy();
    await until(() => fx.server.liveClients() === 0);
  });
});

describe('static files', () => {
  it('serves index.html for / and answers HEAD without a body', async () => {
    const page = await send(fx.server.port, { method: 'GET', path: '/' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>netmon</title>');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const head = await send(fx.server.port, { method: 'HEAD', path: '/index.html' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });
});

describe('the dashboard\'s HTTP client over fetch', () => {
  it('calls queries and commands through the contract', async () => {
    // The renderer's own client (src-renderer/api/http-client.ts), paired with the server's token.
    const tokens = createTokenStore(null);
    tokens.set(fx.token);
    const client = createHttpClient({ baseUrl: fx.server.url, tokens });
    const apps = await client.call('apps:list', { since: H + 3600, until: H + 7200 });
    expect(apps).toEqual({ ok: true, value: { since: H + 3600, until: H + 7200, approximate: false, apps: [{ app: 'Slack', bytesIn: 500, bytesOut: 50, lastSeen: null }] } });
    const slack = await client.call('apps:timeline', { app: 'Slack & Co?', range: '1h' });
    expect(slack.ok && slack.value.app).toBe('Slack & Co?');
    expect(await client.call('capture:pause', {})).toEqual({ ok: true, value: { paused: true, until: null } });
    expect(await client.call('capture:resume', {})).toEqual({ ok: true, value: { paused: false, until: null } });
    const bad = await client.call('usage:timeline', { range: '1h', bucket: 7 });
    expect(bad.ok).toBe(false);
  });
});

describe('binding', () => {
  it('listens on loopback only', () => {
    for (const address of fx.server.addresses) expect(['127.0.0.1', '::1']).toContain(address);
    expect(fx.server.url).toBe(`http://127.0.0.1:${fx.server.port}`);
  });

  const hasV6Loopback = Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === '::1'));
  it.runIf(hasV6Loopback)('also answers on [::1]', async () => {
    expect(fx.server.addresses).toContain('::1');
    const reply = await send(fx.server.port, { method: 'GET', path: '/api/v1/config:get', address: '::1', headers: { host: `[::1]:${fx.server.port}`, 'x-netmon-token': fx.token } });
    expect(reply.status).toBe(200);
  });

  it('reports a taken port as PortInUseError, not a stack trace', async () => {
    const handlers = createApiHandlers({} as never);
    const attempt = startHttpServer({ port: fx.server.port, handlers, token: 'x' });
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toMatchObject({ port: fx.server.port, message: `port ${fx.server.port} is in use on 127.0.0.1` });
  });

  it('stops listening on close', async () => {
    const other = await startFixture();
    const port = other.server.port;
    await other.close();
    await expect(send(port, { method: 'GET', path: '/metrics' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
