// The extension's pure parts: what of a URL may leave (the hostname), the bounded queue, byte counts
// per request, settings and the pairing box, and the client's reading of netmon's answers.
import { describe, expect, it } from 'vitest';
import { ByteTally, bytesOfRequest, chunks } from '../../extension/src/lib/bytes.js';
import { post, type FetchLike } from '../../extension/src/lib/client.js';
import { hostOfRequestUrl, hostOfUrl } from '../../extension/src/lib/hostname.js';
import { SessionWriter } from '../../extension/src/lib/persist.js';
import { PrivateTabs } from '../../extension/src/lib/private-tabs.js';
import { BoundedQueue } from '../../extension/src/lib/queue.js';
import { detectBrowser, parsePairingInput, parseSettings } from '../../extension/src/lib/settings.js';

const TOKEN = 'ab'.repeat(32);

describe('hostOfRequestUrl: WebSocket handshakes count like pages', () => {
  it.each([
    ['wss://chat.example.com/socket?session=s3cret', 'chat.example.com'],
    ['ws://Feed.Example.net:8080/live', 'feed.example.net'],
    ['https://www.example.org/a?b', 'www.example.org'],
    ['ws://127.0.0.1:7500/x', null],
    ['wss://localhost/', null],
    ['ftp://files.example.com/', null],
  ])('%s → %s', (url, host) => {
    expect(hostOfRequestUrl(url)).toBe(host);
  });

  it('the active tab stays http(s)', () => {
    expect(hostOfUrl('wss://chat.example.com/')).toBeNull();
  });
});

describe('PrivateTabs: what counts as a private window in Chromium (no incognito flag on requests)', () => {
  it('judges nothing before the start-up scan, then goes by the tab', async () => {
    const lookedUp: number[] = [];
    const tabs = new PrivateTabs({ getTab: (id) => (lookedUp.push(id), id === 9 ? Promise.resolve({ incognito: true }) : Promise.reject(new Error('no tab'))) });
    let decided: boolean | null = null;
    // A request that arrives before the scan (a worker woken by webRequest) waits for it.
    const early = tabs.isPrivate({ tabId: 3 }).then((p) => (decided = p));
    await Promise.resolve();
    expect(decided).toBeNull();
    tabs.note({ id: 3, incognito: true });
    tabs.note({ id: 4, incognito: false });
    tabs.started(true);
    await early;
    expect(decided).toBe(true);
    expect(await tabs.isPrivate({ tabId: 4 })).toBe(false);
    // A tab not seen yet (an incognito tab's first response before tabs.onUpdated): looked up.
    expect(await tabs.isPrivate({ tabId: 9 })).toBe(true);
    expect(lookedUp).toEqual([9]);
    // Gone already, or no tab at all (a service worker, tabId -1): private while the extension may run there.
    expect(await tabs.isPrivate({ tabId: 12 })).toBe(true);
    expect(await tabs.isPrivate({ tabId: -1 })).toBe(true);
  });

  it('a worker request is not private when the extension is kept out of private windows; Firefox says so itself', async () => {
    const tabs = new PrivateTabs({ getTab: () => Promise.reject(new Error('no tab')) });
    tabs.started(false);
    expect(await tabs.isPrivate({ tabId: -1 })).toBe(false);
    expect(await tabs.isPrivate({ tabId: -1, incognito: true })).toBe(true);
    expect(await tabs.isPrivate({ tabId: 5, incognito: false })).toBe(false);
  });
});

describe('hostOfUrl: only the hostname leaves the extension', () => {
  it.each([
    ['https://www.netflix.com/watch/81234?trackId=5#t=10', 'www.netflix.com'],
    ['http://user:pw@Example.COM:8080/a/b?c=d', 'example.com'],
    ['https://bücher.example/', 'xn--bcher-kva.example'],
    ['https://example.com./', 'example.com'],
    ['https://198.51.100.7/x', null],
    ['http://[2001:db8::1]/', null],
    ['http://0x7f.1/', null], // the URL parser makes this 127.0.0.1
    ['http://localhost:7500/api', null],
    ['http://app.localhost/', null],
    ['about:blank', null],
    ['chrome://settings', null],
    ['moz-extension://0b1c/options.html', null],
    ['file:///home/me/secret.html', null],
    ['not a url', null],
    ['', null],
    [undefined, null],
  ])('%s → %s', (url, host) => {
    expect(hostOfUrl(url)).toBe(host);
  });
});

