// The extension end to end, with real bytes: Debian's Chromium runs the unpacked extension inside a
// client network namespace, next to `netmon serve --sampler linux` (port 7500, free in a fresh
// namespace); three host names are sent by --host-resolver-rules to three addresses of a test server
// in a server namespace (198.51.100.1/.3/.4). Loopback would not do: the Linux sampler leaves
// loopback out, so the IP join would have nothing to join. The extension is paired in one click by
// the dashboard link `netmon serve` printed, the test switches tabs and downloads known sizes from
// each host, and checks:
//   - the domains and their byte shares (stored, `netmon report --by domain`, the Domains page)
//     against what the test server itself wrote to each host's connections;
//   - the active-tab history follows the tab switches;
//   - no path, query or URL reached the data folder (database, WAL, logs).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumExtensionSupport,
  findInFolder,
  launchChromiumWithExtension,
  netmonReport,
  pairChromium,
  rangeAfterStop,
  SECRET,
  sleep,
  startExtensionStack,
  stop,
  truthOf,
  usageVsDomainRows,
  type DomainRow,
  type ExtensionStack,
  type ReportRange,
  type RowMismatch,
  type Truth,
} from './extension-helpers.js';

const { ready, why } = chromiumExtensionSupport();

// Host name → server address; and how many bytes each one's download carries.
const HOSTS = [
  { host: 'video.a.test', domain: 'a.test', address: '198.51.100.1', bytes: 3_000_000 },
  { host: 'cdn.b.test', domain: 'b.test', address: '198.51.100.3', bytes: 1_200_000 },
  { host: 'www.c.test', domain: 'c.test', address: '198.51.100.4', bytes: 600_000 },
] as const;

interface AppRow {
  app: string;
  bytesIn: number;
  bytesOut: number;
}

