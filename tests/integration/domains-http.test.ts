// The extension's byte reports over real HTTP (port 0) into a real DomainTracker, and the monitor
// joining them with a scripted sampler's connections into a real store. Hostile requests to
// /api/browser/bytes are refused exactly like those to /api/browser/active-tab, and teach the
// tracker nothing; the accepted ones carry only hostnames and addresses (never a URL) into the store.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../src-main/api/handlers.js';
import { createLiveFeed } from '../../src-main/api/live.js';
import { createStoreQueries } from '../../src-main/api/store-queries.js';
import { DomainTracker } from '../../src-main/engine/domains/index.js';
import { Monitor } from '../../src-main/engine/monitor.js';
import { totalsByDomain } from '../../src-main/engine/queries/index.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import type { Clock, FlowCounter, Sample } from '../../src-main/engine/types.js';
import { loadOrCreatePairingToken } from '../../src-main/http/pairing.js';
import { startHttpServer, type HttpServer } from '../../src-main/http/server.js';
import { send, type RawRequest } from '../helpers/http-fixture.js';
import '../helpers/store.js';
import { ScriptedSampler } from '../helpers/scripted-sampler.js';

const EXT = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const BYTES = '/api/browser/bytes';

interface Stack {
  dir: string;
  store: Store;
  tracker: DomainTracker;
  server: HttpServer;
  token: string;
  sampler: ScriptedSampler;
  monitor: Monitor;
  setNow(ms: number): void;
}

async function startStack(nowMs: number, rate = { capacity: 1000, refillPerSecond: 1000 }): Promise<Stack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-domains-http-'));
  let now = nowMs;
  const clock: Clock = { now: () => now, mono: () => now };
  const store = openStore({ dataDir: dir, clock });
  const tracker = new DomainTracker({ platform: 'linux' });
  const sampler = new ScriptedSampler();
  const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 5000, clock, flushIntervalMs: 3_600_000, domains: tracker });
  const token = loadOrCreatePairingToken(dir);
  let paused = false;
  const handlers = createApiHandlers({
    now: () => now,
    dataDir: dir,
    queries: createStoreQueries(store),
    capture: { state: () => ({ paused, until: null }), pause: () => ((paused = true), { paused, until: null }), resume: () => ((paused = false), { paused, until: null }) },
    config: { get: () => Promise.reject(new Error('unused')), set: () => Promise.reject(new Error('unused')) },
    status: {
      version: 'test',
      startedAt: 0,
      samplerHealth: () => sampler.health(),
      storageHealth: () => ({ ok: true, error: null, pendingRows: 0, recoveredTo: null }),
      lastSampleAt: () => null,
      dataBytes: () => 0,
    },
    live: createLiveFeed(),
    browserReports: { record: (report) => store.recordBrowserReport(report) },
    browserDomains: {
      activeTab: (b, h, at) => tracker.noteActiveTab(b, h, at),
      bytes: (b, e, from, to) => tracker.noteBytes(b, e, from, to),
    },
  });
  const server = await startHttpServer({ port: 0, handlers, token, writeRateLimit: rate, ipv6: false });
  return { dir, store, tracker, server, token, sampler, monitor, setNow: (ms) => (now = ms) };
}

async function stopStack(s: Stack): Promise<void> {
  await s.server.close();
  await s.monitor.stop();
  s.store.close();
  rmSync(s.dir, { recursive: true, force: true });
}

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const T0_S = T0 / 1000;