describe('BoundedQueue', () => {
  it('keeps at most maxItems, dropping the oldest, and counts them', () => {
    const q = new BoundedQueue<number>(60_000, 3);
    for (let i = 1; i <= 5; i++) q.push(i, i);
    expect(q.snapshot().map((x) => x.value)).toEqual([3, 4, 5]);
    expect(q.dropped).toBe(2);
  });

  it('drops items older than maxAgeMs', () => {
    const q = new BoundedQueue<string>(10_000, 100);
    q.push('old', 0);
    q.push('mid', 5_000);
    q.push('new', 12_000);
    // At 15 000: older than 5 000 goes.
    expect(q.prune(15_000)).toBe(1);
    expect(q.snapshot().map((x) => x.value)).toEqual(['mid', 'new']);
    expect(q.shift()?.value).toBe('mid');
    expect(q.size).toBe(1);
  });

  it('restores saved items in time order, within the limits', () => {
    const q = new BoundedQueue<string>(10_000, 3);
    q.push('now', 20_000);
    q.restore(
      [
        { atMs: 5_000, value: 'too old' },
        { atMs: 15_000, value: 'a' },
        { atMs: 16_000, value: 'b' },
        { atMs: 17_000, value: 'c' },
      ],
      20_000,
    );
    expect(q.snapshot().map((x) => x.value)).toEqual(['b', 'c', 'now']);
  });
});

