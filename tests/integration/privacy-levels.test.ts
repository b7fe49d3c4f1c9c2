// Issue 13 item 6: privacy levels per app and domain, through the real store, the HTTP API (the
// contract the Settings page uses) and the CLI. Private: bytes still in the totals and the plan's usage,
// under one "Private" row, and the name nowhere in the database file (its bytes are grepped, WAL
// included). Forget: every row of the name gone from every tier. Hide: the views leave it out, nothing
// else changes. The list lives in privacy.json, which a purge of usage does not touch.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRIVATE_APP, PRIVATE_DOMAIN } from '../../src-shared/privacy.js';
import type { AppUsage, ProcessSeen } from '../../src-main/engine/types.js';
import type { DomainUsage } from '../../src-main/engine/domains/types.js';
import { netmon } from '../helpers/cli.js';
import type { Fixture } from '../helpers/http-fixture.js';
import { call, fixturePerTest, inFile } from '../helpers/privacy.js';

const { start, closeEarly } = fixturePerTest();

const now = Math.floor(Date.now() / 1000);
// Three hours ago, two hours ago, an hour ago: raw, hourly and daily rows of each.
const stamps = [now - 3 * 3600, now - 2 * 3600, now - 3600];
const usage = (app: string, bytesIn: number, bytesOut: number): AppUsage[] => stamps.map((ts) => ({ ts, durationS: 5, app, bytesIn, bytesOut }));
const domainRows = (app: string, domain: string, bytesIn: number): DomainUsage[] => stamps.map((ts) => ({ ts, durationS: 5, app, domain, estimate: false, bytesIn, bytesOut: 0 }));
const proc = (app: string, name: string): ProcessSeen => ({ app, name, pid: 4242, path: `/opt/${name}/bin/${name}`, ts: now - 3600 });

function write(f: Fixture, rows: AppUsage[], domains: DomainUsage[] = [], processes: ProcessSeen[] = []): void {
  f.store.append(rows, processes);
  f.store.appendDomains(domains);
  const flushed = f.store.flush();
  if (!flushed.ok) throw new Error(flushed.error.message);
}

const count = (f: Fixture, sql: string, ...args: unknown[]): number => (f.store.db.prepare(sql).get(...args) as { n: number }).n;
type AppsList = { apps: { app: string; bytesIn: number; bytesOut: number }[] };
type Report = { rows: { app?: string; domain?: string; bytesIn: number; bytesOut: number }[] };
const total = (rows: { bytesIn: number; bytesOut: number }[]): number => rows.reduce((s, r) => s + r.bytesIn + r.bytesOut, 0);

