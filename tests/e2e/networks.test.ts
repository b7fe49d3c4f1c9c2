// Networks on the dashboard (issue 12 items 5 and 7) in Debian's Chromium against `netmon serve` on a
// demo folder (two uplinks: home Wi-Fi, a phone hotspot at lunchtime; a VPN's overhead; one flagged
// ledger hour in the last day): the Overview's per-network breakdown equals `netmon report --by network
// --json` for the same range, and with a network picked the timeline's total is that network's; a
// network renamed and marked in Settings › Networks shows under its new name on the Overview; the
// flagged hour is said on the Overview and in the status line. Screenshots: tests/artifacts/
// overview-networks.png, history-network.png, settings-networks.png, overview-ledger-flag.png.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerView, NetworksList } from '../../src-shared/networks.js';
import { DEMO_FLAGGED_HOUR, DEMO_NETWORKS } from '../../src-main/engine/demo.js';
import { netmon } from '../helpers/cli.js';
import { ARTIFACTS, apiGet, attributes, openPage, screenshot, showPage, startE2e, type E2e, type WatchedPage } from './fixture.js';

let e2e: E2e;
let main: WatchedPage;
const HOME = DEMO_NETWORKS[0]?.key ?? '';
const HOTSPOT = DEMO_NETWORKS[1]?.key ?? '';

beforeAll(async () => {
  e2e = await startE2e(10);
  main = await openPage(e2e);
});

afterAll(async () => {
  await main?.context.close();
  await e2e?.close();
});

interface ReportRow {
  network: string;
  label: string;
  bytesIn: number;
  bytesOut: number;
}

/** `netmon report --by network --json` on the e2e folder for [since, until) (epoch s). */
function report(since: number, until: number): ReportRow[] {
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  const run = netmon(['report', '--by', 'network', '--since', iso(since), '--until', iso(until), '--json', '--data-dir', e2e.dataDir]);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { rows: ReportRow[] }).rows;
}

async function numberAttr(page: Page, selector: string, name: string): Promise<number> {
  return Number(await page.locator(selector).first().getAttribute(name));
}

/** Waits until the overview's timeline is drawn for the network `network` ('' for all). */
async function waitForTimeline(page: Page, network: string): Promise<void> {
  await expect.poll(async () => (await page.getByTestId('page-overview').getAttribute('data-network')) === network && (await page.getByTestId('timeline').getAttribute('data-state')) === 'ready', { timeout: 30_000 }).toBe(true);
  await page.waitForSelector('[data-testid="page-overview"][data-ready="true"]', { timeout: 30_000 });
}