describe('POST /api/browser/bytes: hostile requests are refused and teach nothing', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack(T0);
  });
  afterAll(async () => stopStack(s));

  const good = JSON.stringify({ browser: 'chromium', since: T0_S - 5, until: T0_S, entries: [{ domain: 'a.test', ip: '198.51.100.1', bytesIn: 10, bytesOut: 0, estimate: true }] });
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({ origin: EXT, 'content-type': 'application/json', 'x-netmon-token': s.token, ...extra });

  async function refused(req: RawRequest, status: number, code: string): Promise<void> {
    const before = s.tracker.stats();
    const reply = await send(s.server.port, req);
    expect(reply.status, reply.text).toBe(status);
    const body = reply.json() as { ok: boolean; error: { code: string } };
    expect(body).toMatchObject({ ok: false, error: { code } });
    // The extension may read why it was refused; a wrong Host is refused before anyone is answered.
    expect(reply.headers['access-control-allow-origin']).toBe(req.headers?.['origin'] === EXT && status !== 421 ? EXT : undefined);
    expect(s.tracker.stats()).toEqual(before);
  }

  it.each([
    ['no Origin (a script outside any browser page)', { 'content-type': 'application/json', 'x-netmon-token': 'x' }, 403, 'forbidden-origin'],
    ['a web page', { origin: 'https://evil.example', 'content-type': 'application/json' }, 403, 'forbidden-origin'],
    ['a null origin (sandboxed frame)', { origin: 'null', 'content-type': 'application/json' }, 403, 'forbidden-origin'],
    ['our own dashboard origin', { origin: 'http://127.0.0.1:7500', 'content-type': 'application/json' }, 403, 'forbidden-origin'],
  ])('%s → refused', async (_what, hdrs, status, code) => {
    await refused({ method: 'POST', path: BYTES, headers: hdrs, body: good }, status, code);
  });

  it('the extension without a token, and with a wrong one → 401', async () => {
    await refused({ method: 'POST', path: BYTES, headers: { origin: EXT, 'content-type': 'application/json' }, body: good }, 401, 'unauthorized');
    await refused({ method: 'POST', path: BYTES, headers: headers({ 'x-netmon-token': 'not-the-token' }), body: good }, 401, 'unauthorized');
  });

  it('a rebinding Host → 421; GET → 405; a query string → 400', async () => {
    await refused({ method: 'POST', path: BYTES, headers: { ...headers(), host: `evil.example:${s.server.port}` }, body: good }, 421, 'forbidden-host');
    await refused({ method: 'GET', path: BYTES, headers: { origin: EXT } }, 405, 'method-not-allowed');
    await refused({ method: 'POST', path: `${BYTES}?url=https://a.test/x`, headers: headers(), body: good }, 400, 'bad-request');
  });

  it('form and text bodies → 415; an oversized body → 413; not JSON → 400', async () => {
    await refused({ method: 'POST', path: BYTES, headers: headers({ 'content-type': 'text/plain' }), body: good }, 415, 'unsupported-media-type');
    await refused({ method: 'POST', path: BYTES, headers: headers({ 'content-type': 'application/x-www-form-urlencoded' }), body: good }, 415, 'unsupported-media-type');
    await refused({ method: 'POST', path: BYTES, headers: headers(), body: 'x'.repeat(17 * 1024) }, 413, 'payload-too-large');
    await refused({ method: 'POST', path: BYTES, headers: headers(), body: '{"browser":' }, 400, 'bad-request');
  });

  it.each([
    ['too many entries', { browser: 'chromium', since: T0_S - 5, until: T0_S, entries: Array.from({ length: 65 }, () => ({ domain: 'a.test', ip: null, bytesIn: 1, bytesOut: 0, estimate: true })) }],
    ['negative bytes', { browser: 'chromium', since: T0_S - 5, until: T0_S, entries: [{ domain: 'a.test', ip: null, bytesIn: -1, bytesOut: 0, estimate: true }] }],
    ['fractional bytes', { browser: 'chromium', since: T0_S - 5, until: T0_S, entries: [{ domain: 'a.test', ip: null, bytesIn: 1.5, bytesOut: 0, estimate: true }] }],
    ['until before since', { browser: 'chromium', since: T0_S, until: T0_S - 5, entries: [] }],
    ['milliseconds for seconds', { browser: 'chromium', since: T0 - 5000, until: T0, entries: [] }],
    ['a browser name that is a sentence', { browser: '<script>', since: T0_S - 5, until: T0_S, entries: [] }],
    ['no entries field', { browser: 'chromium', since: T0_S - 5, until: T0_S }],
    ['a transfer time that is not whole milliseconds', { browser: 'chromium', since: T0_S - 5, until: T0_S, entries: [{ domain: 'a.test', ip: null, bytesIn: 1, bytesOut: 0, estimate: false, startedAt: 1.5 }] }],
  ])('%s → 400', async (_what, body) => {
    await refused({ method: 'POST', path: BYTES, headers: headers(), body: JSON.stringify(body) }, 400, 'bad-request');
  });

  it('a flood beyond the rate limit → 429', async () => {
    const limited = await startStack(T0, { capacity: 2, refillPerSecond: 0.001 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await send(limited.server.port, { method: 'POST', path: BYTES, headers: { origin: EXT, 'content-type': 'application/json', 'x-netmon-token': limited.token }, body: good });
        statuses.push(r.status);
      }
      expect(statuses).toEqual([200, 200, 429, 429]);
      expect(limited.tracker.stats().byteReports).toBe(2);
    } finally {
      await stopStack(limited);
    }
  });

  it('the preflight is answered for the extension only', async () => {
    const ok = await send(s.server.port, { method: 'OPTIONS', path: BYTES, headers: { origin: EXT, 'access-control-request-method': 'POST' } });
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(EXT);
    expect(ok.headers['access-control-allow-headers']).toContain('x-netmon-token');
    const web = await send(s.server.port, { method: 'OPTIONS', path: BYTES, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(web.status).toBe(403);
  });

  it('takes the hostnames, refuses URLs, IP literals and bad addresses entry by entry', async () => {
    const body = {
      browser: 'chromium',
      since: T0_S - 5,
      until: T0_S,
      entries: [
        { domain: 'WWW.A.test', ip: '198.51.100.1', bytesIn: 10, bytesOut: 1, estimate: true, startedAt: T0 - 4000, endedAt: T0 - 1000 },
        { domain: 'https://b.test/secret/path?q=1', ip: '198.51.100.2', bytesIn: 10, bytesOut: 0, estimate: true },
        { domain: '198.51.100.3', ip: '198.51.100.3', bytesIn: 10, bytesOut: 0, estimate: true },
        { domain: 'c.test', ip: 'not-an-ip', bytesIn: 10, bytesOut: 0, estimate: true },
      ],
    };
    const reply = await send(s.server.port, { method: 'POST', path: BYTES, headers: headers(), body: JSON.stringify(body) });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ ok: true, value: { stored: true, accepted: 1, refused: 3 } });
    expect(s.tracker.stats()).toMatchObject({ ips: 1, byteReports: 1 });
  });
});

