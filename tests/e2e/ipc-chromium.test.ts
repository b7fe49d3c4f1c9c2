// The typed IPC path for real: the renderer's production build in Debian's Chromium, served by the
// shell's own app-scheme handler (serveAppRequest, with its CSP), given `window.netmon` by the real
// preload bundle, whose `ipcRenderer` reaches the shell's real `registerIpc` (sender checks,
// validation, Result envelopes) over a loopback (ipc-loopback.ts), in front of the engine the shell
// starts (startRuntime) on a demo folder. Every page shows the same figures through IPC as the same
// build shows over HTTP from the same engine; the live feed arrives by push; writes land; a page
// that is not ours is refused; and the IPC page never touches the HTTP API.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_DIST, launchChromium, newContext, runDemo, tempDataDir, watchErrors } from '../../bench/renderer.js';
import { rendererLocation, serveAppRequest } from '../../src-main/electron/app-url.js';
import type { IpcRegistration } from '../../src-main/electron/ipc-main.js';
import { registerIpcOnRuntime } from '../helpers/ipc-runtime.js';
import { startRuntime, type Runtime } from '../../src-main/runtime.js';
import type { Browser } from 'playwright-core';
import type { LiveRate } from '../../src-shared/contract/types.js';
import { screenshot } from './fixture.js';
import { LoopbackIpcMain } from './ipc-loopback.js';

/** The origin the IPC pages load from (intervened by the test, never resolved): the shell's dev-server form of its own location. */
const APP_ORIGIN = 'http://netmon-app.test';
const location = rendererLocation(`${APP_ORIGIN}/index.html`);

let data: { dir: string; remove: () => void };
let runtime: Runtime;
let ipcMain: LoopbackIpcMain;
let registration: IpcRegistration;
let browser: Browser;
/** The wall clock the engine and both browsers share (frozen, so that "the last 24 h" is one range for both). */
let nowMs = 0;

interface Side {
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** API requests this page sent over HTTP. */
  apiRequests: string[];
}
let http: Side;
let ipc: Side;

async function openSide(attach: boolean): Promise<Side> {
  const context = await newContext(browser);
  await context.clock.setFixedTime(nowMs);
  if (attach) {
    await ipcMain.attach(context);
    // The shell's app:// handler answers for the app's origin.
    await context.route(`${APP_ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      const res = await serveAppRequest(RENDERER_DIST, { url: `app://netmon${url.pathname}`, method: route.request().method() });
      await route.fulfill({ status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) });
    });
  }
  const page = await context.newPage();
  const errors = watchErrors(page);
  const apiRequests: string[] = [];
  page.on('request', (req) => {
    if (req.url().includes('/api/')) apiRequests.push(req.url());
  });
  return { context, page, errors, apiRequests };
}

beforeAll(async () => {
  data = tempDataDir('netmon-e2e-ipc-');
  await runDemo(data.dir, 30);
  nowMs = Date.now();
  // The engine as the shell starts it; an hour-long interval, so nothing new is stored while the pages are compared.
  runtime = await startRuntime({
    dataDir: data.dir,
    port: 0,
    sampler: 'linux',
    intervalS: 3600,
    staticDir: RENDERER_DIST,
    logToFile: false,
    clock: { now: () => nowMs, mono: () => performance.now() },
  });
  ipcMain = new LoopbackIpcMain();
  registration = registerIpcOnRuntime(ipcMain.asMainIpc, runtime, (url) => location.isOwn(url));
  browser = await launchChromium();
  http = await openSide(false);
  ipc = await openSide(true);
  await http.page.goto(`${runtime.server.url}/#pair=${runtime.token}`);
  await ipc.page.goto(location.pageUrl('#/overview'));
  await Promise.all([http.page, ipc.page].map((p) => p.waitForSelector('[data-testid="page-overview"]')));
});

afterAll(async () => {
  await browser?.close();
  registration?.dispose();
  await runtime?.stop();
  data?.remove();
});

