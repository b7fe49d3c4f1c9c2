// The dashboard in Debian's Chromium against `netmon serve` on 120 days of demo history: every page
// renders with data and without console errors (a screenshot of each lands in tests/artifacts/),
// range switches and zooms reach the charts, the applications table sorts, filters and exports,
// the history page takes a custom range, and the domains the demo recorded show on the overview and
// the domains page, guessed parts marked as estimates.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppProcesses, AppsList, DomainsList, Timeline, UsageSummary } from '../../src-shared/contract/types.js';
import { apiGet, attributes, openPage, screenshot, showPage, startE2e, type E2e, type WatchedPage } from './fixture.js';

let e2e: E2e;
let main: WatchedPage;

beforeAll(async () => {
  e2e = await startE2e(120);
  main = await openPage(e2e);
});

afterAll(async () => {
  await main?.context.close();
  await e2e?.close();
});

async function timelineState(page: Page): Promise<{ bucket: number; points: number; since: number; until: number; total: number }> {
  const t = page.locator('[data-testid="timeline"]');
  const read = async (name: string): Promise<number> => Number(await t.getAttribute(name));
  return { bucket: await read('data-bucket'), points: await read('data-points'), since: await read('data-since'), until: await read('data-until'), total: await read('data-total') };
}

/** Waits until the timeline shows a range of `spanS` seconds, drawn (not loading). */
async function waitForSpan(page: Page, spanS: number): Promise<void> {
  await expect
    .poll(async () => {
      if ((await page.locator('[data-testid="timeline"]').getAttribute('data-state')) !== 'ready') return null;
      const t = await timelineState(page);
      return t.until - t.since;
    }, { timeout: 30_000 })
    .toBe(spanS);
}

/** The bucket the engine picks for a range when asked for `auto`. */
async function autoBucketOf(range: { since: number; until: number }): Promise<number> {
  return (await apiGet<Timeline>(e2e.server, 'usage:timeline', { since: range.since, until: range.until, bucket: 'auto' })).bucketS;
}

function expectNoErrors(p: WatchedPage): void {
  expect(p.errors).toEqual([]);
}

