// The renderer's transports: the HTTP client's requests (method, path, query, token header) and its
// handling of failures; the live feed over an EventSource; the Electron bridge client; the pairing
// token taken from the dashboard link. fetch and EventSource are stand-ins that record what the
// client does; the end-to-end tests run the same client against the real server.
import { describe, expect, it } from 'vitest';
import { API_CHANNEL_NAMES, CHANNEL_KINDS } from '../../src-shared/contract/channels.js';
import { httpRequestOf, PAIRING_TOKEN_HEADER, queryString } from '../../src-shared/contract/http.js';
import type { NetmonBridge } from '../../src-shared/contract/ipc.js';
import { API_CHANNELS } from '../../src-shared/contract/schemas.js';
import { isResult, type ChannelFunctions, type LiveEvent } from '../../src-shared/contract/types.js';
import { createBridgeClient, isNetmonBridge } from '../../src-renderer/api/bridge-client.js';
import { parseLiveData, type LiveConnection } from '../../src-renderer/api/client.js';
import { createHttpClient } from '../../src-renderer/api/http-client.js';
import { createTokenStore, isPlausibleToken, takePairToken, type KeyValueStorage } from '../../src-renderer/api/pairing.js';

const TOKEN = 'ab'.repeat(32);

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

function recordingFetch(respond: () => Response | Promise<Response>): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({
      url: input instanceof Request ? input.url : input.toString(),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string> | undefined) },
      body: typeof init?.body === 'string' ? init.body : null,
    });
    return respond();
  };
  return { fetch: fake, sent };
}

const json = (body: unknown, status = 200): Response => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });


describe('pairing token from the dashboard link', () => {
  it.each([
    [`#pair=${TOKEN}`, TOKEN, ''],
    [`#pair=${TOKEN.toUpperCase()}`, TOKEN, ''],
    [`#/settings?pair=${TOKEN}&x=1`, TOKEN, '#/settings?x=1'],
    [`#/overview?pair=${TOKEN}`, TOKEN, '#/overview'],
    ['#pair=short', null, ''],
    ['#/apps?app=Slack', null, '#/apps?app=Slack'],
    ['#/overview', null, '#/overview'],
    ['', null, ''],
  ])('%s', (hash, token, rest) => {
    expect(takePairToken(hash)).toEqual({ token, hash: rest });
  });

  it.each([
    [TOKEN, true],
    [` ${TOKEN}\n`, true],
    [TOKEN.slice(1), false],
    [`${TOKEN.slice(1)}g`, false],
    ['', false],
  ])('%j is a plausible token: %s', (text, ok) => {
    expect(isPlausibleToken(text)).toBe(ok);
  });

  it('keeps the token in storage, or in memory when storage refuses', () => {
    const storage = memoryStorage();
    const tokens = createTokenStore(storage);
    expect(tokens.get()).toBeNull();
    tokens.set(` ${TOKEN.toUpperCase()} `);
    expect(tokens.get()).toBe(TOKEN);
    expect(createTokenStore(storage).get()).toBe(TOKEN);
    tokens.set(null);
    expect(storage.data.size).toBe(0);

    const refusing: KeyValueStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => undefined,
    };
    const fallback = createTokenStore(refusing);
    fallback.set(TOKEN);
    expect(fallback.get()).toBe(TOKEN);
  });
});

