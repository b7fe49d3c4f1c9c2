// The request guard, case by case: what each kind of request gets, decided from its head alone.
import { describe, expect, it } from 'vitest';
import { classifyOrigin, decodePath, guardRequest, type GuardContext, type RequestHead } from '../../src-main/http/guard.js';

const PORT = 7501;
const TOKEN = 'a'.repeat(64);
const ctx: GuardContext = { port: PORT, token: TOKEN, bodyLimit: 16_384, hasStatic: true };
const EXT_FF = 'moz-extension://0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const EXT_CR = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

function head(method: string, url: string, headers: Record<string, string> = {}): RequestHead {
  return { method, url, headers: { host: `127.0.0.1:${PORT}`, ...headers } };
}
const json = { 'content-type': 'application/json' };
const auth = { 'x-netmon-token': TOKEN };

// [what, request, expected status (200 = admitted), expected route kind or error code]
const cases: Array<[string, RequestHead, number, string]> = [
  ['a query from curl with the token', head('GET', '/api/v1/apps:list?range=24h', auth), 200, 'api'],
  ['a query with a Bearer token (Prometheus, curl)', head('GET', '/api/v1/apps:list?range=24h', { authorization: `Bearer ${TOKEN}` }), 200, 'api'],
  ['a query from our own page', head('GET', '/api/v1/status:get', { origin: `http://127.0.0.1:${PORT}`, 'sec-fetch-site': 'same-origin', ...auth }), 200, 'api'],
  ['localhost as Host', { method: 'GET', url: '/api/v1/status:get', headers: { host: `localhost:${PORT}`, ...auth } }, 200, 'api'],
  ['[::1] as Host', { method: 'GET', url: '/api/v1/status:get', headers: { host: `[::1]:${PORT}`, ...auth } }, 200, 'api'],
  ['Host in capitals', { method: 'GET', url: '/api/v1/status:get', headers: { host: `LOCALHOST:${PORT}`, ...auth } }, 200, 'api'],
  ['a command with token and JSON', head('POST', '/api/v1/capture:pause', { ...json, ...auth }), 200, 'api'],
  ['a command with a Bearer token', head('POST', '/api/v1/capture:pause', { ...json, authorization: `Bearer ${TOKEN}` }), 200, 'api'],
  ['JSON with charset', head('POST', '/api/v1/capture:pause', { 'content-type': 'application/json; charset=UTF-8', ...auth }), 200, 'api'],
  ['the extension (Firefox)', head('POST', '/api/browser/active-tab', { ...json, ...auth, origin: EXT_FF }), 200, 'extension'],
  ['the extension (Chromium)', head('POST', '/api/browser/active-tab', { ...json, ...auth, origin: EXT_CR }), 200, 'extension'],
  ['the extension preflight', head('OPTIONS', '/api/browser/active-tab', { origin: EXT_FF }), 200, 'preflight'],
  ['the live feed with the token', head('GET', '/api/v1/live', auth), 200, 'live'],
  ['metrics with a Bearer token (Prometheus credentials_file)', head('GET', '/metrics', { authorization: `Bearer ${TOKEN}` }), 200, 'metrics'],
  ['the server proof, asked by our page', head('GET', '/api/auth/prove?nonce=' + '0'.repeat(32)), 200, 'prove'],
  ['the server proof, asked by the extension', head('GET', '/api/auth/prove?nonce=' + '0'.repeat(32), { origin: EXT_FF }), 200, 'prove'],
  ['a pairing-code exchange from our page', head('POST', '/api/pair/exchange', { ...json, origin: `http://127.0.0.1:${PORT}` }), 200, 'pair-exchange'],

  // Every read needs the token: loopback is shared by every account on the machine.
  ['a query from curl without the token', head('GET', '/api/v1/apps:list?range=24h'), 401, 'unauthorized'],
  ['an export without the token', head('GET', '/api/v1/data:export?format=csv'), 401, 'unauthorized'],
  ['the processes behind an app without the token', head('GET', '/api/v1/apps:processes?app=Firefox'), 401, 'unauthorized'],
  ['a query with a wrong token', head('GET', '/api/v1/status:get', { 'x-netmon-token': 'b'.repeat(64) }), 401, 'unauthorized'],
  ['the live feed without the token', head('GET', '/api/v1/live'), 401, 'unauthorized'],
  ['metrics without the token', head('GET', '/metrics'), 401, 'unauthorized'],
  ['the server proof asked by a web page', head('GET', '/api/auth/prove?nonce=' + '0'.repeat(32), { origin: 'https://evil.example' }), 403, 'forbidden-origin'],
  ['the extension endpoint percent-encoded, without an extension Origin', head('POST', '/api/browser/%61ctive-tab', { ...json, ...auth }), 403, 'forbidden-origin'],
  ['a pairing-code exchange as a form post', head('POST', '/api/pair/exchange', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type'],
  ['a pairing-code exchange from a web page', head('POST', '/api/pair/exchange', { ...json, origin: 'https://evil.example' }), 403, 'forbidden-origin'],
  ['a static file', head('GET', '/assets/app.js'), 200, 'static'],
  ['HEAD of a static file', head('HEAD', '/'), 200, 'static'],

  // DNS rebinding: the browser sends the attacker's host name.
  ['a rebinding Host', { method: 'GET', url: '/api/v1/status:get', headers: { host: `evil.example:${PORT}` } }, 421, 'forbidden-host'],
  ['our address with another port', { method: 'GET', url: '/api/v1/status:get', headers: { host: '127.0.0.1:80' } }, 421, 'forbidden-host'],
  ['no Host at all', { method: 'GET', url: '/api/v1/status:get', headers: {} }, 421, 'forbidden-host'],
  ['a LAN address as Host', { method: 'GET', url: '/metrics', headers: { host: `192.0.2.10:${PORT}` } }, 421, 'forbidden-host'],
  ['a foreign Origin on a query', head('GET', '/api/v1/apps:list', { origin: 'https://evil.example' }), 403, 'forbidden-origin'],
  ['Origin null', head('GET', '/api/v1/apps:list', { origin: 'null' }), 403, 'forbidden-origin'],
  ['our host on another port', head('GET', '/api/v1/apps:list', { origin: 'http://127.0.0.1:3000' }), 403, 'forbidden-origin'],
  ['https of our own origin', head('GET', '/api/v1/apps:list', { origin: `https://127.0.0.1:${PORT}` }), 403, 'forbidden-origin'],
  ['cross-site fetch metadata without Origin', head('GET', '/metrics', { 'sec-fetch-site': 'cross-site' }), 403, 'forbidden-origin'],
  ['same-site (another local port) metadata', head('GET', '/metrics', { 'sec-fetch-site': 'same-site' }), 403, 'forbidden-origin'],
  ['an extension calling the dashboard API', head('GET', '/api/v1/apps:list', { origin: EXT_FF }), 403, 'forbidden-origin'],
  ['a web page calling the extension endpoint', head('POST', '/api/browser/active-tab', { ...json, ...auth, origin: 'https://evil.example' }), 403, 'forbidden-origin'],
  ['the extension endpoint without Origin', head('POST', '/api/browser/active-tab', { ...json, ...auth }), 403, 'forbidden-origin'],
  ['a fake extension origin', head('POST', '/api/browser/active-tab', { ...json, ...auth, origin: 'chrome-extension://evil.example' }), 403, 'forbidden-origin'],
  ['a web page preflight', head('OPTIONS', '/api/v1/config:set', { origin: 'https://evil.example' }), 403, 'forbidden-origin'],
  ['a simple-request CSRF (text/plain)', head('POST', '/api/v1/data:purge', { 'content-type': 'text/plain', ...auth }), 415, 'unsupported-media-type'],
  ['a form post', head('POST', '/api/v1/capture:pause', { 'content-type': 'application/x-www-form-urlencoded', ...auth }), 415, 'unsupported-media-type'],
  ['JSON look-alike type', head('POST', '/api/v1/capture:pause', { 'content-type': 'application/json-patch+json', ...auth }), 415, 'unsupported-media-type'],
  ['no content type', head('POST', '/api/v1/capture:pause', auth), 415, 'unsupported-media-type'],
  ['a wrong charset', head('POST', '/api/v1/capture:pause', { 'content-type': 'application/json; charset=utf-16', ...auth }), 415, 'unsupported-media-type'],
  ['no token', head('POST', '/api/v1/capture:pause', json), 401, 'unauthorized'],
  ['a wrong token', head('POST', '/api/v1/capture:pause', { ...json, 'x-netmon-token': 'b'.repeat(64) }), 401, 'unauthorized'],
  ['a prefix of the token', head('POST', '/api/v1/capture:pause', { ...json, 'x-netmon-token': TOKEN.slice(0, 63) }), 401, 'unauthorized'],
  ['an empty Bearer', head('POST', '/api/v1/capture:pause', { ...json, authorization: 'Bearer ' }), 401, 'unauthorized'],
  ['a declared oversized body', head('POST', '/api/v1/capture:pause', { ...json, ...auth, 'content-length': '16385' }), 413, 'payload-too-large'],
  ['a command sent as GET', head('GET', '/api/v1/data:purge?since=0&until=10'), 405, 'method-not-allowed'],
  ['a query sent as POST', head('POST', '/api/v1/apps:list', { ...json, ...auth }), 405, 'method-not-allowed'],
  ['PUT on metrics', head('PUT', '/metrics'), 405, 'method-not-allowed'],
  ['OPTIONS without Origin', head('OPTIONS', '/api/v1/apps:list'), 405, 'method-not-allowed'],
  ['an unknown channel', head('GET', '/api/v1/apps:hack'), 404, 'not-found'],
  ['an API path outside v1', head('GET', '/api/v2/apps:list'), 404, 'not-found'],
  ['parameters twice', head('GET', '/api/v1/apps:list?limit=1&limit=2'), 400, 'bad-request'],
  ['a command with a query string', head('POST', '/api/v1/capture:pause?minutes=5', { ...json, ...auth }), 400, 'bad-request'],
  ['path traversal', head('GET', '/../../etc/passwd'), 400, 'bad-request'],
  ['encoded path traversal', head('GET', '/%2e%2e/%2e%2e/etc/passwd'), 400, 'bad-request'],
  ['an encoded slash', head('GET', '/assets%2f..%2f..%2fsecret'), 400, 'bad-request'],
  ['a backslash', head('GET', '/assets\\..\\secret'), 400, 'bad-request'],
  ['a NUL byte', head('GET', '/index.html%00.png'), 400, 'bad-request'],
  ['bad percent-encoding', head('GET', '/%E0%A4%A'), 400, 'bad-request'],
  ['an absolute-form target', head('GET', 'http://evil.example/api/v1/status:get'), 400, 'bad-request'],
];

describe('guardRequest', () => {
  it.each(cases)('%s → %i', (_what, request, status, kindOrCode) => {
    const verdict = guardRequest(request, ctx);
    if (status === 200) {
      expect(verdict.ok).toBe(true);
      if (verdict.ok) expect(verdict.route.kind).toBe(kindOrCode);
    } else {
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) {
        expect(verdict.status).toBe(status);
        expect(verdict.code).toBe(kindOrCode);
        expect(verdict.message.length).toBeGreaterThan(10);
      }
    }
  });

  it('tells the method to use in Allow', () => {
    const verdict = guardRequest(head('GET', '/api/v1/config:set'), ctx);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.headers['Allow']).toBe('POST');
  });

  it('echoes only an extension origin for CORS', () => {
    const ext = guardRequest(head('POST', '/api/browser/active-tab', { ...json, ...auth, origin: EXT_CR }), ctx);
    expect(ext.ok && ext.corsOrigin).toBe(EXT_CR);
    const own = guardRequest(head('GET', '/api/v1/status:get', { origin: `http://localhost:${PORT}`, ...auth }), ctx);
    expect(own.ok && own.corsOrigin).toBe(null);
  });

  it('passes query parameters through as strings', () => {
    const verdict = guardRequest(head('GET', '/api/v1/domains:list?app=Google%20Chrome&since=10&until=20', auth), ctx);
    expect(verdict.ok && verdict.route.kind === 'api' && verdict.route.params).toEqual({ app: 'Google Chrome', since: '10', until: '20' });
  });

  it('serves nothing outside the API when there is no static folder', () => {
    const verdict = guardRequest(head('GET', '/index.html'), { ...ctx, hasStatic: false });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.status).toBe(404);
  });
});

describe('classifyOrigin', () => {
  it.each([
    [undefined, 'none'],
    [`http://127.0.0.1:${PORT}`, 'self'],
    [`http://[::1]:${PORT}`, 'self'],
    [`http://localhost:${PORT}`, 'self'],
    [EXT_FF, 'extension'],
    [EXT_CR, 'extension'],
    [`${EXT_CR}.evil.example`, 'foreign'],
    ['moz-extension://not-a-uuid', 'foreign'],
    [`http://127.0.0.1:${PORT}.evil.example`, 'foreign'],
    ['null', 'foreign'],
  ])('%s is %s', (origin, kind) => {
    expect(classifyOrigin(origin, PORT)).toBe(kind);
  });
});

describe('decodePath', () => {
  it('decodes each segment once', () => {
    expect(decodePath('/api/v1/status%3Aget')).toEqual({ ok: true, segments: ['api', 'v1', 'status:get'] });
  });
  it.each(['/a/../b', '/a/./b', '/%2E%2E/x', '/a%5Cb', '/a%2Fb', 'relative'])('refuses %s', (p) => {
    expect(decodePath(p).ok).toBe(false);
  });
});
