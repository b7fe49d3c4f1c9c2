// Settings in Debian's Chromium against `netmon serve` on its own demo folder: a change made in the
// page lands in config.json; an unpaired dashboard can change nothing until it is given the token;
// a purge empties the days picked; an export downloads the engine's file; the sampler's facts read as
// words (a screenshot of that panel lands in tests/artifacts/settings-sampler-panel.png).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigValues } from '../../src-shared/contract/settings.js';
import type { StatusInfo, Timeline } from '../../src-shared/contract/types.js';
import { ARTIFACTS, apiGet, openPage, screenshot, showPage, startE2e, type E2e } from './fixture.js';

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e(21);
});

afterAll(async () => {
  await e2e?.close();
});

function readConfig(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(e2e.dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
}

describe('settings', () => {
  it('a setting changed in the page lands in config.json', async () => {
    const p = await openPage(e2e);
    try {
      const { page } = p;
      await showPage(page, e2e.server, 'settings', 'page-settings');
      expect(readConfig()['sampling_interval_seconds'] ?? 5).toBe(5);
      await page.getByLabel('Sampling interval').fill('10');
      await page.getByLabel('Log level').selectOption('debug');
      await page.getByLabel('Notifications').uncheck();
      await page.getByTestId('settings-save').click();
      await expect.poll(() => page.getByTestId('settings-saved').textContent()).toBe('saved: sampling_interval_seconds, enable_notifications, log_level');
      const saved = readConfig();
      expect([saved['sampling_interval_seconds'], saved['log_level'], saved['enable_notifications']]).toEqual([10, 'debug', false]);
      expect((await apiGet<ConfigValues>(e2e.server, 'config:get')).sampling_interval_seconds).toBe(10);

      // A value the engine would refuse never leaves the page.
      await page.getByLabel('Keep raw samples').fill('0');
      expect(await page.getByTestId('settings-form').textContent()).toContain('between 1 and 3650');
      expect(await page.getByTestId('settings-save').isDisabled()).toBe(true);

      await page.reload();
      await page.waitForSelector('[data-testid="page-settings"][data-ready="true"]');
      expect(await page.getByLabel('Sampling interval').inputValue()).toBe('10');
      await screenshot(page, 'settings-saved');
      expect(p.errors).toEqual([]);
    } finally {
      await p.context.close();
    }
  });

  it('an unpaired browser gets the pairing page, reads and changes nothing until it is given the pairing token', async () => {
    const p = await openPage(e2e, { paired: false });
    try {
      const { page } = p;
      // Every read needs the token: the settings (or any page) are not shown, the way to pair is.
      await page.goto(`${e2e.server.url}/#/settings`);
      const pairing = page.getByTestId('pair-page');
      await pairing.waitFor();
      expect(await pairing.textContent()).toContain('pairing-token');
      expect(await page.getByTestId('page-settings').count()).toBe(0);

      await pairing.getByRole('textbox', { name: 'pairing token' }).fill('0'.repeat(64));
      await pairing.getByRole('button', { name: 'pair' }).click();
      await expect.poll(() => pairing.textContent()).toContain('netmon did not accept this token');

      const token = readFileSync(path.join(e2e.dataDir, 'pairing-token'), 'utf8').trim();
      // A check that never reaches netmon is no yes: the right token is not kept, nothing can be read or saved.
      await page.route('**/api/auth/prove*', (route) => route.abort('connectionrefused'));
      await pairing.getByRole('textbox', { name: 'pairing token' }).fill(token);
      await pairing.getByRole('button', { name: 'pair' }).click();
      await expect.poll(() => page.getByTestId('pair-problem').textContent()).toContain('netmon did not accept this token');
      expect(await page.evaluate(() => localStorage.getItem('netmon.pairingToken'))).toBeNull();
      expect(await page.getByTestId('page-settings').count()).toBe(0);
      await page.unroute('**/api/auth/prove*');

      // Pairing writes nothing: config.json is the same file, byte for byte, before and after.
      const before = readFileSync(path.join(e2e.dataDir, 'config.json'), 'utf8');
      await pairing.getByRole('button', { name: 'pair' }).click();
      await page.waitForSelector('[data-testid="page-settings"][data-ready="true"]', { timeout: 30_000 });
      expect(readFileSync(path.join(e2e.dataDir, 'config.json'), 'utf8')).toBe(before);
      await page.getByLabel('Log level').selectOption('warn');
      await page.getByTestId('settings-save').click();
      await expect.poll(() => readConfig()['log_level']).toBe('warn');
      // The unpaired page's live feed was refused by the server (401), and the proof aborted above never
      // got an answer: the console reports both as failed loads, and nothing else went wrong.
      const expected = [/status of 401/, /^console: Failed to load resource: net::ERR_CONNECTION_REFUSED$/, /^requestfailed: \S+\/api\/auth\/prove\S* net::ERR_CONNECTION_REFUSED$/];
      expect(p.errors.filter((e) => !expected.some((re) => re.test(e)))).toEqual([]);
    } finally {
      await p.context.close();
    }
  });

  it('a pairing link whose token the server does not know is not kept', async () => {
    const p = await openPage(e2e, { paired: false });
    try {
      const { page } = p;
      await page.goto(`${e2e.server.url}/#pair=${'0'.repeat(64)}`);
      await page.getByTestId('pair-problem').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('pair-problem').textContent()).toContain('could not prove');
      expect(page.url()).not.toContain('pair=');
      expect(await page.evaluate(() => localStorage.getItem('netmon.pairingToken'))).toBeNull();
      expect(p.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    } finally {
      await p.context.close();
    }
  });

  it('shows the sampler\'s facts in words, never its internal keys', async () => {
    const p = await openPage(e2e);
    try {
      const { page } = p;
      await showPage(page, e2e.server, 'settings', 'page-settings');
      const status = await apiGet<StatusInfo>(e2e.server, 'status:get');
      const keys = Object.keys(status.sampler.details);
      expect(keys.length).toBeGreaterThan(3);
      const panel = page.getByTestId('sampler-status');
      // One row per fact the sampler reports, each labelled in words.
      await expect.poll(() => panel.locator('[data-fact]').count()).toBe(keys.length);
      const labels = await panel.locator('dt').allTextContents();
      for (const label of labels) expect([label, /[a-z][A-Z]|_/.test(label)]).toEqual([label, false]);
      const text = (await panel.textContent()) ?? '';
      for (const key of keys) if (/[A-Z]/.test(key)) expect([key, text.includes(key)]).toEqual([key, false]);
      expect(text).toContain(`${status.sampler.sampler}: `);
      await screenshot(page, 'settings-sampler');
      await page.locator('section[aria-labelledby="h-sampler"]').screenshot({ path: path.join(ARTIFACTS, 'settings-sampler-panel.png'), animations: 'disabled' });
      expect(p.errors).toEqual([]);
    } finally {
      await p.context.close();
    }
  });

  it('purges the days picked, and exports a range as the engine renders it', async () => {
    const p = await openPage(e2e);
    try {
      const { page } = p;
      await showPage(page, e2e.server, 'settings', 'page-settings');
      const day = new Date();
      day.setDate(day.getDate() - 3);
      const iso = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
      day.setHours(0, 0, 0, 0);
      const since = Math.floor(day.getTime() / 1000);
      const next = new Date(day);
      next.setDate(next.getDate() + 1);
      const until = Math.floor(next.getTime() / 1000);
      const dayTotal = async (): Promise<number> =>
        (await apiGet<Timeline>(e2e.server, 'usage:timeline', { since, until, bucket: 3600 })).points.reduce((s, x) => s + x.bytesIn + x.bytesOut, 0);
      expect(await dayTotal()).toBeGreaterThan(0);

      const purge = page.getByTestId('purge');
      await purge.getByLabel('from').fill(iso);
      await purge.getByLabel('to').fill(iso);
      await purge.getByRole('button', { name: 'purge…' }).click();
      await page.getByRole('alertdialog', { name: 'confirm purge' }).getByRole('button', { name: 'delete' }).click();
      await expect.poll(() => purge.textContent()).toMatch(/deleted [1-9]\d* rows/);
      expect(await dayTotal()).toBe(0);

      const exportRow = page.getByTestId('export');
      await exportRow.getByLabel('range').selectOption('7d');
      await exportRow.getByLabel('rows per').selectOption('day');
      const [download] = await Promise.all([page.waitForEvent('download'), exportRow.getByRole('button', { name: 'export' }).click()]);
      const text = readFileSync(await download.path(), 'utf8');
      const lines = text.split('\r\n').filter((l) => l !== '');
      expect(lines[0]).toBe('ts,bytesIn,bytesOut,approximate');
      expect(download.suggestedFilename()).toMatch(/^netmon-day-.*\.csv$/);
      // The purged day is in the export, with nothing left in it.
      expect(lines).toContain(`${since},0,0,false`);
      expect(p.errors).toEqual([]);
    } finally {
      await p.context.close();
    }
  });
});