/** What a page shows: its text, its form values, and the data attributes of every element the tests name (run in the page). */
const FIGURES_JS = `(id) => {
  const root = document.querySelector('[data-testid="' + id + '"]');
  if (!(root instanceof HTMLElement)) return ['(no page)'];
  const lines = root.innerText.split('\\n').map((l) => l.trim()).filter((l) => l !== '');
  for (const field of root.querySelectorAll('input, select, textarea')) {
    lines.push('field ' + (field.name || field.id || field.getAttribute('aria-label') || field.type) + '=' + (field.type === 'checkbox' ? String(field.checked) : field.value));
  }
  for (const el of root.querySelectorAll('[data-testid]')) {
    lines.push([...el.attributes].filter((a) => a.name.startsWith('data-')).map((a) => a.name + '=' + a.value).join(' '));
  }
  return lines;
}`;

async function figures(page: Page, testId: string): Promise<string[]> {
  return page.evaluate<string[]>(`(${FIGURES_JS})(${JSON.stringify(testId)})`);
}

/** Evaluates `expression` in the page, where `netmon` is the page's `window.netmon`. */
function inPage(page: Page, expression: string): Promise<unknown> {
  return page.evaluate<unknown>(`(async () => { const netmon = window.netmon; return ${expression}; })()`);
}

/** Shows a route on both sides and waits until both have their data and hold still; returns what each shows. */
async function showBoth(route: string, testId: string): Promise<{ viaHttp: string[]; viaIpc: string[] }> {
  // A fresh load each time (from a blank page), so every figure is asked for anew.
  await Promise.all([http.page, ipc.page].map((p) => p.goto('about:blank')));
  await Promise.all([http.page.goto(`${runtime.server.url}/#/${route}`), ipc.page.goto(location.pageUrl(`#/${route}`))]);
  await Promise.all([http.page, ipc.page].map((p) => p.waitForSelector(`[data-testid="${testId}"][data-ready="true"]`, { timeout: 30_000 })));
  // Charts draw and per-row details fill in after "ready": wait until each side reads the same twice in a row.
  const settled = async (page: Page): Promise<string[]> => {
    let last = await figures(page, testId);
    await expect
      .poll(async () => {
        const now = await figures(page, testId);
        const same = JSON.stringify(now) === JSON.stringify(last) && !now.some((l) => l === '…' || l.includes('loading'));
        last = now;
        return same;
      }, { timeout: 30_000, interval: 700 })
      .toBe(true);
    return last;
  };
  const [viaHttp, viaIpc] = await Promise.all([settled(http.page), settled(ipc.page)]);
  return { viaHttp, viaIpc };
}

/**
 * What only one transport shows, on purpose: the shell's pages offer start at login (the bridge's
 * startAtLogin), a browser tab offers to forget its pairing token (IPC needs none).
 */
const ONLY_VIA: Readonly<Record<string, { ipc: string[]; http: string[] }>> = {
  settings: { ipc: ['Start netmon at login', 'field checkbox=false', 'data-testid=start-at-login'], http: ['forget'] },
};

const PAGES: ReadonlyArray<[route: string, testId: string]> = [
  ['overview', 'page-overview'],
  ['history', 'page-history'],
  ['apps', 'page-apps'],
  ['domains', 'page-domains'],
  ['changes', 'page-changes'],
  ['settings', 'page-settings'],
  ['popover', 'popover'],
];

