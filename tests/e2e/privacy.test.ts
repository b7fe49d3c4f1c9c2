// Settings › Privacy in Debian's Chromium against `netmon serve` on a demo folder (issue 13 item 6): an
// app set private in the page is folded under "Private" on the Applications page; a domain hidden there
// leaves the Domains page; forget asks first (cancel keeps everything), then deletes the app's history;
// afterwards `netmon privacy list` (the CLI, reading privacy.json) agrees with what the page set.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppsList } from '../../src-shared/contract/types.js';
import { PRIVATE_APP } from '../../src-shared/privacy.js';
import { netmon } from '../helpers/cli.js';
import { apiGet, openPage, screenshot, showPage, startE2e, type E2e } from './fixture.js';

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e(14);
});

afterAll(async () => {
  await e2e?.close();
});

const cellTexts = async (page: Page, table: string): Promise<string> => (await page.getByTestId(table).textContent()) ?? '';

describe('settings › privacy', () => {
  it('private folds an app under "Private", hide leaves a domain out, forget asks and then deletes; the CLI lists the same', async () => {
    const apps = await apiGet<AppsList>(e2e.server, 'apps:list', { range: '30d' });
    const named = apps.apps.map((a) => a.app).filter((a) => !a.startsWith('(') && a !== PRIVATE_APP);
    const [secret, doomed] = [named[1], named[2]];
    expect(secret).toBeDefined();
    expect(doomed).toBeDefined();
    const domains = await apiGet<{ domains: { domain: string }[] }>(e2e.server, 'domains:list', { range: '30d' });
    const site = domains.domains.map((d) => d.domain).find((d) => d.includes('.'));
    expect(site).toBeDefined();
    const before = apps.apps.reduce((n, a) => n + a.bytesIn + a.bytesOut, 0);

    const p = await openPage(e2e);
    try {
      const { page } = p;
      await showPage(page, e2e.server, 'settings', 'page-settings');
      const panel = page.getByTestId('privacy');
      const kind = panel.getByLabel('kind');
      const name = panel.getByRole('textbox', { name: 'name' });

      // Private: the page says how many stored rows moved under Private.
      await kind.selectOption('app');
      await name.fill(secret!);
      await panel.getByRole('button', { name: 'private', exact: true }).click();
      await expect.poll(() => panel.textContent(), { timeout: 30_000 }).toMatch(new RegExp(`app ${secret}: counted under "Private", name not stored \\(\\d+ stored rows moved under Private\\)`));

      // Hide a domain.
      await kind.selectOption('domain');
      await name.fill(site!);
      await panel.getByRole('button', { name: 'hide', exact: true }).click();
      await expect.poll(() => panel.textContent(), { timeout: 30_000 }).toContain(`domain ${site}: hidden from the views`);

      // Forget asks first: cancel keeps the app.
      await kind.selectOption('app');
      await name.fill(doomed!);
      await panel.getByRole('button', { name: 'forget…' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'confirm forget' });
      await confirm.waitFor();
      expect(await confirm.textContent()).toContain(`Delete every stored row of the app ${doomed}`);
      await screenshot(page, 'settings-privacy-confirm');
      await confirm.getByRole('button', { name: 'cancel' }).click();
      expect(await confirm.count()).toBe(0);
      expect((await apiGet<AppsList>(e2e.server, 'apps:list', { range: '30d' })).apps.map((a) => a.app)).toContain(doomed);
      // Then confirmed.
      await panel.getByRole('button', { name: 'forget…' }).click();
      await confirm.getByRole('button', { name: 'forget', exact: true }).click();
      await expect.poll(() => panel.textContent(), { timeout: 30_000 }).toMatch(new RegExp(`forgot app ${doomed}: [1-9]\\d* rows deleted`));
      await screenshot(page, 'settings-privacy');

      // The Applications page: the private app is folded under Private, the forgotten one is gone.
      await showPage(page, e2e.server, 'apps?range=30d', 'page-apps');
      const table = await cellTexts(page, 'apps-table');
      expect(table).toContain(PRIVATE_APP);
      expect(table).not.toContain(secret);
      expect(table).not.toContain(doomed);
      const after = await apiGet<AppsList>(e2e.server, 'apps:list', { range: '30d' });
      const forgotten = apps.apps.find((a) => a.app === doomed)!;
      // The totals lost only the forgotten app's bytes: Private still counts the private one's.
      expect(after.apps.reduce((n, a) => n + a.bytesIn + a.bytesOut, 0)).toBe(before - forgotten.bytesIn - forgotten.bytesOut);

      // The Domains page leaves the hidden domain out.
      await showPage(page, e2e.server, 'domains?range=30d', 'page-domains');
      expect(await cellTexts(page, 'domains-table')).not.toContain(site);
      expect(p.errors).toEqual([]);
    } finally {
      await p.context.close();
    }

    // The CLI reads the same list from privacy.json.
    const listed = netmon(['privacy', 'list', '--json', '--data-dir', e2e.dataDir]);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { entries: unknown[] }).entries).toEqual([
      { kind: 'app', name: secret, level: 'private' },
      { kind: 'domain', name: site, level: 'hide' },
    ]);
  });
});