describe('HTTP client', () => {
  it.each([
    [{ range: '7d', limit: 5 }, '?range=7d&limit=5'],
    [{ since: 10, until: undefined }, '?since=10'],
    [{ app: 'a b&c' }, '?app=a+b%26c'],
    [{}, ''],
  ])('query string of %j', (request, text) => {
    expect(queryString(request)).toBe(text);
  });

  it('encodes a query string exactly as URLSearchParams does', () => {
    for (const text of ["Slack & Co?", "a+b=c", "!'()*~-._", 'ünïcödé 🙂', '%41', '#/x?y']) {
      expect([text, queryString({ app: text })]).toEqual([text, `?${new URLSearchParams({ app: text }).toString()}`]);
    }
  });

  it('turns each channel into its request line: GET with a query string for queries, POST with JSON for commands', () => {
    expect(httpRequestOf('apps:timeline', { app: 'Slack & Co?', since: 10, until: undefined, bucket: 'auto' })).toEqual({
      method: 'GET',
      path: '/api/v1/apps:timeline?app=Slack+%26+Co%3F&since=10&bucket=auto',
      body: null,
    });
    expect(httpRequestOf('status:get', {})).toEqual({ method: 'GET', path: '/api/v1/status:get', body: null });
    expect(httpRequestOf('data:purge', { since: 1, until: 2 })).toEqual({ method: 'POST', path: '/api/v1/data:purge', body: '{"since":1,"until":2}' });
    for (const channel of API_CHANNEL_NAMES) expect([channel, httpRequestOf(channel, {}).method]).toEqual([channel, API_CHANNELS[channel].kind === 'command' ? 'POST' : 'GET']);
    expect(Object.keys(CHANNEL_KINDS).sort()).toEqual([...API_CHANNEL_NAMES].sort());
  });

  it('refuses a nested value in a query instead of dropping it, without a request', async () => {
    const rec = recordingFetch(() => json({ ok: true, value: null }));
    const client = createHttpClient({ baseUrl: '', tokens: createTokenStore(memoryStorage()), fetch: rec.fetch });
    const result = await client.call('apps:list', { since: { $gt: 1 } } as never);
    expect(result).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/must be a string, number or boolean/) as unknown } });
    expect(rec.sent).toEqual([]);
  });

  it('sends queries as GET with their fields in the query string and no token', async () => {
    const rec = recordingFetch(() => json({ ok: true, value: { since: 1, until: 2, apps: [] } }));
    const client = createHttpClient({ baseUrl: 'http://127.0.0.1:7500/', tokens: createTokenStore(memoryStorage()), fetch: rec.fetch });
    const result = await client.call('apps:list', { range: '7d', limit: 5 });
    expect(result).toEqual({ ok: true, value: { since: 1, until: 2, apps: [] } });
    expect(rec.sent).toEqual([{ url: 'http://127.0.0.1:7500/api/v1/apps:list?range=7d&limit=5', method: 'GET', headers: { Accept: 'application/json' }, body: null }]);
  });

  it('sends queries with the token once paired (every read needs it), and reports a refused token', async () => {
    const rec = recordingFetch(() => json({ ok: false, error: { code: 'unauthorized', message: 'token does not match' } }, 401));
    let refused = 0;
    const tokens = createTokenStore(memoryStorage());
    tokens.set(TOKEN);
    const client = createHttpClient({ baseUrl: '', tokens, fetch: rec.fetch, onUnauthorized: () => (refused += 1) });
    await client.call('apps:list', { range: '7d' });
    expect(rec.sent[0]?.headers).toEqual({ Accept: 'application/json', [PAIRING_TOKEN_HEADER]: TOKEN });
    expect(refused).toBe(1);
  });

  it('sends commands as POST with a JSON body, and the token once paired', async () => {
    const rec = recordingFetch(() => json({ ok: true, value: { paused: false, until: null } }));
    const client = createHttpClient({ baseUrl: '', tokens: createTokenStore(memoryStorage()), fetch: rec.fetch });
    expect(client.canWrite()).toBe(false);
    await client.call('capture:pause', { minutes: 15 });
    client.pair(TOKEN);
    expect(client.canWrite()).toBe(true);
    expect(client.pairable).toBe(true);
    expect(await client.pairingToken()).toBe(TOKEN);
    await client.call('config:set', { log_level: 'debug' });
    client.pair(null);
    expect(client.canWrite()).toBe(false);
    client.pair(TOKEN);
    expect(rec.sent.map((s) => [s.method, s.url, s.headers['Content-Type'], s.headers[PAIRING_TOKEN_HEADER] ?? null, s.body])).toEqual([
      ['POST', '/api/v1/capture:pause', 'application/json', null, '{"minutes":15}'],
      ['POST', '/api/v1/config:set', 'application/json', TOKEN, '{"log_level":"debug"}'],
    ]);
  });

  it('passes the server’s refusals through and turns transport failures into results', async () => {
    const refusal = { ok: false, error: { code: 'unauthorized', message: 'pairing token missing' } };
    const cases: [() => Response | Promise<Response>, string][] = [
      [() => json(refusal, 401), 'unauthorized'],
      [() => Promise.reject(new TypeError('fetch failed')), 'unavailable'],
      [() => new Response('<html>proxy error</html>', { status: 502 }), 'internal'],
      [() => json({ hello: 'world' }), 'internal'],
    ];
    for (const [respond, code] of cases) {
      const client = createHttpClient({ baseUrl: '', tokens: createTokenStore(null), fetch: recordingFetch(respond).fetch });
      const result = await client.call('status:get', {});
      expect(result.ok ? 'ok' : result.error.code).toBe(code);
    }
  });
});