describe('networks on the dashboard', () => {
  it('the overview splits the range by network as `netmon report --by network` does, and follows a network picked', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'overview?range=7d', 'page-overview');
    const table = '[data-testid="network-breakdown"]';
    await page.waitForSelector(`${table} tr[data-network]`, { timeout: 30_000 });
    const since = await numberAttr(page, table, 'data-since');
    const until = await numberAttr(page, table, 'data-until');
    const rows = report(since, until);
    // Both demo networks moved bytes in the last week; the page lists them in the engine's order, with the engine's bytes.
    expect(rows.map((r) => r.network).sort()).toEqual([HOME, HOTSPOT].sort());
    expect(await attributes(page, `${table} tr[data-network]`, 'data-network')).toEqual(rows.map((r) => r.network));
    for (const r of rows) {
      const row = `${table} tr[data-network="${r.network}"]`;
      expect([r.network, await numberAttr(page, row, 'data-bytes-in'), await numberAttr(page, row, 'data-bytes-out')]).toEqual([r.network, r.bytesIn, r.bytesOut]);
      expect(await page.locator(`${row} td:first-child`).textContent()).toBe(r.label);
    }
    expect(await numberAttr(page, table, 'data-total')).toBe(rows.reduce((t, r) => t + r.bytesIn + r.bytesOut, 0));
    // The VPN's own bytes are overhead, apart from the applications.
    await expect.poll(() => page.locator('[data-testid="apps-pie"] tr[data-kind="overhead"]').count()).toBe(1);
    expect(await page.locator('[data-testid="apps-pie"] tr[data-kind="overhead"]').textContent()).toContain('overhead: the tunnel’s own bytes, not an application');
    await screenshot(page, 'overview-networks');

    // Pick the hotspot: the timeline is the hotspot's, and its total is what the report gives the hotspot for the timeline's range.
    await page.getByTestId('network-picker').selectOption(HOTSPOT);
    await waitForTimeline(page, HOTSPOT);
    expect(page.url()).toContain(`network=${encodeURIComponent(HOTSPOT)}`);
    const tl = '[data-testid="timeline"]';
    const shown = { since: await numberAttr(page, tl, 'data-since'), until: await numberAttr(page, tl, 'data-until'), total: await numberAttr(page, tl, 'data-total') };
    const hotspot = report(shown.since, shown.until).find((r) => r.network === HOTSPOT);
    expect(shown.total).toBe((hotspot?.bytesIn ?? 0) + (hotspot?.bytesOut ?? 0));
    expect(shown.total).toBeGreaterThan(0);
    expect(await page.locator('section[aria-labelledby="h-timeline"] .panelhead .muted').textContent()).toContain(hotspot?.label ?? '?');
    // Back to all networks.
    await page.getByTestId('network-picker').selectOption('');
    await waitForTimeline(page, '');
    // The applications page too lists the VPN's bytes as overhead.
    await showPage(page, e2e.server, 'apps?range=7d', 'page-apps');
    await expect.poll(() => page.locator('[data-testid="apps-table"] tr[data-kind="overhead"]').textContent(), { timeout: 30_000 }).toContain('VPN overhead (Tailscale) — overhead: the tunnel’s own bytes, not an application');
    expect(main.errors).toEqual([]);
  });

  it('history: whole days on one network equal the report for those days; the flagged hour is said', async () => {
    const { page } = main;
    await showPage(page, e2e.server, `history?range=30d&network=${encodeURIComponent(HOME)}`, 'page-history');
    const since = await numberAttr(page, '[data-testid="page-history"]', 'data-since');
    const until = await numberAttr(page, '[data-testid="page-history"]', 'data-until');
    const home = report(since, until).find((r) => r.network === HOME);
    await page.waitForSelector('[data-testid="history-networks"]', { timeout: 30_000 });
    expect(await numberAttr(page, `[data-testid="history-networks"] tr[data-network="${HOME}"]`, 'data-bytes-in')).toBe(home?.bytesIn);
    const bars = await page.getByTestId('weekly-chart').getAttribute('data-bars');
    expect(Number(bars)).toBeGreaterThan(0);
    expect(await page.locator('#h-range-total').textContent()).toContain(`on ${home?.label ?? '?'}`);
    // The range holds the demo's flagged hour: History says so too.
    await expect.poll(() => page.getByTestId('ledger-flag').getAttribute('data-flagged'), { timeout: 30_000 }).toBe('1');
    await screenshot(page, 'history-network');
    expect(main.errors).toEqual([]);
  });

  it('a network renamed and marked in Settings › Networks shows under its new name on the overview', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'settings', 'page-settings');
    const row = page.locator(`[data-testid="networks-settings"] tr[data-network="${HOTSPOT}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('the address is in 172.20.10.0/28');
    await row.getByRole('textbox').fill('Anna’s phone');
    await row.getByRole('button', { name: 'rename' }).click();
    await expect.poll(() => page.getByTestId('networks-saved').textContent()).toContain('is now called “Anna’s phone”');
    await row.getByRole('combobox').selectOption('not-metered');
    await expect.poll(() => page.getByTestId('networks-saved').textContent()).toContain('not metered (you marked it not metered)');
    await expect.poll(() => row.getByTestId('metered-reason').textContent()).toBe('you marked it not metered');
    await page.locator('section[aria-labelledby="h-networks"]').screenshot({ path: path.join(ARTIFACTS, 'settings-networks.png'), animations: 'disabled' });

    await showPage(page, e2e.server, 'overview?range=24h', 'page-overview');
    const renamed = page.locator(`[data-testid="network-breakdown"] tr[data-network="${HOTSPOT}"]`);
    await expect.poll(() => renamed.locator('td:first-child').textContent(), { timeout: 30_000 }).toBe('Anna’s phone');
    expect(await renamed.locator('td:nth-child(3)').textContent()).toBe('not metered (your mark)');
    expect(await page.getByTestId('network-picker').locator(`option[value="${HOTSPOT}"]`).textContent()).toBe('Anna’s phone · hotspot');
    const list = await apiGet<NetworksList>(e2e.server, 'networks:list', { range: '24h' });
    expect(list.networks.find((n) => n.network === HOTSPOT)).toMatchObject({ label: 'Anna’s phone', netmonLabel: 'Hotspot · 6f01', metered: false, meteredBy: 'user' });
    expect(report(list.since, list.until).find((r) => r.network === HOTSPOT)?.label).toBe('Anna’s phone');
    expect(main.errors).toEqual([]);
  });

  it('says so on the overview and in the status line when an hour of the range is flagged', async () => {
    const { page } = main;
    await showPage(page, e2e.server, 'overview?range=24h', 'page-overview');
    const ledger = await apiGet<LedgerView>(e2e.server, 'networks:ledger', { range: '24h' });
    expect(ledger.flagged).toHaveLength(1);
    const hour = ledger.flagged[0]?.hourStart ?? 0;
    expect(new Date(hour * 1000).getHours()).toBe(DEMO_FLAGGED_HOUR);
    const flag = page.getByTestId('ledger-flag');
    await flag.waitFor({ timeout: 30_000 });
    expect(await flag.getAttribute('data-hours')).toBe(String(hour));
    const text = (await flag.textContent()) ?? '';
    expect(text).toContain('more than 1.2 × what the network interfaces counted');
    expect(text).toContain('A content filter');
    expect(text).toContain('per-app figures may add up to more than the interface total');
    expect(text).toContain(`${String(DEMO_FLAGGED_HOUR).padStart(2, '0')}:00–${String(DEMO_FLAGGED_HOUR + 1).padStart(2, '0')}:00`);
    await expect.poll(() => page.getByTestId('statusline-ledger').textContent(), { timeout: 30_000 }).toContain('1 flagged hour in the last 24 h');
    await flag.screenshot({ path: path.join(ARTIFACTS, 'overview-ledger-flag.png'), animations: 'disabled' });
    // The last hour holds no flagged hour: nothing is said.
    await showPage(page, e2e.server, 'overview?range=1h', 'page-overview');
    const lastHour = await apiGet<LedgerView>(e2e.server, 'networks:ledger', { range: '1h' });
    if (lastHour.flagged.length === 0) await expect.poll(() => page.getByTestId('ledger-flag').count()).toBe(0);
    expect(main.errors).toEqual([]);
  });
});
