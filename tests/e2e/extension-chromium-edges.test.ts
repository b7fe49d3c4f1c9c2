// The Chromium build at its edges, for real, next to `netmon serve --sampler linux` in a client network
// namespace (as extension-domains.test.ts): a WebSocket site opened from a page at a bare address, whose
// bytes are placed by the handshake's server address alone, and site access withdrawn by the user (chrome://extensions → Site access → On click),
// shown on the badge and the options page.
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeTabHosts,
  chromiumExtensionSupport,
  domainRows,
  expectSocketStored,
  launchChromiumWithExtension,
  pairChromium,
  sleep,
  startExtensionStack,
  truthOf,
  type DomainRow,
  type ExtensionStack,
  type Truth,
} from './extension-helpers.js';

const { ready, why } = chromiumExtensionSupport();

const SOCKET = { host: 'chat.d.test', domain: 'd.test', address: '198.51.100.1', bytes: 900_000 };

describe.skipIf(!ready)(`the Chromium extension: a WebSocket site, withdrawn site access${ready ? '' : ` (skipped: ${why})`}`, () => {
  let stack: ExtensionStack;
  let context: BrowserContext;
  let truth: Record<string, Truth> = {};
  let byDomain: DomainRow[] = [];
  let reportedHosts: string[] = [];
  let socketBytes = 0;
  let badgeBefore = '';
  let badgeAfter = { text: '', title: '' };
  let optionsAccess = '';
  let optionsState = '';

  beforeAll(async () => {
    stack = await startExtensionStack('netmon-ext-edges-');
    const { dataDir, server, dashboard } = stack;
    context = await launchChromiumWithExtension(stack, [`MAP ${SOCKET.host} ${SOCKET.address}`]);
    try {
      const { worker, extensionId, optionsUrl } = await pairChromium(context, dashboard);

      // A WebSocket site: a socket that receives SOCKET.bytes, opened from a page at the server's bare
      // address (an IP literal is never reported), so that only the ws: handshake can name the domain.
      // Chromium shows a ws:/wss: request to webRequest only with host access to ws:// and wss:// (its
      // `*` scheme is http and https alone): without them the bytes stayed unattributed.
      const chat = await context.newPage();
      await chat.goto(`http://${stack.pair.serverAddress}:8080/room`);
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
      // The handshake's host and address must reach netmon before site access is withdrawn: without host
      // access Chromium refuses the extension's own fetch to netmon, and the report waits in the queue
      // until the test ends (the bytes then stay unattributed). The tally is reported every 5 s, so wait
      // until the extension holds nothing unsent (its queue and tally, as kept in storage.session).
      await sleep(1000);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const unsent = await worker.evaluate(async () => {
          const kept = (await (globalThis as unknown as { chrome: { storage: { session: { get(keys: string[]): Promise<Record<string, unknown>> } } } }).chrome.storage.session.get(['netmonQueue', 'netmonTally'])) as {
            netmonQueue?: unknown[];
            netmonTally?: { entries?: unknown[] };
          };
          return (kept.netmonQueue?.length ?? 0) + (kept.netmonTally?.entries?.length ?? 0);
        });
        if (unsent === 0) break;
        if (Date.now() > deadline) throw new Error(`the extension still holds ${unsent} unsent report(s) or tally entries after 20 s`);
        await sleep(250);
      }

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
      await stack.stopServers();
    }
    truth = truthOf(server);
    byDomain = domainRows(dataDir);
    reportedHosts = activeTabHosts(dataDir);
    if (process.env['NETMON_DEBUG_E2E'] !== undefined) console.log(JSON.stringify({ truth, byDomain, reportedHosts, socketBytes, badgeBefore, badgeAfter, optionsState }, null, 1));
  }, 170_000);

  afterAll(() => {
    stack?.destroy();
  });

  it('a WebSocket site is stored under its domain with the bytes its connections moved (within 2 %)', () => {
    expectSocketStored(SOCKET, socketBytes, truth, byDomain);
  });

  it('withdrawn site access shows on the badge and the options page instead of looking connected', () => {
    expect(badgeBefore).toBe('');
    expect(badgeAfter.text).toBe('?');
    expect(badgeAfter.title).toMatch(/no site access/);
    expect(optionsState).toMatch(/^No site access/);
    expect(optionsAccess).toMatch(/^no site access/);
  });
});