describe('the monitor joins the reports with the connections', () => {
  const chromium = { pid: 20, name: 'chromium', path: '/usr/lib/chromium/chromium' };
  const conn = (id: string, address: string, bytesIn: number, bytesOut: number): FlowCounter => ({ id, owner: chromium, remote: { protocol: 'tcp4', address, port: 443 }, bytesIn, bytesOut });
  const sample = (step: number, flows: FlowCounter[], iface: { bytesIn: number; bytesOut: number }): Sample => ({
    wallMs: T0 + step * 5000,
    monoMs: 1_000_000 + step * 5000,
    mode: 'cumulative',
    flows,
    closed: [],
    iface,
  });

  it('bytes to a reported address go to its host; the rest to the active tab, as an estimate; nothing with a path is stored', async () => {
    const s = await startStack(T0);
    try {
      s.monitor.start();
      const post = async (p: string, body: unknown): Promise<void> => {
        const r = await send(s.server.port, { method: 'POST', path: p, headers: { origin: EXT, 'content-type': 'application/json', 'x-netmon-token': s.token }, body: JSON.stringify(body) });
        expect(r.status, r.text).toBe(200);
      };
      await post('/api/browser/active-tab', { domain: 'news.tab.test', timestamp: T0_S, browser: 'chromium' });
      s.sampler.push(sample(0, [conn('1', '198.51.100.1', 0, 0), conn('2', '198.51.100.9', 0, 0)], { bytesIn: 0, bytesOut: 0 }));
      // Interval 1 (10:00:00–10:00:05): 198.51.100.1 moves 60 000/600, the unknown .9 moves 4 000/40.
      s.sampler.push(sample(1, [conn('1', '198.51.100.1', 60_000, 600), conn('2', '198.51.100.9', 4_000, 40)], { bytesIn: 64_000, bytesOut: 640 }));
      // The browser says what it fetched there, a moment after the interval ended.
      await post(BYTES, { browser: 'chromium', since: T0_S, until: T0_S + 6, entries: [{ domain: 'cdn.video.test', ip: '198.51.100.1', bytesIn: 59_000, bytesOut: 0, estimate: true }] });
      // Interval 2: only .1 moves, 10 000/100; the settle delay (10 s) has passed for interval 1 at step 3.
      s.sampler.push(sample(2, [conn('1', '198.51.100.1', 70_000, 700), conn('2', '198.51.100.9', 4_000, 40)], { bytesIn: 10_000, bytesOut: 100 }));
      s.sampler.push(sample(3, [conn('1', '198.51.100.1', 70_000, 700), conn('2', '198.51.100.9', 4_000, 40)], { bytesIn: 0, bytesOut: 0 }));
      s.setNow(T0 + 15_000);
      await s.monitor.stop();
      const r = totalsByDomain(s.store.db, { since: T0_S - 60, until: T0_S + 60 }, { app: 'Chromium' });
      // video.test (registrable domain of cdn.video.test): 60 000 + 10 000 in, 700 out, by address;
      // tab.test: the unknown address's 4 000/40, by the active tab.
      expect(r.rows).toEqual([
        { domain: 'video.test', bytesIn: 70_000, bytesOut: 700, estimated: { bytesIn: 0, bytesOut: 0 } },
        { domain: 'tab.test', bytesIn: 4_000, bytesOut: 40, estimated: { bytesIn: 4_000, bytesOut: 40 } },
      ]);
      // The shares add up to the browser's own total.
      const chromiumTotal = s.store.db.prepare("SELECT sum(bytes_in) AS i, sum(bytes_out) AS o FROM usage_raw JOIN apps ON apps.id = app_id WHERE apps.name = 'Chromium'").get();
      expect(chromiumTotal).toEqual({ i: r.totals.bytesIn, o: r.totals.bytesOut });
      // No stored text anywhere holds a path, a query or a scheme.
      for (const table of ['domains', 'browser_reports']) {
        const cells = s.store.db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
        for (const cell of cells.flatMap((c) => Object.values(c))) if (typeof cell === 'string') expect(cell).not.toMatch(/[/?#:]/);
      }
    } finally {
      await stopStack(s);
    }
  });
});

describe('a report sent again (same reportId) is counted once', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack(T0);
  });
  afterAll(async () => stopStack(s));

  const post = async (p: string, body: unknown): Promise<{ status: number; value: Record<string, unknown> }> => {
    const reply = await send(s.server.port, { method: 'POST', path: p, headers: { origin: EXT, 'content-type': 'application/json', 'x-netmon-token': s.token }, body: JSON.stringify(body) });
    return { status: reply.status, value: (reply.json() as { value: Record<string, unknown> }).value };
  };
  const stored = (): number => s.store.db.prepare("SELECT COUNT(*) FROM browser_reports WHERE hostname = 'once.test'").pluck().get() as number;
  const ID = (n: number): string => n.toString(16).padStart(32, '0');

  it('an active-tab report: the repeat is answered as taken (200), not stored; another id with the same content is stored', async () => {
    const report = { domain: 'once.test', timestamp: T0_S, browser: 'chromium', reportId: ID(1) };
    expect(await post('/api/browser/active-tab', report)).toMatchObject({ status: 200, value: { stored: true } });
    expect(await post('/api/browser/active-tab', report)).toMatchObject({ status: 200, value: { stored: false, duplicate: true } });
    expect(stored()).toBe(1);
    expect(await post('/api/browser/active-tab', { ...report, reportId: ID(2) })).toMatchObject({ status: 200, value: { stored: true } });
    // An extension that sends no id (an older one) is taken every time, as before.
    const { reportId: _, ...withoutId } = report;
    await post('/api/browser/active-tab', withoutId);
    await post('/api/browser/active-tab', withoutId);
    expect(stored()).toBe(4);
    // Each row keeps the id it came with (schema v8), none for the reports sent without one.
    expect(s.store.db.prepare("SELECT report_id FROM browser_reports WHERE hostname = 'once.test' ORDER BY id").pluck().all()).toEqual([ID(1), ID(2), null, null]);
  });

  it('a byte report: the tracker takes it once', async () => {
    const report = { browser: 'chromium', since: T0_S - 5, until: T0_S, entries: [{ domain: 'once.test', ip: '198.51.100.9', bytesIn: 500, bytesOut: 0, estimate: true }], reportId: ID(3) };
    const before = s.tracker.stats().byteReports;
    expect(await post('/api/browser/bytes', report)).toMatchObject({ status: 200, value: { stored: true, accepted: 1 } });
    expect(await post('/api/browser/bytes', report)).toMatchObject({ status: 200, value: { stored: false, accepted: 0, duplicate: true } });
    expect(s.tracker.stats().byteReports).toBe(before + 1);
  });

  it('an id that is not 32 hex characters → 400', async () => {
    const reply = await post('/api/browser/active-tab', { domain: 'once.test', timestamp: T0_S, browser: 'chromium', reportId: 'x' });
    expect(reply.status).toBe(400);
  });
});
