// The Chromium build at its edges, for real, next to `netmon serve --sampler linux` in a client network
// namespace (as extension-domains.test.ts): a WebSocket site whose bytes are placed by the handshake's
// server address, and site access withdrawn by the user (chrome://extensions → Site access → On click),
// shown on the badge and the options page. (An incognito window is not here yet: toggling "Allow in
// Incognito" reloads the unpacked extension, and its pages were refused afterwards; lib/private-tabs.ts
// is covered by the unit tests.)
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../bench/renderer.js';
import { buildAll } from '../../extension/build.js';
import { createNetnsPair, netnsSupport, type NetnsPair } from '../helpers/netns.js';
import { NETMON, netmonReport, REPO, SERVER_JS, sleep, startIn, stop, truthOf, waitFor, type Truth } from './extension-helpers.js';

const CHROMIUM = process.env['NETMON_CHROMIUM'] ?? '/usr/bin/chromium';
const support = netnsSupport();
const ready = support.ok && existsSync(CHROMIUM) && existsSync(path.join(REPO, 'dist', 'renderer', 'index.html'));
const why = !support.ok ? support.reason : !existsSync(CHROMIUM) ? `${CHROMIUM} is missing` : 'dist/renderer is missing: run npm run build first';

const SOCKET = { host: 'chat.d.test', domain: 'd.test', address: '198.51.100.1', bytes: 900_000 };

interface Row {
  domain: string;
  bytesIn: number;
  bytesOut: number;
}

describe.skipIf(!ready)(`the Chromium extension: a WebSocket site, withdrawn site access${ready ? '' : ` (skipped: ${why})`}`, () => {
  let pair: NetnsPair;
  let root: string;
  let dataDir: string;
  let context: BrowserContext;
  let truth: Record<string, Truth> = {};
  let byDomain: Row[] = [];
  let reportedHosts: string[] = [];
  let socketBytes = 0;
  let badgeBefore = '';
  let badgeAfter = { text: '', title: '' };
  let optionsAccess = '';
  let optionsState = '';

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'netmon-ext-edges-'));
    dataDir = path.join(root, 'data');
    const extDirs = await buildAll(path.join(root, 'ext'));
    pair = createNetnsPair();
    const server = startIn(pair.server, [process.execPath, '-e', SERVER_JS]);
    await waitFor('the test server', () => server.out().includes('listening'));
    const serve = startIn(pair.client, [process.execPath, NETMON, 'serve', '--port', '7500', '--sampler', 'linux', '--interval', '1', '--no-open', '--data-dir', dataDir]);
    await waitFor('netmon serve', () => /netmon: dashboard \S+#pair=[0-9a-f]{64}/.test(serve.out()));
    const dashboard = /netmon: dashboard (\S+#pair=[0-9a-f]{64})/.exec(serve.out())?.[1] ?? '';

    const wrapper = path.join(root, 'chromium-in-netns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${pair.client} ${CHROMIUM} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const rules = `MAP ${SOCKET.host} ${SOCKET.address}`;
    context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
      executablePath: wrapper,
      headless: true,
      args: [...CHROMIUM_ARGS, `--host-resolver-rules=${rules}`, `--load-extension=${extDirs.chromium}`, `--disable-extensions-except=${extDirs.chromium}`],
    });
    try {
      const worker: Worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
      const extensionId = new URL(worker.url()).host;
      const optionsUrl = `chrome-extension://${extensionId}/options.html`;
      const dash = await context.newPage();
      await dash.goto(dashboard);
      const options = await context.newPage();
      await options.goto(optionsUrl);
      await options.locator('#status[data-state="connected"]').waitFor({ timeout: 20_000 });
      await options.close();
      await dash.close();

      // A WebSocket site: the page, then a socket that receives SOCKET.bytes.
      const chat = await context.newPage();
      await chat.goto(`http://${SOCKET.host}:8080/room`);
      socketBytes = await chat.evaluate(
        ([host, n]) =>
          new Promise<number>((resolve, reject) => {
            let got = 0;
            const ws = new WebSocket(`ws://${host}:8080/socket?n=${n}`);
            ws.binaryType = 'arraybuffer';
            ws.onmessage = (e: { data: ArrayBuffer }) => (got += e.data.byteLength);
            ws.onclose = () => resolve(got);
            ws.onerror = () => reject(new Error('websocket failed'));
          }),
        [SOCKET.host, SOCKET.bytes] as const,
      );
      await chat.close();

      const settingsPage = await context.newPage();
      await settingsPage.goto(`chrome://extensions/?id=${extensionId}`);
      // Site access withdrawn: chrome://extensions → Site access → On click.
      badgeBefore = await worker.evaluate(() => (globalThis as unknown as { chrome: { action: { getBadgeText(o: object): Promise<string> } } }).chrome.action.getBadgeText({}));
      await settingsPage.locator('#hostAccess').selectOption('ON_CLICK');
      await sleep(1500);
      badgeAfter = await worker.evaluate(async () => {
        const action = (globalThis as unknown as { chrome: { action: { getBadgeText(o: object): Promise<string>; getTitle(o: object): Promise<string> } } }).chrome.action;
        return { text: await action.getBadgeText({}), title: await action.getTitle({}) };
      });
      const after = await context.newPage();
      await after.goto(optionsUrl);
      await after.locator('#status[data-state="no-site-access"]').waitFor({ timeout: 10_000 });
      optionsState = (await after.textContent('#status')) ?? '';
      optionsAccess = (await after.textContent('#glance-access')) ?? '';
      // The engine attributes an interval 10 s after it ended, once the extension's reports are in.
      await sleep(13_000);
    } finally {
      await context.close();
      await stop(serve.child);
      await stop(server.child);
    }
    truth = truthOf(server);
    byDomain = (JSON.parse(netmonReport(['--by', 'domain', '--json'], dataDir)) as { rows: Row[] }).rows;
    const db = new Database(path.join(dataDir, 'network_monitor.db'), { readonly: true });
    reportedHosts = db.prepare('SELECT DISTINCT hostname FROM browser_reports').pluck().all() as string[];
    db.close();
    if (process.env['NETMON_DEBUG_E2E'] !== undefined) console.log(JSON.stringify({ truth, byDomain, reportedHosts, socketBytes, badgeBefore, badgeAfter, optionsState }, null, 1));
  }, 170_000);

  afterAll(() => {
    pair?.destroy();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('a WebSocket site is stored under its domain with the bytes its connections moved (within 2 %)', () => {
    expect(socketBytes).toBe(SOCKET.bytes);
    const t = truth[SOCKET.host];
    const row = byDomain.find((r) => r.domain === SOCKET.domain);
    expect(row, JSON.stringify(byDomain)).toBeDefined();
    if (row === undefined || t === undefined) return;
    expect(t.written).toBeGreaterThan(SOCKET.bytes);
    expect(Math.abs(row.bytesIn - t.written), `stored ${row.bytesIn}, server wrote ${t.written}`).toBeLessThanOrEqual(Math.max(t.written * 0.02, t.connections));
  });

  it('withdrawn site access shows on the badge and the options page instead of looking connected', () => {
    expect(badgeBefore).toBe('');
    expect(badgeAfter.text).toBe('?');
    expect(badgeAfter.title).toMatch(/no site access/);
    expect(optionsState).toMatch(/^No site access/);
    expect(optionsAccess).toMatch(/^no site access/);
  });
});