class FakeEventSource {
  readonly listeners = new Map<string, Set<(ev: Event) => void>>();
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(name: string, fn: (ev: Event) => void): void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(fn);
    this.listeners.set(name, set);
  }
  removeEventListener(name: string, fn: (ev: Event) => void): void {
    this.listeners.get(name)?.delete(fn);
  }
  close(): void {
    this.closed = true;
  }
  emit(name: string, data: string): void {
    for (const fn of this.listeners.get(name) ?? []) fn(new MessageEvent(name, { data }));
  }
}

describe('live feed over server-sent events', () => {
  it('delivers parsed events, reports the connection, and closes on unsubscribe', () => {
    let source: FakeEventSource | null = null;
    const client = createHttpClient({
      baseUrl: 'http://127.0.0.1:9',
      tokens: createTokenStore(null),
      eventSource: (url) => (source = new FakeEventSource(url)),
    });
    const events: LiveEvent[] = [];
    const states: LiveConnection[] = [];
    const stop = client.subscribeLive({ onEvent: (m) => events.push(m), onConnection: (s) => states.push(s) });
    const es = source as FakeEventSource | null;
    if (es === null) throw new Error('no EventSource was opened');
    expect(es.url).toBe('http://127.0.0.1:9/api/v1/live');
    es.onopen?.();
    es.emit('rate', JSON.stringify({ ts: 100, intervalS: 5, bytesInPerS: 1, bytesOutPerS: 2, topApps: [] }));
    es.emit('rate', 'not json');
    es.emit('rate', JSON.stringify({ something: 'else' }));
    es.onerror?.();
    stop();
    es.emit('rate', JSON.stringify({ ts: 200, intervalS: 5, bytesInPerS: 1, bytesOutPerS: 2, topApps: [] }));
    expect(events.map((e) => [e.event, e.event === 'rate' ? e.data.ts : null])).toEqual([['rate', 100]]);
    expect(states).toEqual(['connecting', 'open', 'reconnecting']);
    expect(es.closed).toBe(true);
  });

  it.each([
    ['rate', '{"ts":1,"bytesInPerS":0}', 'rate'],
    ['status', '{"sampler":{},"pause":{}}', 'status'],
    ['rate', '[]', null],
    ['rate', 'null', null],
    ['other', '{"ts":1,"bytesInPerS":0}', null],
  ])('a %s frame %s is %s', (event, data, expected) => {
    expect(parseLiveData(event, data)?.event ?? null).toBe(expected);
  });

  it.each([
    [{ ok: true, value: 1 }, true],
    [{ ok: true, value: null }, true],
    [{ ok: true }, false],
    [{ ok: false, error: { code: 'x', message: 'y' } }, true],
    [{ ok: false, error: { code: 1, message: 'y' } }, false],
    [{ ok: false }, false],
    [null, false],
    ['ok', false],
  ])('%j has the shape of a result: %s', (value, ok) => {
    expect(isResult(value)).toBe(ok);
  });
});

