// The extension's built background script (the Firefox build) run against a fake `browser` API and a
// fake netmon (fetch): what no pure part shows, such as a browser without `windows` (Firefox for
// Android, which the manifest declares) and a pairing link opened for another port.
import { createHmac, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTarget } from '../../extension/build.js';

const T1 = '1'.repeat(64);
const T2 = '2'.repeat(64);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Listener = (...args: unknown[]) => unknown;
interface FakeEvent {
  addListener(l: Listener): void;
  listeners: Listener[];
}
const event = (): FakeEvent => {
  const listeners: Listener[] = [];
  return { listeners, addListener: (l) => listeners.push(l) };
};
const area = (init: Record<string, unknown> = {}) => {
  const data: Record<string, unknown> = { ...init };
  return {
    data,
    get: (keys?: string | string[] | null) => Promise.resolve(Object.fromEntries((keys === null || keys === undefined ? Object.keys(data) : [keys].flat()).filter((k) => k in data).map((k) => [k, data[k]]))),
    set: (items: Record<string, unknown>) => Promise.resolve(void Object.assign(data, items)),
  };
};

/** A browser with the given parts, netmon answering on the ports of `netmon` (port → its token), and the background loaded. */
function runBackground(script: string, options: { windows: boolean; settings: Record<string, unknown>; netmon: Record<number, string>; tab: { url: string }; hang?: boolean; session?: ReturnType<typeof area> }) {
  const posts: { port: number; path: string; body: Record<string, unknown> }[] = [];
  const badges: string[] = [];
  const local = area({ settings: options.settings });
  const session = options.session ?? area();
  const onMessage = event();
  const tab = { id: 1, windowId: 1, active: true, incognito: false, url: options.tab.url };
  const base = 'moz-extension://fake-uuid/';
  const browser: Record<string, unknown> = {
    runtime: { id: 'netmon@test', getURL: (p: string) => base + p, openOptionsPage: () => Promise.resolve(), sendMessage: () => Promise.resolve(), getBrowserInfo: () => Promise.resolve({ name: 'Firefox', version: '142.0' }), onMessage, onStartup: event(), onInstalled: event() },
    tabs: { query: () => Promise.resolve([tab]), get: () => Promise.resolve(tab), create: () => Promise.resolve(tab), onCreated: event(), onActivated: event(), onUpdated: event(), onRemoved: event() },
    webRequest: { onResponseStarted: event(), onCompleted: event(), onErrorOccurred: event() },
    storage: { local, session, onChanged: event() },
    action: { setBadgeText: (d: { text: string }) => Promise.resolve(void badges.push(d.text)), setBadgeBackgroundColor: () => Promise.resolve(), setTitle: () => Promise.resolve(), onClicked: event() },
    alarms: { create: () => undefined, onAlarm: event() },
    permissions: { contains: () => Promise.resolve(true), request: () => Promise.resolve(true), onAdded: event(), onRemoved: event() },
    extension: { isAllowedIncognitoAccess: () => Promise.resolve(false) },
  };
  if (options.windows) browser['windows'] = { WINDOW_ID_NONE: -1, getLastFocused: () => Promise.resolve({ id: 1, focused: true, incognito: false }), onFocusChanged: event() };
  const fetch = (url: string, init: { method: string; body?: string }) => {
    const u = new URL(url);
    const port = Number(u.port);
    // netmon taking its time: no answer yet.
    if (options.hang === true) return new Promise<never>(() => undefined);
    const token = options.netmon[port];
    if (token === undefined) return Promise.reject(new TypeError('NetworkError when attempting to fetch resource.'));
    if (u.pathname === '/api/auth/prove') {
      const proof = createHmac('sha256', token).update(`netmon-server-proof-v1\n127.0.0.1:${port}\n${u.searchParams.get('nonce') ?? ''}`).digest('hex');
      return Promise.resolve({ status: 200, headers: { get: () => null }, text: () => Promise.resolve(JSON.stringify({ ok: true, value: { proof } })) });
    }
    posts.push({ port, path: u.pathname, body: JSON.parse(init.body ?? '{}') as Record<string, unknown> });
    return Promise.resolve({ status: 200, headers: { get: () => null }, text: () => Promise.resolve('{"ok":true,"value":{}}') });
  };
  const context = vm.createContext({ browser, fetch, crypto: webcrypto, setTimeout, clearTimeout, setInterval, clearInterval, TextEncoder, AbortController, URL, URLSearchParams, navigator: {}, console });
  const timers: unknown[] = [];
  vm.runInContext(script, context);
  /** Sends a message as `fromUrl` would, and resolves with the background's answer (or undefined when it gave none). */
  const message = (msg: unknown, fromUrl: string): Promise<unknown> =>
    new Promise((resolve) => {
      let answered = false;
      const keep = onMessage.listeners[0]?.(msg, { id: 'netmon@test', url: fromUrl }, (r: unknown) => {
        answered = true;
        resolve(r);
      });
      if (keep !== true && !answered) resolve(undefined);
    });
  const webRequest = browser['webRequest'] as Record<'onResponseStarted' | 'onCompleted', FakeEvent>;
  return { posts, badges, local, session, message, webRequest, options: `${base}options.html`, timers };
}

