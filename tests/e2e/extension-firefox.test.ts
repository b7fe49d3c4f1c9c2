// The Firefox/Zen build in Debian's Firefox ESR (the engine Zen is built on), for real: `web-ext run`
// installs it as a temporary add-on in a headless Firefox inside a client network namespace, next to
// `netmon serve --sampler linux` on port 7500. Every host name resolves to ONE server address
// (network.dns.forceResolve = 198.51.100.1), so the IP join alone cannot tell the hosts apart: the
// engine must share the address's bytes by what Firefox measured per host (requestSize/responseSize)
// and when each transfer ran. The pages drive themselves (/auto): pair by the dashboard link, then
// download known sizes from three hosts in turn, three seconds apart. Firefox measures the pages
// (responseSize) but reports 0 for a fetch() whose body the page consumed: those count by
// Content-Length, as in Chromium.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsSupport } from '../helpers/netns.js';
import {
  domainRows,
  findInFolder,
  FIREFOX,
  netmonReport,
  REPO,
  SECRET,
  sleep,
  startExtensionStack,
  startIn,
  stop,
  truthOf,
  waitFor,
  type DomainRow,
  type ExtensionStack,
  type Truth,
} from './extension-helpers.js';
const WEB_EXT = path.join(REPO, 'node_modules', 'web-ext', 'bin', 'web-ext.js');
const support = netnsSupport();
const ready = support.ok && existsSync(FIREFOX) && existsSync(WEB_EXT);
const why = !support.ok ? support.reason : !existsSync(FIREFOX) ? `${FIREFOX} is missing (apt-get install firefox-esr)` : 'web-ext is not installed';

const PLAN = [
  ['video.a.test', 2_400_000],
  ['cdn.b.test', 1_200_000],
  ['www.c.test', 400_000],
] as const;
const DOMAIN_OF: Record<string, string> = { 'video.a.test': 'a.test', 'cdn.b.test': 'b.test', 'www.c.test': 'c.test' };

describe.skipIf(!ready)(`the Firefox build in Firefox ESR, with netmon serve and real traffic${ready ? '' : ` (skipped: ${why})`}`, () => {
  let stack: ExtensionStack;
  let truth: Record<string, Truth> = {};
  let byDomain: DomainRow[] = [];
  let firefoxTotal = 0;
  let tabHistory: string[] = [];
  let log = '';

  beforeAll(async () => {
    stack = await startExtensionStack('netmon-ext-firefox-');
    const { dataDir, ext, pair, server, dashboard } = stack;
    const first = `http://${PLAN[0][0]}:8080/auto/start?wait=8000&secret=${SECRET}&plan=${encodeURIComponent(JSON.stringify(PLAN))}`;
    // web-ext talks to Firefox over a local debugging port: it runs in the namespace too.
    const firefox = startIn(
      pair.client,
      [
        process.execPath,
        WEB_EXT,
        'run',
        '--source-dir',
        ext.firefox,
        '--firefox',
        FIREFOX,
        '--arg=-headless',
        '--no-reload',
        '--no-input',
        '--pref',
        `network.dns.forceResolve=${pair.serverAddress}`,
        '--start-url',
        dashboard,
        '--start-url',
        first,
      ],
      { ...process.env, HOME: stack.root, MOZ_HEADLESS: '1' },
    );
    try {
      await waitFor('the pages to finish their downloads', () => server.out().includes('done'), 90_000);
      // The engine attributes an interval 10 s after it ended, once the extension's reports are in.
      await sleep(13_000);
    } finally {
      log = `${firefox.out()}\n${firefox.err()}`;
      await stop(firefox.child);
      await stack.stopServers();
    }
    truth = truthOf(server);
    byDomain = domainRows(dataDir);
    const apps = (JSON.parse(netmonReport(['--by', 'app', '--json'], dataDir)) as { rows: { app: string; bytesIn: number; bytesOut: number }[] }).rows;
    const ff = apps.find((r) => r.app === 'Firefox');
    firefoxTotal = ff === undefined ? 0 : ff.bytesIn + ff.bytesOut;
    const db = new Database(path.join(dataDir, 'network_monitor.db'), { readonly: true });
    const hosts = db.prepare('SELECT hostname FROM browser_reports ORDER BY ts, id').pluck().all() as string[];
    db.close();
    tabHistory = hosts.filter((h, i) => i === 0 || hosts[i - 1] !== h);
    if (process.env['NETMON_DEBUG_E2E'] !== undefined) console.log(JSON.stringify({ truth, byDomain, firefoxTotal, tabHistory, log: log.slice(-2000) }, null, 1));
  }, 170_000);

  afterAll(() => {
    stack?.destroy();
  });

  it('the test server saw each host download its bytes', () => {
    for (const [host, n] of PLAN) expect(truth[host]?.written ?? 0, log).toBeGreaterThan(n);
  });

  it('shares one address\'s bytes among the hosts by what Firefox measured, each within 2 % of what the server wrote', () => {
    const truthTotal = PLAN.reduce((s, [h]) => s + (truth[h]?.written ?? 0) + (truth[h]?.read ?? 0), 0);
    const stored = byDomain.reduce((s, r) => s + r.bytesIn + r.bytesOut, 0);
    for (const [host] of PLAN) {
      const row = byDomain.find((r) => r.domain === DOMAIN_OF[host]);
      expect(row, JSON.stringify(byDomain)).toBeDefined();
      const t = truth[host];
      if (row === undefined || t === undefined) continue;
      expect(Math.abs(row.bytesIn - t.written), `${host}: stored ${row.bytesIn}, server wrote ${t.written}`).toBeLessThanOrEqual(t.written * 0.02);
      const share = (row.bytesIn + row.bytesOut) / stored;
      const expected = (t.written + t.read) / truthTotal;
      expect(Math.abs(share - expected), `${host}: share ${share} vs ${expected}`).toBeLessThan(0.01);
    }
  });

  it('the domain rows add up to Firefox’s own total', () => {
    expect(byDomain.reduce((s, r) => s + r.bytesIn + r.bytesOut, 0)).toBe(firefoxTotal);
  });

  it('reports no active tab: headless Firefox gives no window focus, and nothing is reported without it', () => {
    // The active-tab path itself is shown in Chromium (extension-domains.test.ts), whose headless
    // windows do take focus; here the byte reports alone carry the attribution.
    expect(tabHistory).toEqual([]);
  });

  it('nothing with a path, a query or a URL reached the data folder', () => {
    expect(existsSync(path.join(stack.dataDir, 'network_monitor.db'))).toBe(true);
    expect(findInFolder(stack.dataDir, [SECRET, '/auto', '/blob', 'plan=', 'http://video'])).toEqual([]);
  });
});
