// Hostile requests against a real server on port 0 over real SQLite: each is refused with the right
// status and a coded JSON error, and nothing is written (usage tiers, processes, browser reports,
// config.json, pause state are compared before and after).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppUsage } from '../../src-main/engine/types.js';
import { send, startFixture, type Fixture, type RawRequest, type Reply } from '../helpers/http-fixture.js';

const EXT = 'moz-extension://0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const nowS = Math.floor(Date.now() / 1000);
const seed: AppUsage[] = [
  { ts: nowS - 7200, durationS: 5, app: 'Firefox', bytesIn: 1000, bytesOut: 100 },
  { ts: nowS - 3600, durationS: 5, app: 'Slack', bytesIn: 500, bytesOut: 50 },
];

let fx: Fixture;
let staticRoot: string;
let outside: string;

beforeAll(async () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'netmon-static-'));
  staticRoot = path.join(base, 'www');
  outside = path.join(base, 'secret');
  mkdirSync(staticRoot);
  mkdirSync(outside);
  writeFileSync(path.join(staticRoot, 'index.html'), '<!doctype html><title>netmon</title>');
  writeFileSync(path.join(staticRoot, '.env'), 'SECRET=1');
  writeFileSync(path.join(outside, 'passwd'), 'root:x:0:0');
  symlinkSync(outside, path.join(staticRoot, 'escape'));
  fx = await startFixture({ seed, staticDir: staticRoot, rate: { capacity: 1000, refillPerSecond: 1000 } });
});

afterAll(async () => {
  await fx.close();
  rmSync(path.dirname(staticRoot), { recursive: true, force: true });
});

const json = { 'content-type': 'application/json' };
const token = (): Record<string, string> => ({ 'x-netmon-token': fx.token });
const purgeAll = JSON.stringify({ since: 0, until: nowS + 86_400 });
const report = (domain: string): string => JSON.stringify({ domain, timestamp: nowS, browser: 'zen' });

/** Sends `req`, checks the status and error code, and that nothing was written. */
async function refused(req: RawRequest, status: number, code: string): Promise<Reply> {
  const before = fx.written();
  const reply = await send(fx.server.port, req);
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
  const body = reply.json() as { ok: boolean; error: { code: string; message: string } };
  expect(body.ok).toBe(false);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  // No web origin ever gets CORS; the extension gets its own origin back so it can read the error.
  const origin = req.headers?.['origin'];
  expect(reply.headers['access-control-allow-origin']).toBe(origin === EXT ? EXT : undefined);
  expect(fx.written()).toEqual(before);
  return reply;
}