describe('the renderer over the shell IPC, in Chromium', () => {
  it('the page has the preload bridge and picks it', async () => {
    expect(await inPage(ipc.page, 'Object.keys(netmon).sort()')).toEqual(['api', 'onLive', 'pairingToken', 'startAtLogin']);
    expect(await http.page.evaluate<boolean>("'netmon' in window")).toBe(false);
  });

  for (const [route, testId] of PAGES) {
    it(`${route}: the same figures through IPC as through HTTP`, async () => {
      const before = ipcMain.invoked.length;
      const { viaHttp, viaIpc } = await showBoth(route, testId);
      const only = ONLY_VIA[route] ?? { ipc: [], http: [] };
      for (const line of only.ipc) expect(viaIpc).toContain(line);
      for (const line of only.http) expect(viaHttp).toContain(line);
      expect(viaIpc.filter((l) => !only.ipc.includes(l))).toEqual(viaHttp.filter((l) => !only.http.includes(l)));
      // Real content, not two equal empty states: figures with units or rows of data.
      expect(viaIpc.join('\n')).toMatch(/\d(\.\d+)? ?(B|KB|MB|GB)\b/);
      // The IPC page asked main for its data and sent nothing to the HTTP API.
      expect(ipcMain.invoked.length).toBeGreaterThan(before);
      expect(ipc.apiRequests).toEqual([]);
      expect(http.apiRequests.length).toBeGreaterThan(0);
      await screenshot(ipc.page, `ipc-${route}`);
      expect(ipc.errors).toEqual([]);
      expect(http.errors).toEqual([]);
    });
  }

  it('the live feed is pushed to the page that subscribed', async () => {
    await Promise.all([http.page, ipc.page].map((p) => p.goto('about:blank')));
    await Promise.all([http.page.goto(`${runtime.server.url}/#/overview`), ipc.page.goto(location.pageUrl('#/overview'))]);
    await expect.poll(() => registration.liveSubscribers(), { timeout: 20_000 }).toBe(1);
    const rate: LiveRate = { ts: Math.floor(nowMs / 1000), intervalS: 5, bytesInPerS: 2_345_678, bytesOutPerS: 123_456, topApps: [{ app: 'Firefox', bytesInPerS: 2_000_000, bytesOutPerS: 100_000 }] };
    runtime.live.publish({ event: 'rate', data: rate });
    for (const page of [ipc.page, http.page]) await page.waitForSelector('[data-testid="live-gauge"][data-live="live"]', { timeout: 20_000 });
    const rateIn = async (page: Page): Promise<string | null> => page.getByTestId('rate-in').first().textContent();
    expect(await rateIn(ipc.page)).toBe(await rateIn(http.page));
    expect(await rateIn(ipc.page)).toMatch(/2\.3\d? MB\/s/);
    // A window that left our pages gets nothing more: the next push drops it.
    await ipc.page.goto('about:blank');
    runtime.live.publish({ event: 'rate', data: { ...rate, ts: rate.ts + 5 } });
    expect(registration.liveSubscribers()).toBe(0);
  });

  it('a write goes through IPC into the engine: a setting saved in the page lands in config.json', async () => {
    await ipc.page.goto(location.pageUrl('#/settings'));
    await ipc.page.waitForSelector('[data-testid="page-settings"][data-ready="true"]');
    await ipc.page.getByLabel('Log level').selectOption('debug');
    await ipc.page.getByTestId('settings-save').click();
    await expect.poll(() => ipc.page.getByTestId('settings-saved').textContent()).toBe('saved: log_level');
    const config = JSON.parse(readFileSync(path.join(data.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config['log_level']).toBe('debug');
    expect(ipcMain.invoked).toContain('config:set');
    expect(ipc.apiRequests).toEqual([]);
  });

  it('answers are Result envelopes: a bad request is refused with its reason, the shell channels answer', async () => {
    await ipc.page.goto(location.pageUrl('#/overview'));
    await ipc.page.waitForSelector('[data-testid="page-overview"]');
    const bad = await inPage(ipc.page, "netmon.api['usage:timeline']({ since: 'yesterday' })");
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await inPage(ipc.page, 'netmon.pairingToken()')).toBe(runtime.token);
    expect(await inPage(ipc.page, 'netmon.startAtLogin.set(true)')).toEqual({
      ok: true,
      value: { supported: true, enabled: true, requiresApproval: false },
    });
  });

  it('a page that is not ours gets nothing, even with the bridge', async () => {
    const foreign = await openSide(true);
    try {
      // Another origin (here netmon's own HTTP origin, which is not the app's) with the same preload.
      await foreign.page.goto(`${runtime.server.url}/#/overview`);
      const answer = await inPage(foreign.page, "netmon.api['usage:summary']({})");
      expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden-origin' } });
      expect(await inPage(foreign.page, 'netmon.pairingToken()')).toBeNull();
    } finally {
      await foreign.context.close();
    }
  });
});