describe.skipIf(!ready)(`the extension in Chromium, with netmon serve and real traffic${ready ? '' : ` (skipped: ${why})`}`, () => {
  let stack: ExtensionStack;
  let context: BrowserContext;
  let truth: Record<string, Truth> = {};
  let byDomain: DomainRow[] = [];
  let byApp: AppRow[] = [];
  /** The one range both reports read, and what each report said it read. */
  let range: ReportRange = { since: 0, until: 0 };
  let reportRanges: { domain: ReportRange; app: ReportRange } | null = null;
  /** Intervals whose Chromium bytes differ between usage_raw and domain_raw (none expected). */
  let mismatches: RowMismatch[] = [];
  let serveStoppedMs = 0;
  /** The latest stamp of any usage or domain row the run wrote. */
  let lastTs = 0;
  let domainTable = '';
  const pageShares: Record<string, string> = {};
  let tabHistory: string[] = [];
  let pairedStatus = '';
  let serveErr = '';

  beforeAll(async () => {
    // Two more addresses on the server's side of the link: one per host name.
    stack = await startExtensionStack('netmon-ext-e2e-', ['198.51.100.3', '198.51.100.4']);
    const { dataDir, server, serve, dashboard } = stack;
    context = await launchChromiumWithExtension(stack, HOSTS.map((h) => `MAP ${h.host} ${h.address}`));
    try {
      // One-click pairing: the link netmon printed, opened in the browser.
      pairedStatus = (await pairChromium(context, dashboard)).status;
      // Let the sampler see a quiet start.
      await sleep(2500);

      const tabs: Page[] = [];
      for (const h of HOSTS) {
        const page = await context.newPage();
        await page.bringToFront();
        await page.goto(`http://${h.host}:8080/private/watch?secret=${SECRET}`);
        const got = await page.evaluate(async ([n, secret]) => (await (await fetch(`/blob?n=${n}&key=${secret}`)).arrayBuffer()).byteLength, [h.bytes, SECRET] as const);
        expect(got).toBe(h.bytes);
        tabs.push(page);
        await sleep(1500);
      }
      // Back to the first tab: the active tab follows.
      await tabs[0]?.bringToFront();
      await sleep(6000);
      // The last bytes settle after the engine's 10-s wait for the extension's reports.
      await sleep(11_000);
      const domainsPage = await context.newPage();
      await domainsPage.goto(dashboard.replace(/#.*$/, '#/'));
      // The store writes every 30 s: wait until the downloads' rows are in the database.
      const downloaded = HOSTS.reduce((sum, h) => sum + h.bytes, 0);
      await domainsPage.evaluate(async (want) => {
        for (let i = 0; i < 90; i++) {
          const token = localStorage.getItem('netmon.pairingToken') ?? '';
          const body = (await (await fetch('/api/v1/domains:list?range=24h', { headers: { 'x-netmon-token': token } })).json()) as { value: { domains: { bytesIn: number }[] } };
          if (body.value.domains.reduce((sum, d) => sum + d.bytesIn, 0) >= want) return;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }, downloaded);
      await domainsPage.goto(dashboard.replace(/#.*$/, '#/domains?range=24h'));
      await domainsPage.waitForSelector('[data-testid="page-domains"][data-ready="true"] [data-testid="domains-table"]', { timeout: 30_000 });
      for (const row of await domainsPage.locator('tr[data-domain]').all()) {
        const name = (await row.getAttribute('data-domain')) ?? '';
        pageShares[name] = ((await row.locator('td').last().textContent()) ?? '').trim();
      }
    } finally {
      await context.close();
      await stop(serve.child);
      serveStoppedMs = Date.now();
      serveErr = serve.err();
      await stop(server.child);
    }
    truth = truthOf(server);
    // One range for every report, fixed once serve has stopped: with `--since 1h` each report would end
    // at its own `now`, and the last interval (stamped up to 0.5 s after serve stopped) could fall
    // outside the first report and inside the next one.
    range = rangeAfterStop();
    const domainJson = JSON.parse(netmonReport(['--by', 'domain', '--json'], dataDir, range)) as { rows: DomainRow[] } & ReportRange;
    const appJson = JSON.parse(netmonReport(['--by', 'app', '--json'], dataDir, range)) as { rows: AppRow[] } & ReportRange;
    byDomain = domainJson.rows;
    byApp = appJson.rows;
    reportRanges = { domain: { since: domainJson.since, until: domainJson.until }, app: { since: appJson.since, until: appJson.until } };
    domainTable = netmonReport(['--by', 'domain'], dataDir, range);
    const dbPath = path.join(dataDir, 'network_monitor.db');
    mismatches = usageVsDomainRows(dbPath, 'Chromium', range);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(dbPath, { readonly: true });
    const hosts = db.prepare('SELECT hostname FROM browser_reports ORDER BY ts, id').pluck().all() as string[];
    // For the debug output: Chromium's last intervals, next to the instant serve had stopped.
    const lastChromiumRows = db
      .prepare('SELECT ts, bytes_in AS bytesIn, bytes_out AS bytesOut FROM usage_raw WHERE app_id = (SELECT id FROM apps WHERE name = ?) ORDER BY ts DESC LIMIT 3')
      .all('Chromium');
    lastTs = db.prepare('SELECT max(coalesce((SELECT max(ts) FROM usage_raw), 0), coalesce((SELECT max(ts) FROM domain_raw), 0))').pluck().get() as number;
    db.close();
    tabHistory = hosts.filter((h, i) => i === 0 || hosts[i - 1] !== h);
    if (process.env['NETMON_DEBUG_E2E'] !== undefined) console.log(JSON.stringify({ truth, byDomain, byApp, pageShares, tabHistory, pairedStatus, range, mismatches, serveStoppedMs, lastTs, lastChromiumRows }, null, 1));
  }, 170_000);

  afterAll(() => {
    stack?.destroy();
  });

  it('pairs in one click from the dashboard link netmon printed', () => {
    expect(pairedStatus, serveErr).toMatch(/^Connected to netmon — 127\.0\.0\.1:7500, reporting as “chromium”/);
  });

  it('the test server saw each host download its bytes', () => {
    for (const h of HOSTS) expect(truth[h.host]?.written ?? 0).toBeGreaterThan(h.bytes);
  });

  it('stores each host under its registrable domain, with the bytes its connections moved (within 2 %)', () => {
    for (const h of HOSTS) {
      const row = byDomain.find((r) => r.domain === h.domain);
      const t = truth[h.host];
      expect(row, `${h.domain} in ${JSON.stringify(byDomain)}`).toBeDefined();
      if (row === undefined || t === undefined) continue;
      // The kernel counts a FIN as a byte received: one per connection at most.
      expect(Math.abs(row.bytesIn - t.written)).toBeLessThanOrEqual(Math.max(t.written * 0.02, t.connections));
      expect(Math.abs(row.bytesOut - t.read)).toBeLessThanOrEqual(Math.max(t.read * 0.02, t.connections + 200));
    }
  });

  it('the byte shares match what the server wrote, and add up to Chromium’s own total', () => {
    const total = (rows: readonly { bytesIn: number; bytesOut: number }[]): number => rows.reduce((s, r) => s + r.bytesIn + r.bytesOut, 0);
    const truthTotal = HOSTS.reduce((s, h) => s + (truth[h.host]?.written ?? 0) + (truth[h.host]?.read ?? 0), 0);
    const stored = total(byDomain);
    for (const h of HOSTS) {
      const row = byDomain.find((r) => r.domain === h.domain) ?? { bytesIn: 0, bytesOut: 0 };
      const expected = ((truth[h.host]?.written ?? 0) + (truth[h.host]?.read ?? 0)) / truthTotal;
      const measured = (row.bytesIn + row.bytesOut) / stored;
      expect(Math.abs(measured - expected), `${h.domain}: measured ${measured}, expected ${expected}`).toBeLessThan(0.01);
    }
    const chromiumApp = byApp.find((r) => r.app === 'Chromium');
    expect(chromiumApp).toBeDefined();
    // On a mismatch, say where: the intervals whose Chromium usage and domain rows differ, and the ranges read.
    const why = `Chromium's usage rows vs its domain rows per interval (ts: usage/domains): ${
      mismatches.map((m) => `${m.ts}: ${m.usage}/${m.domains}`).join(', ') || 'none differ'
    }; reports read ${JSON.stringify(reportRanges)}`;
    expect(reportRanges?.app, why).toEqual(reportRanges?.domain);
    expect(lastTs, `the reports must read every row the run wrote; ${why}`).toBeLessThanOrEqual(range.until);
    expect(stored, why).toBe((chromiumApp?.bytesIn ?? 0) + (chromiumApp?.bytesOut ?? 0));
  });

  it('netmon report --by domain shows the same shares as a table', () => {
    const stored = byDomain.reduce((s, r) => s + r.bytesIn + r.bytesOut, 0);
    for (const h of HOSTS) {
      const row = byDomain.find((r) => r.domain === h.domain) ?? { bytesIn: 0, bytesOut: 0 };
      const share = `${((100 * (row.bytesIn + row.bytesOut)) / stored).toFixed(1)} %`;
      expect(domainTable.split('\n').find((l) => l.startsWith(`${h.domain} `)) ?? '', domainTable).toContain(share);
    }
    expect(domainTable).toMatch(/^TOTAL .* 100\.0 %/m);
  });

  it('the Domains page shows the same shares', () => {
    const stored = byDomain.reduce((s, r) => s + r.bytesIn + r.bytesOut, 0);
    for (const h of HOSTS) {
      const row = byDomain.find((r) => r.domain === h.domain) ?? { bytesIn: 0, bytesOut: 0 };
      expect(pageShares[h.domain]).toBe(`${((100 * (row.bytesIn + row.bytesOut)) / stored).toFixed(1)} %`);
    }
  });

  it('the active tab followed the tab switches', () => {
    expect(tabHistory).toEqual(['video.a.test', 'cdn.b.test', 'www.c.test', 'video.a.test']);
  });

  it('nothing with a path, a query or a URL reached the data folder', () => {
    expect(existsSync(path.join(stack.dataDir, 'network_monitor.db'))).toBe(true);
    expect(findInFolder(stack.dataDir, [SECRET, '/private', 'watch?', '/blob', 'http://video', 'http://cdn'])).toEqual([]);
  });
});