let dir: string;
let script: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-ext-bg-'));
  await buildTarget('firefox', dir);
  script = readFileSync(path.join(dir, 'background.js'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the background script against a fake browser and netmon', () => {
  it('runs without the windows API (Firefox for Android) and still reports the active tab', async () => {
    const bg = runBackground(script, { windows: false, settings: { token: T1, port: 7500 }, netmon: { 7500: T1 }, tab: { url: 'https://news.example.org/article?id=1' } });
    await sleep(800);
    const tabs = bg.posts.filter((p) => p.path === '/api/browser/active-tab').map((p) => p.body['domain']);
    expect(tabs).toContain('news.example.org');
  });

  it('a pairing link for another port is offered on the options page, and pairs with that port only when the user takes it', async () => {
    const bg = runBackground(script, { windows: true, settings: { token: T1, port: 7500 }, netmon: { 7500: T1, 7600: T2 }, tab: { url: 'about:blank' } });
    await sleep(300);
    // The content script on netmon's page at port 7600 hands over its token.
    expect(await bg.message({ type: 'pair', token: T2, port: 7600, source: 'link' }, `http://127.0.0.1:7600/#pair=${T2}`)).toBeUndefined();
    await sleep(50);
    const before = (await bg.message({ type: 'status' }, bg.options)) as { linkOffer: number | null; port: number };
    expect(before).toMatchObject({ linkOffer: 7600, port: 7500 });
    // Nothing changed by the link alone.
    expect(bg.local.data['settings']).toMatchObject({ token: T1, port: 7500 });
    // A web page cannot take the offer; the options page can.
    expect(await bg.message({ type: 'accept-link' }, 'https://evil.example/')).toBeUndefined();
    const taken = (await bg.message({ type: 'accept-link' }, bg.options)) as { saved?: boolean; port: number; linkOffer: number | null };
    expect(taken).toMatchObject({ saved: true, port: 7600, linkOffer: null });
    expect(bg.local.data['settings']).toMatchObject({ token: T2, port: 7600 });
  });
});

describe('the background: what the options page and the badge are told (review m7, m8)', () => {
  it('the badge is not blank (blank is connected) while netmon has not answered yet', async () => {
    const bg = runBackground(script, { windows: true, settings: { token: T1, port: 7500 }, netmon: { 7500: T1 }, tab: { url: 'about:blank' }, hang: true });
    await sleep(300);
    expect(bg.badges.length).toBeGreaterThan(0);
    expect(bg.badges.at(-1)).not.toBe('');
  });

  it('"Test connection" tries the port in the field, saves nothing, and says what that port answered', async () => {
    const bg = runBackground(script, { windows: true, settings: { token: T1, port: 7500 }, netmon: { 7600: T1 }, tab: { url: 'about:blank' } });
    await sleep(300);
    const reply = (await bg.message({ type: 'test', port: 7600 }, bg.options)) as { tested?: { port: number; outcome: string }; port: number };
    expect(reply).toMatchObject({ tested: { port: 7600, outcome: 'connected' }, port: 7500 });
    expect(bg.local.data['settings']).toMatchObject({ port: 7500 });
    const other = (await bg.message({ type: 'test', port: 7700 }, bg.options)) as { tested?: { port: number; outcome: string } };
    expect(other.tested?.port).toBe(7700);
    expect(other.tested?.outcome).not.toBe('connected');
  });

  it('who sent a message is taken from the sender, not the message: a page cannot pose as the options page', async () => {
    const bg = runBackground(script, { windows: true, settings: { token: T1, port: 7500 }, netmon: { 7500: T1, 7600: T2 }, tab: { url: 'about:blank' } });
    await sleep(300);
    // From netmon's own page (where the pairing content script runs), claiming to be the options page.
    expect(await bg.message({ type: 'pair', token: T2, port: 7600, source: 'options' }, 'http://127.0.0.1:7500/')).toBeUndefined();
    expect(await bg.message({ type: 'status' }, 'https://evil.example/')).toBeUndefined();
    expect(await bg.message({ type: 'unpair' }, 'http://127.0.0.1:7500/')).toBeUndefined();
    // A link whose page is not netmon's port it names.
    expect(await bg.message({ type: 'pair', token: T2, port: 7500, source: 'link' }, 'http://127.0.0.1:7600/')).toBeUndefined();
    await sleep(50);
    expect(bg.local.data['settings']).toMatchObject({ token: T1, port: 7500 });
  });
});

describe('the background: what a stopped worker leaves (review m1)', () => {
  it('bytes counted and not yet reported are kept in storage.session and reported by the next worker', async () => {
    // The first worker: netmon does not answer; a download completes; the worker stops before its 5-s report.
    const first = runBackground(script, { windows: true, settings: { token: T1, port: 7500 }, netmon: {}, tab: { url: 'about:blank' } });
    await sleep(300);
    const now = Date.now();
    const d = { requestId: '7', url: 'https://files.example.net/big?x=1', tabId: 1, incognito: false, ip: '203.0.113.5', requestSize: 100, responseSize: 50_000 };
    first.webRequest.onResponseStarted.listeners[0]?.({ ...d, timeStamp: now - 2000 });
    first.webRequest.onCompleted.listeners[0]?.({ ...d, timeStamp: now });
    await sleep(200);
    // The next worker, on the same session storage, with netmon answering.
    const next = runBackground(script, { windows: true, settings: { token: T1, port: 7500 }, netmon: { 7500: T1 }, tab: { url: 'about:blank' }, session: first.session });
    await sleep(800);
    const entries = next.posts.filter((p) => p.path === '/api/browser/bytes').flatMap((p) => p.body['entries'] as { domain: string; bytesIn: number; startedAt?: number }[]);
    const files = entries.filter((e) => e.domain === 'files.example.net');
    expect(files.map((e) => e.bytesIn)).toEqual([50_000]);
    expect(files[0]?.startedAt).toBe(now - 2000);
  });
});