describe('privacy levels', () => {
  it('private: counted in totals and the plan under "Private", the name never in the database file', async () => {
    const f = await start();
    expect((await call(f, 'POST', '/api/v1/privacy:set', { kind: 'app', name: 'Secretapp', level: 'private' })).status).toBe(200);
    expect((await call(f, 'POST', '/api/v1/privacy:set', { kind: 'domain', name: 'hushhush.test', level: 'private' })).status).toBe(200);
    write(f, [...usage('Secretapp', 1000, 100), ...usage('Firefox', 500, 50)], [...domainRows('Secretapp', 'a.test', 400), ...domainRows('Firefox', 'hushhush.test', 300), ...domainRows('Firefox', 'open.test', 200)], [proc('Secretapp', 'secretapp-bin'), proc('Firefox', 'firefox')]);
    f.store.recordBrowserReport({ receivedAt: now, ts: now, hostname: 'www.hushhush.test', domain: 'hushhush.test', browser: 'firefox' });
    const apps = (await call(f, 'GET', '/api/v1/apps:list?range=7d')).value as AppsList;
    expect(apps.apps.map((a) => a.app).sort()).toEqual(['Firefox', PRIVATE_APP]);
    expect(apps.apps.find((a) => a.app === PRIVATE_APP)).toMatchObject({ bytesIn: 3000, bytesOut: 300 });
    const domains = (await call(f, 'GET', '/api/v1/domains:list?range=7d')).value as { domains: { domain: string; bytesIn: number }[] };
    expect(domains.domains.find((d) => d.domain === PRIVATE_DOMAIN)?.bytesIn).toBe(900);
    expect(domains.domains.map((d) => d.domain)).not.toContain('hushhush.test');
    await closeEarly(f);

    // The plan's usage: every usage row, the private one included (3300 + 1650 bytes).
    expect(netmon(['plan', 'set', '--kind', 'monthly', '--day', '1', '--quota', '1', '--data-dir', f.dir]).code).toBe(0);
    const status = netmon(['status', '--json', '--data-dir', f.dir]);
    expect(JSON.parse(status.stdout)).toMatchObject({ plan: { usedBytes: 4950 } });
    const report = JSON.parse(netmon(['report', '--by', 'app', '--json', '--since', '7d', '--data-dir', f.dir]).stdout) as Report;
    expect(total(report.rows)).toBe(4950);
    for (const name of ['Secretapp', 'secretapp-bin', 'hushhush']) expect(inFile(f.dir, name), name).toBe(false);
    expect(inFile(f.dir, 'Firefox')).toBe(true); // the grep can see a name that is there
  });

  it('private on a name with history folds it under "Private" (same totals) and the name leaves the file', async () => {
    const f = await start();
    write(f, usage('Oldapp', 700, 70), domainRows('Oldapp', 'old.test', 600), [proc('Oldapp', 'oldapp-bin')]);
    expect(inFile(f.dir, 'Oldapp')).toBe(true);
    const set = (await call(f, 'POST', '/api/v1/privacy:set', { kind: 'app', name: 'Oldapp', level: 'private' })).value as { folded: number };
    expect(set.folded).toBeGreaterThan(0);
    const apps = (await call(f, 'GET', '/api/v1/apps:list?range=7d')).value as AppsList;
    expect(apps.apps).toEqual([expect.objectContaining({ app: PRIVATE_APP, bytesIn: 2100, bytesOut: 210 })]);
    for (const tier of ['usage_raw', 'usage_hourly', 'usage_daily', 'domain_raw', 'domain_hourly', 'domain_daily']) {
      expect(count(f, `SELECT count(*) AS n FROM ${tier} WHERE app_id = (SELECT id FROM apps WHERE name = ?)`, PRIVATE_APP), tier).toBeGreaterThan(0);
    }
    expect(inFile(f.dir, 'Oldapp')).toBe(false);
    expect(inFile(f.dir, 'oldapp-bin')).toBe(false);
  });

  it('forget: every row of the name in every tier, after a confirmation; others untouched', async () => {
    const f = await start();
    write(f, [...usage('Chatty', 900, 90), ...usage('Quiet', 10, 1)], [...domainRows('Chatty', 'chat.test', 800), ...domainRows('Quiet', 'chat.test', 5)], [proc('Chatty', 'chatty-bin')]);
    const unconfirmed = await call(f, 'POST', '/api/v1/privacy:forget', { kind: 'app', name: 'Chatty' });
    expect(unconfirmed.status).toBe(400);
    expect(count(f, 'SELECT count(*) AS n FROM usage_raw')).toBe(6);
    const forgot = (await call(f, 'POST', '/api/v1/privacy:forget', { kind: 'app', name: 'Chatty', confirm: true })).value as { deleted: Record<string, number> };
    expect(forgot.deleted).toMatchObject({ usage_raw: 3, domain_raw: 3, processes: 1, apps: 1 });
    for (const tier of ['usage_raw', 'usage_hourly', 'usage_daily', 'domain_raw', 'domain_hourly', 'domain_daily']) {
      expect(count(f, `SELECT count(*) AS n FROM ${tier} JOIN apps ON apps.id = app_id WHERE apps.name = 'Quiet'`), tier).toBeGreaterThan(0);
    }
    expect(count(f, 'SELECT count(*) AS n FROM apps WHERE name = ?', 'Chatty')).toBe(0);
    expect(count(f, 'SELECT count(*) AS n FROM usage_raw')).toBe(3);
    expect(inFile(f.dir, 'Chatty')).toBe(false);
    // A domain, from the CLI: refused without --yes, then gone from the domain tiers.
    await closeEarly(f);
    const refused = netmon(['forget', 'chat.test', '--data-dir', f.dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    const done = netmon(['forget', 'chat.test', '--yes', '--data-dir', f.dir]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/forgot the domain 'chat.test'/);
    expect(inFile(f.dir, 'chat.test')).toBe(false);
  });

  it('hide filters the views only: recorded, counted in totals, kept by a purge of usage', async () => {
    const f = await start();
    write(f, [...usage('Noisy', 300, 30), ...usage('Firefox', 100, 10)], domainRows('Firefox', 'noisy.test', 50));
    await call(f, 'POST', '/api/v1/privacy:set', { kind: 'app', name: 'Noisy', level: 'hide' });
    await call(f, 'POST', '/api/v1/privacy:set', { kind: 'domain', name: 'noisy.test', level: 'hide' });
    const apps = (await call(f, 'GET', '/api/v1/apps:list?range=7d')).value as AppsList;
    expect(apps.apps.map((a) => a.app)).toEqual(['Firefox']);
    const domains = (await call(f, 'GET', '/api/v1/domains:list?range=7d')).value as { domains: { domain: string }[] };
    expect(domains.domains.map((d) => d.domain)).not.toContain('noisy.test');
    // Still recorded under its own name, and the summary's totals still hold it.
    expect(count(f, 'SELECT count(*) AS n FROM usage_raw JOIN apps ON apps.id = app_id WHERE apps.name = ?', 'Noisy')).toBe(3);
    const list = (await call(f, 'GET', '/api/v1/privacy:list')).value as { entries: unknown[] };
    expect(list.entries).toEqual([
      { kind: 'app', name: 'Noisy', level: 'hide' },
      { kind: 'domain', name: 'noisy.test', level: 'hide' },
    ]);
    // A purge of all usage keeps the list.
    expect((await call(f, 'POST', '/api/v1/data:purge', { since: 0, until: now + 60 })).status).toBe(200);
    expect(((await call(f, 'GET', '/api/v1/privacy:list')).value as { entries: unknown[] }).entries).toHaveLength(2);
    await closeEarly(f);
    // The CLI: the list, and a report without the hidden row.
    expect(existsSync(path.join(f.dir, 'privacy.json'))).toBe(true);
    const cliList = JSON.parse(netmon(['privacy', 'list', '--json', '--data-dir', f.dir]).stdout) as { entries: unknown[] };
    expect(cliList.entries).toHaveLength(2);
    expect(netmon(['privacy', 'set', 'Noisy', 'normal', '--data-dir', f.dir]).code).toBe(0);
    expect(netmon(['privacy', 'set', 'Noisy', 'loud', '--data-dir', f.dir]).code).toBe(2);
    expect((JSON.parse(netmon(['privacy', 'list', '--json', '--data-dir', f.dir]).stdout) as { entries: unknown[] }).entries).toEqual([{ kind: 'domain', name: 'noisy.test', level: 'hide' }]);
  });
});

