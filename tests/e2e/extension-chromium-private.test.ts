// Chromium's private (incognito) windows, for real: the extension allowed in incognito (chrome://extensions
// → developer mode, "Allow in Incognito"), "Report private windows" off, next to `netmon serve --sampler
// linux` in a client network namespace. Chromium's requests do not say whether they are private, so the
// extension goes by the tab; this drives the three ways a private request could slip through: a new
// incognito tab (its first response can precede the tab's first update), a page's service worker in an
// incognito window (no tab: tabId -1), and a request that wakes a stopped service worker (before its
// start-up scan of the open tabs). netmon must store nothing of the private site while a normal tab's
// site is stored as usual.
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeTabHosts,
  allowInIncognito,
  chromiumExtensionSupport,
  doneCount,
  domainRows,
  findInFolder,
  launchChromiumWithExtension,
  pairChromium,
  sleep,
  startExtensionStack,
  stopServiceWorker,
  waitFor,
  type DomainRow,
  type ExtensionStack,
} from './extension-helpers.js';

const { ready, why } = chromiumExtensionSupport();

const NORMAL = { host: 'shop.n.test', domain: 'n.test', address: '198.51.100.1', bytes: 400_000 };
// Its own server address, so that no report of the normal site's address can place its bytes.
const SECRET = { host: 'secret.p.test', domain: 'p.test', address: '198.51.100.3', bytes: 300_000 };

/** What the test calls in the extension's worker. */
interface WorkerGlobals {
  chrome: { windows: { create(o: object): Promise<{ id: number }> }; tabs: { query(o: object): Promise<{ incognito: boolean }[]> }; extension: { isAllowedIncognitoAccess(): Promise<boolean> } };
}

const autoUrl = (host: string, bytes: number, waitMs = 0): string => `http://${host}:8080/auto?wait=${waitMs}&plan=${encodeURIComponent(JSON.stringify([[host, bytes]]))}`;

describe.skipIf(!ready)(`the Chromium extension in incognito, private windows not reported${ready ? '' : ` (skipped: ${why})`}`, () => {
  let stack: ExtensionStack;
  let context: BrowserContext;
  let byDomain: DomainRow[] = [];
  let reportedHosts: string[] = [];
  let leaks: { file: string; needle: string }[] = [];
  let allowed: unknown = null;
  let incognitoTabs: boolean[] = [];
  let markerAfterStop: unknown = 'not read';
  let done = 0;

  beforeAll(async () => {
    stack = await startExtensionStack('netmon-ext-private-', [SECRET.address]);
    const { dataDir, server, dashboard } = stack;
    context = await launchChromiumWithExtension(stack, [`MAP ${NORMAL.host} ${NORMAL.address}`, `MAP ${SECRET.host} ${SECRET.address}`], [
      // A service worker needs a secure origin; the test site is plain http.
      `--unsafely-treat-insecure-origin-as-secure=http://${SECRET.host}:8080`,
    ]);
    try {
      const first = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
      await allowInIncognito(context, new URL(first.url()).host);
      const { worker, extensionId } = await pairChromium(context, dashboard);
      allowed = await worker.evaluate(() => (globalThis as never as WorkerGlobals).chrome.extension.isAllowedIncognitoAccess());
      const incognito = (url: string): Promise<number> => worker.evaluate((u) => (globalThis as never as WorkerGlobals).chrome.windows.create({ incognito: true, url: u }).then((w) => w.id), url);

      // A normal tab: its site is stored.
      const page = await context.newPage();
      await page.goto(autoUrl(NORMAL.host, NORMAL.bytes));
      await waitFor('the normal tab', () => doneCount(server) >= 1, 30_000);

      // 1. A new incognito window whose page downloads at once.
      await incognito(autoUrl(SECRET.host, SECRET.bytes));
      await waitFor('the incognito tab', () => doneCount(server) >= 2, 30_000);
      // 2. A service worker of an incognito page downloads (requests with tabId -1).
      await incognito(`http://${SECRET.host}:8080/sw-page?n=${SECRET.bytes}`);
      await waitFor('the incognito page’s service worker', () => doneCount(server) >= 3, 30_000);
      incognitoTabs = await worker.evaluate(() => (globalThis as never as WorkerGlobals).chrome.tabs.query({}).then((t) => t.map((x) => x.incognito)));
      // 3. A page that downloads after 4 s, and the extension's worker stopped meanwhile: the download
      // starts the worker again, its first events come before the start-up scan of the tabs.
      await worker.evaluate(() => ((globalThis as { netmonTestMarker?: number }).netmonTestMarker = 1));
      await incognito(autoUrl(SECRET.host, SECRET.bytes, 4000));
      await stopServiceWorker(context, extensionId);
      await waitFor('the incognito tab after the worker stopped', () => doneCount(server) >= 4, 30_000);
      markerAfterStop = await worker.evaluate(() => (globalThis as { netmonTestMarker?: number }).netmonTestMarker ?? null);
      // The normal tab again, after the restart: still counted.
      await page.goto(autoUrl(NORMAL.host, NORMAL.bytes));
      await waitFor('the normal tab again', () => doneCount(server) >= 5, 30_000);
      // The engine attributes an interval 10 s after it ended, once the extension's reports are in.
      await sleep(13_000);
    } finally {
      await context.close();
      await stack.stopServers();
    }
    done = doneCount(server);
    byDomain = domainRows(dataDir);
    reportedHosts = activeTabHosts(dataDir);
    leaks = findInFolder(dataDir, [SECRET.host, SECRET.domain]);
    if (process.env['NETMON_DEBUG_E2E'] !== undefined) console.log(JSON.stringify({ byDomain, reportedHosts, leaks, allowed, incognitoTabs, markerAfterStop, done }, null, 1));
  }, 240_000);

  afterAll(() => {
    stack?.destroy();
  });

  it('runs as meant: allowed in incognito, private windows open, the worker really stopped and started again', () => {
    expect(allowed).toBe(true);
    expect(incognitoTabs.filter((i) => i).length).toBeGreaterThanOrEqual(2);
    expect(markerAfterStop).toBeNull();
    expect(done).toBe(5);
  });

  it('the normal tab’s site is stored', () => {
    const row = byDomain.find((r) => r.domain === NORMAL.domain);
    expect(row, JSON.stringify(byDomain)).toBeDefined();
    expect(row?.bytesIn ?? 0).toBeGreaterThan(2 * NORMAL.bytes * 0.98);
    expect(reportedHosts).toContain(NORMAL.host);
  });

  it('nothing of the private site is stored: no domain row, no active-tab report, its name nowhere in the data folder', () => {
    expect(byDomain.map((r) => r.domain)).not.toContain(SECRET.domain);
    expect(reportedHosts).not.toContain(SECRET.host);
    expect(leaks).toEqual([]);
  });
});