describe('hostile requests are refused and write nothing', () => {
  it('the seed is there, so "nothing written" is checked against real rows', () => {
    const w = fx.written();
    expect(w.usageRaw).toBe(2);
    expect(w.browserReports).toBe(0);
  });

  // DNS rebinding: evil.example resolves to 127.0.0.1 and the browser sends its own host name.
  it('1 rebinding Host on a write with a valid token → 421', async () => {
    await refused({ method: 'POST', path: '/api/v1/data:purge', headers: { host: `evil.example:${fx.server.port}`, ...json, ...token() }, body: purgeAll }, 421, 'forbidden-host');
  });

  it('2 rebinding Host on a read → 421, no data in the answer', async () => {
    const reply = await refused({ method: 'GET', path: '/api/v1/apps:list?range=24h', headers: { host: `evil.example:${fx.server.port}` } }, 421, 'forbidden-host');
    expect(reply.text).not.toContain('Firefox');
  });

  it('3 our address with another port as Host → 421', async () => {
    await refused({ method: 'GET', path: '/metrics', headers: { host: '127.0.0.1:80' } }, 421, 'forbidden-host');
  });

  it('4 a foreign Origin on a write with a valid token → 403', async () => {
    await refused({ method: 'POST', path: '/api/v1/capture:pause', headers: { origin: 'https://evil.example', ...json, ...token() }, body: '{}' }, 403, 'forbidden-origin');
  });

  it('5 Origin null (sandboxed frame) on a purge → 403', async () => {
    await refused({ method: 'POST', path: '/api/v1/data:purge', headers: { origin: 'null', ...json, ...token() }, body: purgeAll }, 403, 'forbidden-origin');
  });

  it('6 a foreign Origin reading data → 403 without CORS', async () => {
    const reply = await refused({ method: 'GET', path: '/api/v1/apps:list?range=24h', headers: { origin: 'https://evil.example' } }, 403, 'forbidden-origin');
    expect(reply.text).not.toContain('Firefox');
  });

  it('7 a simple-request CSRF: text/plain purge from a web page → 403', async () => {
    await refused({ method: 'POST', path: '/api/v1/data:purge', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: purgeAll }, 403, 'forbidden-origin');
  });

  it('8 a text/plain purge even with the token → 415', async () => {
    await refused({ method: 'POST', path: '/api/v1/data:purge', headers: { 'content-type': 'text/plain', ...token() }, body: purgeAll }, 415, 'unsupported-media-type');
  });

  it('9 a form post to config:set → 415', async () => {
    await refused(
      { method: 'POST', path: '/api/v1/config:set', headers: { 'content-type': 'application/x-www-form-urlencoded', ...token() }, body: 'web_server_port=80' },
      415,
      'unsupported-media-type',
    );
  });

  it('10 a purge sent as GET (an <img> tag) → 405', async () => {
    await refused({ method: 'GET', path: `/api/v1/data:purge?since=0&until=${nowS + 86_400}` }, 405, 'method-not-allowed');
  });

  it('11 a write without the token → 401', async () => {
    const reply = await refused({ method: 'POST', path: '/api/v1/data:purge', headers: json, body: purgeAll }, 401, 'unauthorized');
    expect(reply.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('12 a write with a wrong token → 401', async () => {
    await refused({ method: 'POST', path: '/api/v1/config:set', headers: { ...json, 'x-netmon-token': 'f'.repeat(64) }, body: '{"log_level":"debug"}' }, 401, 'unauthorized');
  });

  it('13 the token in the query string instead of a header → 400', async () => {
    await refused({ method: 'POST', path: `/api/v1/capture:pause?token=${fx.token}`, headers: json, body: '{}' }, 400, 'bad-request');
  });

  it('14 an oversized body (declared) → 413', async () => {
    await refused(
      { method: 'POST', path: '/api/browser/active-tab', headers: { origin: EXT, ...json, ...token() }, body: JSON.stringify({ domain: 'a.com', timestamp: nowS, browser: 'zen', pad: 'x'.repeat(20_000) }) },
      413,
      'payload-too-large',
    );
  });

  it('15 an oversized body (chunked, no length) → 413', async () => {
    const body = JSON.stringify({ log_level: 'debug', pad: 'x'.repeat(40_000) });
    await refused({ method: 'POST', path: '/api/v1/config:set', headers: { ...json, ...token() }, body, chunked: true }, 413, 'payload-too-large');
  });

  it('16 malformed JSON → 400', async () => {
    const reply = await refused({ method: 'POST', path: '/api/v1/config:set', headers: { ...json, ...token() }, body: '{"log_level": "debug",' }, 400, 'bad-request');
    expect(reply.text).toMatch(/not valid JSON/);
  });

  it('17 a body that is not UTF-8 → 400', async () => {
    await refused({ method: 'POST', path: '/api/v1/config:set', headers: { ...json, ...token() }, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, 400, 'bad-request');
  });

  it('18 a schema violation (a port out of range) → 400 naming the field', async () => {
    const reply = await refused({ method: 'POST', path: '/api/v1/config:set', headers: { ...json, ...token() }, body: '{"web_server_port": 70000}' }, 400, 'bad-request');
    expect(reply.text).toMatch(/web_server_port/);
  });

  it('19 prototype pollution in a config change → 400', async () => {
    await refused({ method: 'POST', path: '/api/v1/config:set', headers: { ...json, ...token() }, body: '{"__proto__": {"polluted": true}, "constructor": 1}' }, 400, 'bad-request');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('20 path traversal to a file outside the static folder → 400', async () => {
    await refused({ method: 'GET', path: '/../secret/passwd' }, 400, 'bad-request');
  });

  it('21 encoded path traversal → 400', async () => {
    await refused({ method: 'GET', path: '/%2e%2e/secret/passwd' }, 400, 'bad-request');
    await refused({ method: 'GET', path: '/..%2fsecret%2fpasswd' }, 400, 'bad-request');
  });

  it('22 a symlink out of the static folder → 404', async () => {
    const reply = await refused({ method: 'GET', path: '/escape/passwd' }, 404, 'not-found');
    expect(reply.text).not.toContain('root:x');
  });

  it('23 a dot-file in the static folder → 404', async () => {
    const reply = await refused({ method: 'GET', path: '/.env' }, 404, 'not-found');
    expect(reply.text).not.toContain('SECRET');
  });

  it('24 a URL with a path in the domain field → 400, never stored', async () => {
    const reply = await refused(
      { method: 'POST', path: '/api/browser/active-tab', headers: { origin: EXT, ...json, ...token() }, body: report('https://www.netflix.com/watch/80100172?trackId=1') },
      400,
      'bad-request',
    );
    expect(reply.text).toMatch(/not a URL/);
  });

  it('25 a host with a path but no scheme → 400', async () => {
    await refused({ method: 'POST', path: '/api/browser/active-tab', headers: { origin: EXT, ...json, ...token() }, body: report('netflix.com/watch/80100172') }, 400, 'bad-request');
  });

  it('26 a unicode look-alike (Cyrillic е in netflix) → 400', async () => {
    const reply = await refused({ method: 'POST', path: '/api/browser/active-tab', headers: { origin: EXT, ...json, ...token() }, body: report('n\u0435tflix.com') }, 400, 'bad-request');
    expect(reply.text).toMatch(/look-alike/);
  });

  it('27 a whole-script look-alike (Cyrillic аррӏе.com) → 400', async () => {
    await refused({ method: 'POST', path: '/api/browser/active-tab', headers: { origin: EXT, ...json, ...token() }, body: report('\u0430\u0440\u0440\u04cf\u0435.com') }, 400, 'bad-request');
  });

  it('28 userinfo and a port in the domain field → 400', async () => {
    await refused({ method: 'POST', path: '/api/browser/active-tab', headers: { origin: EXT, ...json, ...token() }, body: report('user:secret@netflix.com:443') }, 400, 'bad-request');
  });

  it('29 an IP address as the domain → 400', async () => {
    await refused({ method: 'POST', path: '/api/browser/active-tab', headers: { origin: EXT, ...json, ...token() }, body: report('192.0.2.1') }, 400, 'bad-request');
  });

  it('30 a web page posting to the extension endpoint → 403', async () => {
    await refused({ method: 'POST', path: '/api/browser/active-tab', headers: { origin: 'https://evil.example', ...json, ...token() }, body: report('netflix.com') }, 403, 'forbidden-origin');
  });

  it('31 the extension endpoint without an extension Origin → 403', async () => {
    await refused({ method: 'POST', path: '/api/browser/active-tab', headers: { ...json, ...token() }, body: report('netflix.com') }, 403, 'forbidden-origin');
  });

  it('32 the extension endpoint with text/plain → 415', async () => {
    await refused({ method: 'POST', path: '/api/browser/active-tab', headers: { origin: EXT, 'content-type': 'text/plain', ...token() }, body: report('netflix.com') }, 415, 'unsupported-media-type');
  });

  it('33 a web page asking for a CORS preflight → 403', async () => {
    await refused(
      { method: 'OPTIONS', path: '/api/v1/config:set', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } },
      403,
      'forbidden-origin',
    );
  });

  it('34 cross-site fetch metadata without an Origin → 403', async () => {
    await refused({ method: 'GET', path: '/metrics', headers: { 'sec-fetch-site': 'cross-site' } }, 403, 'forbidden-origin');
  });

  it('35 an unknown channel → 404', async () => {
    await refused({ method: 'POST', path: '/api/v1/store:drop', headers: { ...json, ...token() }, body: '{}' }, 404, 'not-found');
  });

});

describe('a flood', () => {
  let flood: Fixture;
  beforeAll(async () => {
    // The server's clock stands still: the bucket of 5 is never refilled during the flood.
    flood = await startFixture({ rate: { capacity: 5, refillPerSecond: 0.5 }, mono: () => 1000 });
  });
  afterAll(async () => {
    await flood.close();
  });

  it('36 of valid reports: over the limit → 429, and only the admitted ones are stored', async () => {
    const fx = flood;
    const before = fx.written().browserReports;
    const replies: Reply[] = [];
    for (let i = 0; i < 40; i++) {
      replies.push(
        await send(fx.server.port, { method: 'POST', path: '/api/browser/active-tab', headers: { origin: EXT, ...json, 'x-netmon-token': fx.token }, body: report(`site${i}.example`) }),
      );
    }
    const admitted = replies.filter((r) => r.status === 200).length;
    const limited = replies.filter((r) => r.status === 429);
    expect(admitted).toBe(5);
    expect(limited.length).toBe(35);
    expect((limited[0]?.json() as { error: { code: string } }).error.code).toBe('rate-limited');
    expect(Number(limited[0]?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(fx.written().browserReports - before).toBe(admitted);
  });
});
