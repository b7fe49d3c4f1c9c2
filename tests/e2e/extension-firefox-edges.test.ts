// The Firefox/Zen build at its edges, in Debian's Firefox ESR, for real (as extension-chromium-edges
// does for Chromium): installed as a temporary add-on over Marionette in a headless Firefox inside a
// client network namespace, next to `netmon serve --sampler linux` on port 7500; a WebSocket site
// (ws:) whose bytes are stored under its domain by the handshake's server address, and site access
// withdrawn the way about:addons withdraws it (ExtensionPermissions.remove in Firefox's own chrome),
// shown on the badge and the options page instead of looking connected.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsSupport } from '../helpers/netns.js';
import { activeTabHosts, domainRows, expectSocketStored, FIREFOX, sleep, startExtensionStack, startFirefox, truthOf, type DomainRow, type ExtensionStack, type Marionette, type Truth } from './extension-helpers.js';

const support = netnsSupport();
const ready = support.ok && existsSync(FIREFOX);
const why = !support.ok ? support.reason : `${FIREFOX} is missing (apt-get install firefox-esr)`;

const ADDON_ID = 'netmon-extension@netmon.invalid';
const SOCKET = { host: 'chat.d.test', domain: 'd.test', bytes: 900_000 };

describe.skipIf(!ready)(`the Firefox build in Firefox ESR: a WebSocket site, withdrawn site access${ready ? '' : ` (skipped: ${why})`}`, () => {
  let stack: ExtensionStack;
  let truth: Record<string, Truth> = {};
  let byDomain: DomainRow[] = [];
  let reportedHosts: string[] = [];
  let socketBytes = 0;
  let badgeBefore = { text: '', title: '' };
  let badgeAfter = { text: '', title: '' };
  let originsAfter: string[] = [];
  let optionsState = '';
  let optionsText = '';
  let optionsAccess = '';

  beforeAll(async () => {
    stack = await startExtensionStack('netmon-ext-firefox-edges-');
    // Every name resolves to the server (IP literals such as netmon's 127.0.0.1 are not names).
    const firefox: Marionette = await startFirefox(stack.pair.client, stack.root, { 'network.dns.forceResolve': stack.pair.serverAddress });
    try {
      const installed = await firefox.send<{ value: string }>('Addon:Install', { path: stack.ext.firefox, temporary: true });
      expect(installed.value).toBe(ADDON_ID);
      const uuid = await firefox.run<string>(`return WebExtensionPolicy.getByID(${JSON.stringify(ADDON_ID)}).mozExtensionHostname`, { chrome: true });
      const optionsUrl = `moz-extension://${uuid}/options.html`;
      const optionsState_ = (): Promise<string> => firefox.run<string>(`return document.querySelector('#status')?.dataset.state ?? ''`);
      const waitForState = async (state: string): Promise<void> => {
        const until = Date.now() + 20_000;
        while ((await optionsState_()) !== state) {
          if (Date.now() > until) throw new Error(`the options page never said ${state}: ${await optionsState_()}`);
          await sleep(300);
          await firefox.goto(optionsUrl);
        }
      };
      // One-click pairing by the link serve printed.
      await firefox.goto(stack.dashboard);
      await firefox.goto(optionsUrl);
      await waitForState('connected');

      // A WebSocket site: a socket that receives SOCKET.bytes, opened from a page at the server's bare
      // address (an IP literal is never reported), so that only the ws: handshake can name the domain.
      await firefox.goto(`http://${stack.pair.serverAddress}:8080/room`);
      socketBytes = await firefox.run<number>(
        `const done = arguments[arguments.length - 1];
         let got = 0;
         const ws = new WebSocket(${JSON.stringify(`ws://${SOCKET.host}:8080/socket?n=${SOCKET.bytes}`)});
         ws.binaryType = 'arraybuffer';
         ws.onmessage = (e) => (got += e.data.byteLength);
         ws.onclose = () => done(got);
         ws.onerror = () => done(-1);`,
        { async: true },
      );

      const badge = `const done = arguments[arguments.length - 1];
        const action = (window.browser ?? window.wrappedJSObject.browser).action;
        Promise.all([action.getBadgeText({}), action.getTitle({})]).then(([text, title]) => done({ text, title }), (e) => done({ text: 'error', title: String(e) }));`;
      await firefox.goto(optionsUrl);
      badgeBefore = await firefox.run(badge, { async: true });
      // Site access withdrawn as about:addons → Permissions → "Access your data for all websites" does it.
      originsAfter = await firefox.run<string[]>(
        `const done = arguments[arguments.length - 1];
         const { ExtensionPermissions } = ChromeUtils.importESModule('resource://gre/modules/ExtensionPermissions.sys.mjs');
         const extension = WebExtensionPolicy.getByID(${JSON.stringify(ADDON_ID)}).extension;
         ExtensionPermissions.remove(extension.id, { permissions: [], origins: ['*://*/*'] }, extension)
           .then(() => done(WebExtensionPolicy.getByID(extension.id).allowedOrigins.patterns.map((p) => p.pattern)), (e) => done([String(e)]));`,
        { chrome: true, async: true },
      );
      await sleep(1500);
      await firefox.goto(optionsUrl);
      await waitForState('no-site-access');
      badgeAfter = await firefox.run(badge, { async: true });
      optionsText = await firefox.run<string>(`return document.querySelector('#status')?.textContent ?? ''`);
      optionsAccess = await firefox.run<string>(`return document.querySelector('#glance-access')?.textContent ?? ''`);
      optionsState = await optionsState_();
      // The engine attributes an interval 10 s after it ended, once the extension's reports are in.
      await sleep(13_000);
    } finally {
      await firefox.close();
      await stack.stopServers();
    }
    truth = truthOf(stack.server);
    byDomain = domainRows(stack.dataDir);
    reportedHosts = activeTabHosts(stack.dataDir);
    if (process.env['NETMON_DEBUG_E2E'] !== undefined) console.log(JSON.stringify({ truth, byDomain, reportedHosts, socketBytes, badgeBefore, badgeAfter, originsAfter, optionsState }, null, 1));
  }, 170_000);

  afterAll(() => {
    stack?.destroy();
  });

  it('a WebSocket site (ws:) is stored under its domain with the bytes its connections moved (within 2 %)', () => {
    expectSocketStored(SOCKET, socketBytes, truth, byDomain);
  });

  it('withdrawn site access shows on the badge and the options page instead of looking connected', () => {
    expect(originsAfter).not.toContain('*://*/*');
    expect(badgeBefore.text).toBe('');
    expect(badgeAfter.text).toBe('?');
    expect(badgeAfter.title).toMatch(/no site access/);
    expect(optionsState).toBe('no-site-access');
    expect(optionsText).toMatch(/^No site access/);
    expect(optionsAccess).toMatch(/^no site access/);
  });
});