describe('Electron bridge client', () => {
  const status = { ok: true, value: { version: '0.1.0' } };
  function bridge(api: Partial<Record<string, (req: unknown) => Promise<unknown>>>): NetmonBridge & { listeners: Set<(m: LiveEvent) => void> } {
    const listeners = new Set<(m: LiveEvent) => void>();
    return {
      api: api as unknown as ChannelFunctions,
      listeners,
      onLive: (fn) => {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
      pairingToken: () => Promise.resolve(TOKEN),
      startAtLogin: {
        get: () => Promise.resolve({ ok: true, value: { supported: true, enabled: false, requiresApproval: false } }),
        set: (enabled) => Promise.resolve({ ok: true, value: { supported: true, enabled, requiresApproval: false } }),
      },
    };
  }

  it('calls the channel’s function and checks what comes back', async () => {
    const seen: unknown[] = [];
    const client = createBridgeClient(
      bridge({
        'status:get': (req) => (seen.push(req), Promise.resolve(status)),
        'usage:live': () => Promise.reject(new Error('ipc closed')),
        'usage:summary': () => Promise.resolve('nonsense'),
      }),
    );
    expect(await client.call('status:get', {})).toEqual(status);
    expect(seen).toEqual([{}]);
    const codes = await Promise.all([client.call('usage:live', {}), client.call('usage:summary', {}), client.call('apps:list', {})]);
    expect(codes.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['unavailable', 'internal', 'not-found']);
    expect(client.canWrite()).toBe(true);
    expect(client.pairable).toBe(false);
    expect(await client.pairingToken()).toBe(TOKEN);
    expect(await client.startAtLogin?.set(true)).toEqual({ ok: true, value: { supported: true, enabled: true, requiresApproval: false } });
  });

  it('forwards live events and unsubscribes', () => {
    const b = bridge({});
    const client = createBridgeClient(b);
    const got: number[] = [];
    const states: LiveConnection[] = [];
    const stop = client.subscribeLive({ onEvent: (m) => m.event === 'rate' && got.push(m.data.ts), onConnection: (s) => states.push(s) });
    for (const fn of b.listeners) fn({ event: 'rate', data: { ts: 7, intervalS: 5, bytesInPerS: 0, bytesOutPerS: 0, topApps: [] } });
    stop();
    expect(got).toEqual([7]);
    expect(states).toEqual(['open']);
    expect(b.listeners.size).toBe(0);
  });

  it('recognises a bridge and nothing else', () => {
    expect(isNetmonBridge(bridge({}))).toBe(true);
    expect(isNetmonBridge({ api: {} })).toBe(false);
    expect(isNetmonBridge(undefined)).toBe(false);
  });
});

describe('live feed over fetch (it carries the token, which EventSource cannot)', () => {
  it('sends the token, parses named events and retry, and stops on close', async () => {
    const seen: Array<Record<string, string>> = [];
    const frames = ['retry: 5000\n\n', ': keep-alive\n\nevent: rate\ndata: {"ts":7,"intervalS":5,', '"bytesInPerS":1,"bytesOutPerS":2,"topApps":[]}\n\n', 'event: status\r\ndata: not json\r\n\r\n'];
    const fake: typeof fetch = (_input, init) => {
      seen.push({ ...(init?.headers as Record<string, string>) });
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const f of frames) controller.enqueue(new TextEncoder().encode(f));
        },
      });
      return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }));
    };
    const tokens = createTokenStore(null);
    tokens.set(TOKEN);
    const client = createHttpClient({ baseUrl: '', tokens, fetch: fake });
    const events: LiveEvent[] = [];
    const states: LiveConnection[] = [];
    const stop = client.subscribeLive({ onEvent: (m) => events.push(m), onConnection: (st) => states.push(st) });
    for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    stop();
    expect(seen[0]?.[PAIRING_TOKEN_HEADER]).toBe(TOKEN);
    expect(events.map((e) => [e.event, e.event === 'rate' ? e.data.ts : null])).toEqual([['rate', 7]]);
    expect(states.slice(0, 2)).toEqual(['connecting', 'open']);
  });
});