describe('every page renders with data', () => {
  it('overview: live gauge, totals as the engine sums them, timeline, pie with unattributed apart, top domains', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'overview', 'page-overview');
    const summary = await apiGet<UsageSummary>(e2e.server, 'usage:summary');
    // The today figure is the engine's own sum, in decimal units with two decimals.
    const today = summary.today.bytesIn + summary.today.bytesOut;
    const [div, unit] = today >= 1e9 ? [1e9, 'GB'] : today >= 1e6 ? [1e6, 'MB'] : [1e3, 'KB'];
    await expect.poll(() => page.locator('[data-testid="stat-today"] .value').textContent()).toBe(`${(today / div).toFixed(2)} ${unit}`);
    await waitForSpan(page, 86_400);
    const tl = await timelineState(page);
    expect(tl.bucket).toBe(await autoBucketOf(tl));
    expect(tl.points).toBeGreaterThanOrEqual(86_400 / tl.bucket);
    expect(tl.total).toBeGreaterThan(0);
    expect(Number(await page.locator('[data-testid="apps-pie"]').getAttribute('data-slices'))).toBeGreaterThanOrEqual(10);
    await expect.poll(() => page.locator('[data-testid="apps-pie"] tr[data-kind="unattributed"]').count()).toBe(1);
    // The demo records domains (browsers' sites, a few other apps', the unnamed rest): the top ten as the engine ranks them.
    const top = await apiGet<DomainsList>(e2e.server, 'domains:list', { range: '24h', limit: 10 });
    expect(top.domains).toHaveLength(10);
    await expect.poll(() => page.locator('[data-testid="top-domains"] tbody td:first-child').allTextContents()).toEqual(top.domains.map((d) => d.domain));
    expect(await page.locator('[data-testid="domains-empty"]').count()).toBe(0);
    expect(await page.locator('[data-testid="statusline"]').textContent()).toMatch(/times in Europe\/Berlin \(GMT\+[12]\)/);
    await page.waitForSelector('[data-testid="live-gauge"][data-live="live"]', { timeout: 30_000 });
    await screenshot(page, 'overview');
    expectNoErrors(main);
  });

  it('applications, domains, history and settings', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'apps', 'page-apps');
    const apps = await apiGet<AppsList>(e2e.server, 'apps:list', { range: '7d', limit: 1000 });
    await expect.poll(() => page.locator('[data-testid="apps-table"] tbody tr').count()).toBe(apps.apps.length);
    expect(apps.apps.length).toBeGreaterThan(20);
    // "last seen" fills in from each app's processes.
    await expect.poll(() => page.locator('[data-testid="apps-table"] tbody td:has-text("…")').count(), { timeout: 30_000 }).toBe(0);
    await screenshot(page, 'apps');

    // The whole table, "last seen" included, comes from one request: the list carries it.
    const asked: string[] = [];
    const onRequest = (req: { url(): string }): void => {
      const m = /\/api\/v1\/(apps:[a-z]+)/.exec(req.url());
      if (m?.[1] !== undefined) asked.push(m[1]);
    };
    page.on('request', onRequest);
    await showPage(page, e2e.server, 'apps?range=30d', 'page-apps');
    const month = await apiGet<AppsList>(e2e.server, 'apps:list', { range: '30d', limit: 1000 });
    await expect.poll(() => page.locator('[data-testid="apps-table"] tbody tr').count()).toBe(month.apps.length);
    page.off('request', onRequest);
    expect(asked).toEqual(['apps:list']);
    const seen = month.apps.filter((a) => a.lastSeen !== null).length;
    expect(seen).toBeGreaterThan(20);
    expect(await page.locator('[data-testid="apps-table"] tbody td[data-last-seen]').count()).toBe(seen);

    await showPage(page, e2e.server, 'domains', 'page-domains');
    const week = await apiGet<DomainsList>(e2e.server, 'domains:list', { range: '7d', limit: 1000 });
    // The demo stores registrable domains, so each is its own group, in the engine's order.
    await page.waitForSelector('[data-testid="domains-table"] tr[data-domain]');
    expect(await attributes(page, '[data-testid="domains-table"] tr[data-domain]', 'data-domain')).toEqual(week.domains.map((d) => d.domain));
    expect(week.domains.length).toBeGreaterThanOrEqual(20);
    expect(week.domains.map((d) => d.domain)).toContain('(unattributed)');
    // The browsers' bytes the active tab placed are marked, on exactly the domains that have some.
    const guessed = week.domains.filter((d) => (d.estimated?.bytesIn ?? 0) + (d.estimated?.bytesOut ?? 0) > 0).length;
    expect(guessed).toBeGreaterThan(0);
    expect(await page.getByTestId('domains-table-estimate').count()).toBe(guessed);
    expect(await page.locator('[data-testid="domains-empty"]').count()).toBe(0);
    // Figures spread from coarser totals after retention carry the badge on the table's head, as the engine says.
    expect(await page.getByTestId('domains-estimate').count()).toBe(week.approximate ? 1 : 0);
    await screenshot(page, 'domains');
    await showPage(page, e2e.server, 'domains?range=90d', 'page-domains');
    const quarter = await apiGet<DomainsList>(e2e.server, 'domains:list', { range: '90d', limit: 1000 });
    expect(quarter.approximate).toBe(true);
    await expect.poll(() => page.getByTestId('domains-estimate').count()).toBe(1);

    await showPage(page, e2e.server, 'history', 'page-history');
    expect(Number(await page.locator('[data-testid="heatmap"]').getAttribute('data-max'))).toBeGreaterThan(0);
    expect(Number(await page.locator('[data-testid="weekly-chart"]').getAttribute('data-bars'))).toBeGreaterThanOrEqual(13);
    expect(await page.locator('[data-testid="month-table"] tbody tr').count()).toBeGreaterThanOrEqual(4);
    await screenshot(page, 'history');

    await showPage(page, e2e.server, 'settings', 'page-settings');
    expect(await page.locator('[data-testid="sampler-status"]').textContent()).toContain('linux');
    expect(await page.locator('[data-testid="data-folder"]').textContent()).toContain(e2e.dataDir);
    expect(await page.locator('[data-testid="pairing-token"]').textContent()).toMatch(new RegExp(`^${e2e.server.token.slice(0, 4)}•+$`));
    await screenshot(page, 'settings');
    expectNoErrors(main);
  });

  it('dark mode follows the OS', async () => {
    const dark = await openPage(e2e, { colorScheme: 'dark' });
    try {
      await showPage(dark.page, e2e.server, 'overview', 'page-overview');
      const bg = await dark.page.evaluate('getComputedStyle(document.body).backgroundColor');
      expect(bg).toBe('rgb(15, 18, 22)');
      await screenshot(dark.page, 'overview-dark');
      await showPage(dark.page, e2e.server, 'history', 'page-history');
      await screenshot(dark.page, 'history-dark');
      expectNoErrors(dark);
    } finally {
      await dark.context.close();
    }
  });
});

