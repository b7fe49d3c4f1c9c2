// Plans in Debian's Chromium against `netmon serve` on a demo folder with the planted anomaly (Photos
// uploads 30 GB to icloud-content.com three days ago) and a plan set with the CLI: the overview's Plan
// panel, the Changes page and the popover's plan line show the engine's figures; a budget added in
// Settings is what `netmon budget list` lists. Screenshots: /work/wt/plans-*.png beside the checkout
// (and tests/artifacts/).
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangesView, PlansStatus } from '../../src-shared/plans.js';
import { formatBytes } from '../../src-shared/units.js';
import { netmon } from '../helpers/cli.js';
import { REPO_ROOT } from '../../bench/renderer.js';
import { apiGet, attributes, openPage, screenshot, showPage, startE2e, type E2e } from './fixture.js';

/** Saves the screenshot in tests/artifacts and, for the report, as plans-NAME.png beside the checkout. */
async function shot(page: Parameters<typeof screenshot>[0], name: string, fullPage = true): Promise<void> {
  const file = await screenshot(page, `plans-${name}`, fullPage);
  copyFileSync(file, path.join(path.dirname(REPO_ROOT), `plans-${name}.png`));
}

const localDate = (daysFromToday: number): string => {
  const d = new Date();
  const at = new Date(d.getFullYear(), d.getMonth(), d.getDate() + daysFromToday, 12);
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;
};

describe('plans on a demo folder with a planted anomaly', () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e(45, { intervalS: 1 }, ['--anomaly']);
    const set = netmon(['plan', 'set', '--kind', 'every-n-days', '--anchor', localDate(-3), '--every', '14', '--quota', '100', '--data-dir', e2e.dataDir]);
    expect(set.code, set.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it('the overview’s Plan panel shows used of quota, the forecast range and safe today, as the engine says', async () => {
    const p = await openPage(e2e, { width: 1280, height: 1000 });
    try {
      const { page } = p;
      await showPage(page, e2e.server, 'overview', 'page-overview');
      await page.waitForSelector('[data-testid="plan-figures"]', { timeout: 30_000 });
      const status = await apiGet<PlansStatus>(e2e.server, 'plans:status');
      const plan = status.plan;
      expect(plan).not.toBeNull();
      if (plan === null || !plan.forecast.available) throw new Error('expected a plan with a forecast');
      await expect.poll(() => page.getByTestId('plan-used').textContent()).toContain(`of ${formatBytes(100e9)}`);
      const forecast = (await page.getByTestId('plan-forecast').textContent()) ?? '';
      expect(forecast).toContain(`on pace for ${formatBytes(plan.forecast.p50)}`);
      expect(forecast).toContain(`range ${formatBytes(plan.forecast.p20)}–${formatBytes(plan.forecast.p80)}`);
      expect(forecast).toMatch(/estimate \((weekday|recent|linear)\)/);
      expect(await page.getByTestId('plan-safe-today').textContent()).toMatch(/^safe today: [\d.]+ [KMG]?B \(11 days left\)$/);
      expect(await page.getByTestId('plan-bar').getAttribute('aria-label')).toContain(formatBytes(plan.usedBytes));
      await page.getByTestId('plan-panel').scrollIntoViewIfNeeded();
      await shot(page, 'overview');
      expect(p.errors).toEqual([]);
    } finally {
      await p.context.close();
    }
  });

  it('the Changes page ranks the planted upload first and gives its cause', async () => {
    const p = await openPage(e2e, { width: 1280, height: 900 });
    try {
      const { page } = p;
      await showPage(page, e2e.server, 'changes', 'page-changes');
      const view = await apiGet<ChangesView>(e2e.server, 'changes:list');
      const names = (await attributes(page, '[data-testid="changes-table"] tbody tr', 'data-name')).slice(0, 2);
      expect(names).toEqual(view.rows.slice(0, 2).map((r) => r.name));
      expect([...names].sort()).toEqual(['Photos', 'icloud-content.com']);
      const site = page.locator('[data-testid="changes-table"] tr[data-name="icloud-content.com"]');
      expect(await site.locator('td').nth(1).textContent()).toBe('30.00 GB');
      expect(await site.locator('.badge-new').count()).toBe(1);
      expect(await page.getByTestId('changes-causes').textContent()).toMatch(/Photos \+(29|30)\.\d\d GB, \w{3} 02:00–05:00, mostly icloud-content\.com/);
      await shot(page, 'changes', false);
      expect(p.errors).toEqual([]);
    } finally {
      await p.context.close();
    }
  });

  it('the popover carries the cycle bar and the forecast in one line', async () => {
    const p = await openPage(e2e, { width: 360, height: 480 });
    try {
      const { page } = p;
      await showPage(page, e2e.server, 'popover', 'popover');
      await page.waitForSelector('[data-testid="popover-plan"]', { timeout: 30_000 });
      const status = await apiGet<PlansStatus>(e2e.server, 'plans:status');
      const line = (await page.getByTestId('popover-plan').textContent()) ?? '';
      expect(line).toMatch(new RegExp(`^plan [\\d.]+ GB of 100\\.00 GB \\(\\d+ %\\) · on pace for `));
      if (status.plan?.forecast.available === true) expect(line).toContain(formatBytes(status.plan.forecast.p50));
      await shot(page, 'popover', false);
      expect(p.errors).toEqual([]);
    } finally {
      await p.context.close();
    }
  });

  it('a budget added in Settings is the one `netmon budget list` lists', async () => {
    const p = await openPage(e2e, { width: 1280, height: 1400 });
    try {
      const { page } = p;
      await page.goto(`${e2e.server.url}/#/settings`);
      await page.waitForSelector('[data-testid="budgets-settings"]');
      await page.getByTestId('budget-name').fill('youtube.com');
      await page.getByTestId('budget-quota').fill('20');
      await page.getByTestId('budget-add').click();
      await page.waitForSelector('[data-testid="budgets-list"] >> text=youtube.com');
      const listed = netmon(['budget', 'list', '--json', '--data-dir', e2e.dataDir]);
      expect(listed.code, listed.stderr).toBe(0);
      const budgets = (JSON.parse(listed.stdout) as { budgets: { budget: { target: { kind: string; name: string }; quotaBytes: number } }[] }).budgets;
      expect(budgets.map((b) => b.budget)).toEqual([expect.objectContaining({ target: { kind: 'domain', name: 'youtube.com' }, quotaBytes: 20e9 })]);
      await page.getByTestId('budgets-settings').scrollIntoViewIfNeeded();
      await shot(page, 'settings-budget', false);
      // A bad one is refused with the field named, and nothing is added.
      await page.getByTestId('budget-name').fill('https://youtube.com/watch');
      await page.getByTestId('budget-quota').fill('5');
      await page.getByTestId('budget-add').click();
      await expect.poll(() => page.getByTestId('budgets-settings').textContent()).toMatch(/domain: must be a registrable domain/);
      expect((JSON.parse(netmon(['budget', 'list', '--json', '--data-dir', e2e.dataDir]).stdout) as { budgets: unknown[] }).budgets).toHaveLength(1);
      expect(p.errors.filter((e) => !/400/.test(e))).toEqual([]);
    } finally {
      await p.context.close();
    }
  });
});