describe('bytesOfRequest', () => {
  it.each([
    ['Firefox sizes, headers included', { ip: '198.51.100.1', requestSize: 480, responseSize: 200_116 }, { bytesIn: 200_116, bytesOut: 480, estimate: false }],
    ['Firefox without a measured size (a fetch): Content-Length, an estimate', { requestSize: 0, responseSize: 0, responseHeaders: [{ name: 'content-length', value: '2400000' }] }, { bytesIn: 2_400_000, bytesOut: 0, estimate: true }],
    ['Chromium: Content-Length, an estimate', { responseHeaders: [{ name: 'Content-Length', value: ' 5000 ' }] }, { bytesIn: 5000, bytesOut: 0, estimate: true }],
    ['Chromium without a length', { responseHeaders: [{ name: 'content-type', value: 'text/html' }] }, { bytesIn: 0, bytesOut: 0, estimate: true }],
    ['a length that is not a number', { responseHeaders: [{ name: 'content-length', value: '12abc' }] }, { bytesIn: 0, bytesOut: 0, estimate: true }],
    ['served from the cache: nothing crossed the network', { fromCache: true, responseSize: 999 }, null],
  ])('%s', (_what, details, expected) => {
    expect(bytesOfRequest(details)).toEqual(expected);
  });

  it('ByteTally sums per host, address and kind, largest first, and starts again', () => {
    const t = new ByteTally();
    t.add('a.test', '198.51.100.1', 100, 10, true);
    t.add('a.test', '198.51.100.1', 50, 0, true);
    t.add('a.test', '198.51.100.2', 500, 0, true);
    t.add('b.test', null, 1, 1, false);
    expect(t.take()).toEqual([
      { domain: 'a.test', ip: '198.51.100.2', bytesIn: 500, bytesOut: 0, estimate: true },
      { domain: 'a.test', ip: '198.51.100.1', bytesIn: 150, bytesOut: 10, estimate: true },
      { domain: 'b.test', ip: null, bytesIn: 1, bytesOut: 1, estimate: false },
    ]);
    expect(t.size).toBe(0);
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('ByteTally keeps when the transfers of a host ran: first start to last end', () => {
    const t = new ByteTally();
    t.add('a.test', '198.51.100.1', 0, 0, false, 5_000); // the response started: a sighting
    t.add('a.test', '198.51.100.1', 900, 100, false, 5_000, 7_500);
    t.add('a.test', '198.51.100.1', 50, 0, false, 3_000, 4_000);
    expect(t.take()).toEqual([{ domain: 'a.test', ip: '198.51.100.1', bytesIn: 950, bytesOut: 100, estimate: false, startedAt: 3_000, endedAt: 7_500 }]);
  });
});

describe('settings and pairing input', () => {
  it('parseSettings keeps good values and defaults the rest', () => {
    expect(parseSettings({ token: TOKEN, port: 7600, reportPrivate: true, browser: 'zen' })).toEqual({ token: TOKEN, port: 7600, reportPrivate: true, browser: 'zen' });
    expect(parseSettings({ token: 'short', port: 70_000, reportPrivate: 'yes', browser: '<b>' })).toEqual({ token: '', port: 7500, reportPrivate: false, browser: null });
    expect(parseSettings(null)).toEqual({ token: '', port: 7500, reportPrivate: false, browser: null });
  });

  it.each([
    [TOKEN, { ok: true, token: TOKEN, port: null }],
    [`  ${TOKEN.toUpperCase()}  `, { ok: true, token: TOKEN, port: null }],
    [`http://127.0.0.1:7612/#pair=${TOKEN}`, { ok: true, token: TOKEN, port: 7612 }],
    [`http://localhost:7500/#/overview&pair=${TOKEN}`, { ok: true, token: TOKEN, port: 7500 }],
    [`http://localhost:7500/#pair=${TOKEN}`, { ok: true, token: TOKEN, port: 7500 }],
    [`https://evil.example/#pair=${TOKEN}`, { ok: false }],
    ['http://127.0.0.1:7500/', { ok: false }],
    ['hello', { ok: false }],
  ])('pairing input %s', (input, expected) => {
    expect(parsePairingInput(input)).toMatchObject(expected);
  });

  it.each([
    [{ name: 'Zen' }, 'zen'],
    [{ name: 'Firefox' }, 'firefox'],
    [{ brands: ['Not)A;Brand', 'Chromium'] }, 'chromium'],
    [{ brands: ['Chromium', 'Google Chrome'] }, 'chrome'],
    [{ brands: ['Chromium', 'Microsoft Edge'] }, 'edge'],
    [{ brands: ['Brave', 'Chromium'] }, 'brave'],
    [{}, 'chromium'],
  ])('detectBrowser(%j) → %s', (info, name) => {
    expect(detectBrowser(info)).toBe(name);
  });
});

describe('post: what netmon answered, sorted', () => {
  const item = { path: '/api/browser/active-tab' as const, body: { domain: 'a.test', timestamp: 1, browser: 'zen' } };
  const answering =
    (status: number, body = '', headers: Record<string, string> = {}): FetchLike =>
    () =>
      Promise.resolve({ status, headers: { get: (n: string) => headers[n.toLowerCase()] ?? null }, text: () => Promise.resolve(body) });

  it('sends the token in its header, JSON, to 127.0.0.1 at the port', async () => {
    const seen: { url: string; headers: Record<string, string>; body: string }[] = [];
    const fetchFn: FetchLike = (url, init) => {
      seen.push({ url, headers: init.headers, body: init.body });
      return answering(200)(url, init);
    };
    expect(await post(fetchFn, 7612, TOKEN, item)).toEqual({ kind: 'ok' });
    expect(seen).toEqual([{ url: 'http://127.0.0.1:7612/api/browser/active-tab', headers: { 'Content-Type': 'application/json', 'x-netmon-token': TOKEN }, body: JSON.stringify(item.body) }]);
  });

  it.each([
    [401, '{"ok":false,"error":{"code":"unauthorized","message":"pairing token does not match"}}', {}, { kind: 'not-paired', detail: 'pairing token does not match' }],
    [429, '', { 'retry-after': '3' }, { kind: 'busy', retryAfterMs: 3000 }],
    [400, '{"ok":false,"error":{"code":"bad-request","message":"domain is an IP address"}}', {}, { kind: 'refused', status: 400, detail: 'domain is an IP address' }],
    [413, '{"ok":false,"error":{"code":"too-large","message":"body over 64 KB"}}', {}, { kind: 'refused', status: 413, detail: 'body over 64 KB' }],
    // The link refused, not the report: a problem to show, never a silent drop.
    [403, '{"ok":false,"error":{"code":"forbidden","message":"origin not allowed"}}', {}, { kind: 'problem', status: 403, detail: 'netmon refused the reports (HTTP 403: origin not allowed)' }],
    [404, '', {}, { kind: 'problem', status: 404, detail: 'netmon refused the reports (HTTP 404)' }],
    [415, '', {}, { kind: 'problem', status: 415, detail: 'netmon refused the reports (HTTP 415)' }],
    [421, '', {}, { kind: 'problem', status: 421, detail: 'netmon refused the reports (HTTP 421)' }],
    [503, '', {}, { kind: 'not-running', detail: 'netmon answered 503' }],
  ])('status %i', async (status, body, headers, expected) => {
    expect(await post(answering(status, body, headers), 7500, TOKEN, item)).toEqual(expected);
  });

  it('no answer at all is "not running"; no token is "not paired" without asking', async () => {
    const refusedConnection: FetchLike = () => Promise.reject(new TypeError('fetch failed'));
    expect(await post(refusedConnection, 7500, TOKEN, item)).toEqual({ kind: 'not-running', detail: 'fetch failed' });
    let called = false;
    const spy: FetchLike = (u, i) => ((called = true), answering(200)(u, i));
    expect(await post(spy, 7500, '', item)).toMatchObject({ kind: 'not-paired' });
    expect(called).toBe(false);
  });
});

describe('SessionWriter: state kept in storage.session without timers', () => {
  it('writes each change at once; changes during a write are folded into one more write of the latest value', async () => {
    const writes: number[] = [];
    let release: () => void = () => undefined;
    let value = 1;
    const writer = new SessionWriter(
      (v) => {
        writes.push(v as number);
        return new Promise<void>((resolve) => (release = resolve));
      },
      () => value,
    );
    writer.touch();
    expect(writes).toEqual([1]);
    value = 2;
    writer.touch();
    value = 3;
    writer.touch();
    expect(writes).toEqual([1]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(writes).toEqual([1, 3]);
    release();
    await writer.settled();
    expect(writes).toEqual([1, 3]);
  });
});