describe('charts follow the range', () => {
  it('switching ranges asks the engine again and redraws the timeline and the pie', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'overview?range=1h', 'page-overview');
    await waitForSpan(page, 3600);
    const hour = await timelineState(page);
    expect(hour.bucket).toBe(await autoBucketOf(hour));

    await page.getByRole('group', { name: 'range' }).getByRole('button', { name: '7 d' }).click();
    await waitForSpan(page, 7 * 86_400);
    const week = await timelineState(page);
    expect(week.bucket).toBe(await autoBucketOf(week));
    expect(week.bucket).toBeGreaterThan(hour.bucket);
    expect(week.points).toBeGreaterThanOrEqual((7 * 86_400) / week.bucket);
    // The chart's total is the engine's sum over the same range and buckets.
    const t = await apiGet<Timeline>(e2e.server, 'usage:timeline', { since: week.since, until: week.until, bucket: week.bucket });
    expect(week.total).toBe(t.points.reduce((s, p) => s + p.bytesIn + p.bytesOut, 0));
    expect(page.url()).toContain('range=7d');
    await expect.poll(() => page.locator('#h-apps ~ .small').first().textContent()).toBe('last 7 d');
    // The pie answers for the same week: its legend lists the engine's largest app of the week first.
    const apps = await apiGet<AppsList>(e2e.server, 'apps:list', { since: week.since, until: week.until, limit: 1 });
    await expect.poll(() => page.locator('[data-testid="apps-pie"] tbody tr').first().locator('td').first().textContent()).toBe(apps.apps[0]?.app);

    await page.getByRole('button', { name: '90 d' }).click();
    await waitForSpan(page, 90 * 86_400);
    const quarter = await timelineState(page);
    expect(quarter.bucket).toBe(await autoBucketOf(quarter));
    expect(quarter.points).toBeGreaterThanOrEqual((90 * 86_400) / quarter.bucket);
    expectNoErrors(main);
  });

  it('zooms with the buttons and by dragging across the chart', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'overview?range=7d', 'page-overview');
    await waitForSpan(page, 7 * 86_400);
    const before = await timelineState(page);
    await page.getByRole('button', { name: 'zoom in' }).click();
    await page.waitForSelector('[data-testid="zoomed-range"]');
    await waitForSpan(page, (7 * 86_400) / 2);
    const zoomed = await timelineState(page);
    expect(zoomed.since + zoomed.until).toBe(before.since + before.until);
    await page.getByRole('button', { name: 'zoom in' }).click();
    await waitForSpan(page, (7 * 86_400) / 4);

    await page.getByRole('button', { name: 'reset zoom' }).click();
    await page.waitForSelector('[data-testid="zoomed-range"]', { state: 'detached' });
    await waitForSpan(page, 7 * 86_400);

    // Drag over the middle fifth of the plot: a span of about a day and a half.
    const box = await page.locator('[data-testid="timeline"] .recharts-cartesian-grid').boundingBox();
    if (box === null) throw new Error('no plot area');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.4, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 8 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid="zoomed-range"]');
    await page.waitForSelector('[data-testid="timeline"][data-state="ready"]');
    const dragged = await timelineState(page);
    expect(dragged.until - dragged.since).toBeGreaterThan(86_400);
    expect(dragged.until - dragged.since).toBeLessThan(2 * 86_400);
    expect(dragged.since).toBeGreaterThan(before.since);
    expectNoErrors(main);
  });

  it('the history page takes a custom date range', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'history', 'page-history');
    const now = new Date();
    const first = new Date(now.getFullYear(), now.getMonth() - 1, 1);
    const last = new Date(now.getFullYear(), now.getMonth(), 0);
    const iso = (d: Date): string => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    await page.getByTestId('history-from').fill(iso(first));
    await page.getByTestId('history-to').fill(iso(last));
    await page.getByTestId('history-apply').click();
    const since = Math.floor(first.getTime() / 1000);
    await page.waitForSelector(`[data-testid="page-history"][data-since="${since}"][data-ready="true"]`);
    // The whole of last month: one row in the month table, and its days.
    await expect.poll(() => page.locator('[data-testid="month-table"] tbody tr').count()).toBe(1);
    expect(await page.locator('[data-testid="month-table"] tbody tr td').nth(4).textContent()).toBe(String(last.getDate()));
    expect(await page.getByTestId('history-range').textContent()).toContain(`(${last.getDate()} days)`);
    // Hovering a bar shows its numbers.
    const bars = await page.locator('[data-testid="weekly-chart"] .recharts-cartesian-grid').boundingBox();
    if (bars === null) throw new Error('no weekly chart');
    await page.mouse.move(bars.x + bars.width / 2, bars.y + bars.height / 2);
    await expect.poll(() => page.locator('[data-testid="weekly-chart"] .tip').textContent()).toMatch(/days? of data/);
    await page.mouse.move(0, 0);
    expectNoErrors(main);
  });
});

describe('applications table', () => {
  it('sorts by a column (also from the keyboard) and filters by name', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'apps?range=30d', 'page-apps');
    const list = await apiGet<AppsList>(e2e.server, 'apps:list', { range: '30d', limit: 1000 });
    const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    const rows = (): Promise<string[]> => attributes(page, '[data-testid="apps-table"] tbody tr', 'data-app');

    // Default: total, largest first, as the engine lists them.
    expect(await rows()).toEqual(list.apps.map((a) => a.app));

    const downloaded = page.locator('th button[data-column="bytesIn"]');
    await downloaded.click();
    const expectedDown = [...list.apps].sort((a, b) => b.bytesIn - a.bytesIn || byName(a.app, b.app)).map((a) => a.app);
    await expect.poll(rows).toEqual(expectedDown);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('downloaded');
    await downloaded.click();
    await expect.poll(rows).toEqual([...list.apps].sort((a, b) => a.bytesIn - b.bytesIn || byName(a.app, b.app)).map((a) => a.app));

    // Keyboard: focus the name header and press Enter.
    await page.locator('th button[data-column="app"]').focus();
    await page.keyboard.press('Enter');
    const lower = (s: string): string => s.toLowerCase();
    await expect.poll(rows).toEqual([...list.apps].map((a) => a.app).sort((a, b) => byName(lower(a), lower(b)) || byName(a, b)));

    await page.getByTestId('apps-filter').fill('chrome');
    await expect.poll(rows).toEqual(['Google Chrome']);
    expect(await page.getByTestId('apps-count').textContent()).toBe(`1 of ${list.apps.length} apps`);
    await page.getByTestId('apps-filter').fill('zzz-nothing');
    await expect.poll(rows).toEqual([]);
    expect(await page.locator('[data-testid="page-apps"] .empty').textContent()).toContain('no application matches');
    await page.getByTestId('apps-filter').fill('');
    await expect.poll(async () => (await rows()).length).toBe(list.apps.length);
    expectNoErrors(main);
  });

  it('exports the table as shown to CSV', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'apps?range=30d', 'page-apps');
    await page.getByTestId('apps-filter').fill('o');
    const shown = await attributes(page, '[data-testid="apps-table"] tbody tr', 'data-app');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('apps-csv').click()]);
    const file = await download.path();
    const lines = readFileSync(file, 'utf8').split('\r\n').filter((l) => l !== '');
    expect(download.suggestedFilename()).toMatch(/^netmon-apps-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(lines[0]).toBe('app,bytes_in,bytes_out,bytes_total,share_percent,last_seen');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(shown);
    const list = await apiGet<AppsList>(e2e.server, 'apps:list', { range: '30d', limit: 1000 });
    const first = list.apps.find((a) => a.app === shown[0]);
    expect(lines[1]?.split(',').slice(1, 4).map(Number)).toEqual([first?.bytesIn, first?.bytesOut, (first?.bytesIn ?? 0) + (first?.bytesOut ?? 0)]);
    await page.getByTestId('apps-filter').fill('');
    expectNoErrors(main);
  });

  it('opens an application: its timeline, received against sent, and its processes', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'apps?range=7d', 'page-apps');
    await page.locator('[data-testid="apps-table"] tr[data-app="Google Chrome"] button').click();
    await page.waitForSelector('[data-testid="app-detail"][data-app="Google Chrome"]');
    await page.waitForSelector('[data-testid="app-timeline"][data-state="ready"]');
    await page.waitForSelector('[data-testid="processes"]');
    const names = await page.locator('[data-testid="processes"] tbody tr td:first-child').allTextContents();
    // The browser and its helpers, folded into one app: the processes the engine lists for the week.
    const procs = await apiGet<AppProcesses>(e2e.server, 'apps:processes', { range: '7d', app: 'Google Chrome' });
    expect(names).toEqual(procs.processes.map((p) => p.name));
    expect(new Set(names).has('Google Chrome Helper')).toBe(true);
    expect(await page.getByTestId('app-breakdown').textContent()).toMatch(/received ↓.*GB.*sent ↑/);
    expect(page.url()).toContain('app=Google+Chrome');
    await screenshot(page, 'apps-detail');
    expectNoErrors(main);
  });

  it('pages are a key press away', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'overview', 'page-overview');
    await page.locator('body').press('4');
    await page.waitForSelector('[data-testid="page-history"]');
    await page.locator('body').press('2');
    await page.waitForSelector('[data-testid="page-apps"]');
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Applications');
    expectNoErrors(main);
  });
});

describe('domains with data', () => {
  // The demo stores registrable domains only (rollup on): these answers, in the contract's shape, stand
  // in for hostnames as stored with rollup off, to show them grouped under their registrable domain.
  it('groups hosts under their registrable domain and opens a domain', async () => {
    const p = await openPage(e2e);
    try {
      const { page } = p;
      await page.route('**/api/v1/domains:list*', async (route) => {
        const url = new URL(route.request().url());
        const app = url.searchParams.get('app');
        const now = Math.floor(Date.now() / 1000);
        const until = Number(url.searchParams.get('until') ?? now);
        const since = Number(url.searchParams.get('since') ?? until - 7 * 86_400);
        const all = [
          { domain: 'api.netflix.com', bytesIn: 9e9, bytesOut: 1e8 },
          { domain: 'www.netflix.com', bytesIn: 1e9, bytesOut: 1e7 },
          { domain: 'www.bbc.co.uk', bytesIn: 2e9, bytesOut: 2e7 },
          { domain: 'github.com', bytesIn: 5e8, bytesOut: 3e8 },
        ];
        const domains = app === 'Google Chrome' ? all.slice(0, 2) : app === 'Firefox' ? all.slice(2) : app === null ? all : [];
        await route.fulfill({ json: { ok: true, value: { since, until, app, domains } } });
      });
      await showPage(page, e2e.server, 'domains?range=7d', 'page-domains');
      await page.waitForSelector('[data-testid="domains-table"] tr[data-domain="netflix.com"]');
      expect(await attributes(page, '[data-testid="domains-table"] tr[data-domain]', 'data-domain')).toEqual(['netflix.com', 'bbc.co.uk', 'github.com']);
      await page.locator('tr[data-domain="netflix.com"] button[aria-expanded]').click();
      expect(await attributes(page, 'tr[data-host]', 'data-host')).toEqual(['api.netflix.com', 'www.netflix.com']);
      await page.locator('tr[data-domain="netflix.com"] button[aria-pressed]').click();
      await page.waitForSelector('[data-testid="domain-timeline"]');
      await page.waitForSelector('[data-testid="domain-apps"]');
      expect(await page.locator('[data-testid="domain-apps"] tbody td:first-child').allTextContents()).toEqual(['Google Chrome']);
      await screenshot(page, 'domains-with-data');
      expect(p.errors).toEqual([]);
    } finally {
      await p.context.close();
    }
  });
});
