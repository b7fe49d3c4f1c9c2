// Issue 13 item 6, networks: a private network's rows are stored under the one private network
// ("private", "Private network"), its id and label never in the database file (bytes grepped, WAL
// included); setting it folds its stored history (every per-network tier) into that row; forget deletes
// it after a confirmation; hide leaves it out of `netmon report --by network`. Also what a private app
// does to the per-network tiers (its rows there go under "Private" too), and item 4: budgets and plans
// typed on a private name count the private row, and the name is not stored in them.
import { describe, expect, it } from 'vitest';
import { PRIVATE_APP, PRIVATE_NETWORK, PRIVATE_NETWORK_LABEL } from '../../src-shared/privacy.js';
import type { NetworkInfo, NetworkUsage } from '../../src-main/engine/network/network-rows.js';
import type { AppUsage } from '../../src-main/engine/types.js';
import { netmon } from '../helpers/cli.js';
import type { Fixture } from '../helpers/http-fixture.js';
import { call, fixturePerTest, inFile } from '../helpers/privacy.js';

const { start, closeEarly } = fixturePerTest();

const now = Math.floor(Date.now() / 1000);
const stamps = [now - 3 * 3600, now - 2 * 3600, now - 3600];
const HOME = 'wifi:02:5e:c7:e7:0a:42';
const HOME_LABEL = 'Casa Segreta';
const CAFE = 'wifi:02:00:00:00:ca:fe';
const info = (key: string, label: string): NetworkInfo => ({ key, label, kind: 'wifi', metered: false, reason: 'no sign of a metered link', lastSeen: now - 3600 });
const netRows = (key: string, app: string, bytesIn: number): NetworkUsage[] => stamps.map((ts) => ({ ts, durationS: 5, app, network: key, iface: 'wlan0', bytesIn, bytesOut: bytesIn / 10 }));
const usage = (app: string, bytesIn: number): AppUsage[] => stamps.map((ts) => ({ ts, durationS: 5, app, bytesIn, bytesOut: bytesIn / 10 }));

function write(f: Fixture, rows: AppUsage[], network: NetworkUsage[], networks: NetworkInfo[]): void {
  f.store.append(rows);
  f.store.appendNetworks(network, networks);
  const flushed = f.store.flush();
  if (!flushed.ok) throw new Error(flushed.error.message);
}

const count = (f: Fixture, sql: string, ...args: unknown[]): number => (f.store.db.prepare(sql).get(...args) as { n: number }).n;
type ByNetwork = { rows: { network: string; label: string; bytesIn: number; bytesOut: number }[]; totals: { bytesIn: number; bytesOut: number } };
const byNetwork = (dir: string): ByNetwork => JSON.parse(netmon(['report', '--by', 'network', '--json', '--since', '7d', '--data-dir', dir]).stdout) as ByNetwork;

describe('privacy levels for networks', () => {
  it('private: its rows under the private network, its id and label never in the database file, the totals unchanged', async () => {
    const f = await start();
    expect((await call(f, 'POST', '/api/v1/privacy:set', { kind: 'network', name: HOME, level: 'private' })).status).toBe(200);
    write(f, [...usage('Firefox', 1000), ...usage('Mail', 200)], [...netRows(HOME, 'Firefox', 1000), ...netRows(CAFE, 'Mail', 200)], [info(HOME, HOME_LABEL), info(CAFE, 'Cafe')]);
    await closeEarly(f);
    const report = byNetwork(f.dir);
    expect(report.rows.map((r) => [r.network, r.label]).sort()).toEqual([
      [PRIVATE_NETWORK, PRIVATE_NETWORK_LABEL],
      [CAFE, 'Cafe'],
    ]);
    expect(report.rows.find((r) => r.network === PRIVATE_NETWORK)).toMatchObject({ bytesIn: 3000, bytesOut: 300 });
    expect(report.totals).toEqual({ bytesIn: 3600, bytesOut: 360 });
    for (const text of [HOME, HOME_LABEL, '02:5e:c7']) expect(inFile(f.dir, text), text).toBe(false);
    expect(inFile(f.dir, CAFE)).toBe(true); // the grep sees an id that is there
  });

  it('private on a network with history folds every per-network tier (and a plan on it) into the private network; the id and label leave the file', async () => {
    const f = await start();
    write(f, usage('Firefox', 700), netRows(HOME, 'Firefox', 700), [info(HOME, HOME_LABEL)]);
    // A user's own name for it, and a plan on it: both name it.
    f.store.withWriter((db) => db.prepare('UPDATE networks SET user_label = ? WHERE key = ?').run('My flat', HOME));
    await closeEarly(f);
    expect(netmon(['plan', 'set', '--kind', 'monthly', '--day', '1', '--quota', '5', '--network', HOME, '--data-dir', f.dir]).code).toBe(0);
    expect(inFile(f.dir, HOME)).toBe(true);
    const set = netmon(['privacy', 'set', HOME, 'private', '--network', '--data-dir', f.dir]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/stored rows of it moved under the private row/);
    expect(set.stdout).toMatch(/1 plan\(s\) on it now count the private network/);
    const report = byNetwork(f.dir);
    expect(report.rows).toEqual([expect.objectContaining({ network: PRIVATE_NETWORK, label: PRIVATE_NETWORK_LABEL, bytesIn: 2100, bytesOut: 210 })]);
    // The plan counts the same bytes, under the private network.
    const status = JSON.parse(netmon(['status', '--json', '--data-dir', f.dir]).stdout) as { plan: { usedBytes: number } };
    expect(status.plan.usedBytes).toBe(2310);
    for (const text of [HOME, HOME_LABEL, 'My flat']) expect(inFile(f.dir, text), text).toBe(false);
    expect((JSON.parse(netmon(['privacy', 'list', '--json', '--data-dir', f.dir]).stdout) as { entries: unknown[] }).entries).toEqual([{ kind: 'network', name: HOME, level: 'private' }]);
  });

  it('a private app: its per-network rows go under "Private" as its usage rows do (and folding it with per-network history works)', async () => {
    const f = await start();
    write(f, usage('Oldapp', 500), netRows(CAFE, 'Oldapp', 500), [info(CAFE, 'Cafe')]);
    const set = await call(f, 'POST', '/api/v1/privacy:set', { kind: 'app', name: 'Oldapp', level: 'private' });
    expect(set.status, JSON.stringify(set.value)).toBe(200);
    await call(f, 'POST', '/api/v1/privacy:set', { kind: 'app', name: 'Newapp', level: 'private' });
    write(f, usage('Newapp', 300), netRows(CAFE, 'Newapp', 300), [info(CAFE, 'Cafe')]);
    const apps = count(f, `SELECT count(DISTINCT a.name) AS n FROM network_raw t JOIN apps a ON a.id = t.app_id WHERE a.name <> ?`, PRIVATE_APP);
    expect(apps).toBe(0);
    expect(count(f, `SELECT sum(bytes_in) AS n FROM network_raw`)).toBe(2400);
    for (const name of ['Oldapp', 'Newapp']) expect(inFile(f.dir, name), name).toBe(false);
  });

  it('forget: every per-network row of it, after a confirmation; hide: left out of the report, still counted', async () => {
    const f = await start();
    write(f, [...usage('Firefox', 400), ...usage('Mail', 100)], [...netRows(HOME, 'Firefox', 400), ...netRows(CAFE, 'Mail', 100)], [info(HOME, HOME_LABEL), info(CAFE, 'Cafe')]);
    expect((await call(f, 'POST', '/api/v1/privacy:forget', { kind: 'network', name: HOME })).status).toBe(400);
    const forgot = (await call(f, 'POST', '/api/v1/privacy:forget', { kind: 'network', name: HOME, confirm: true })).value as { deleted: Record<string, number> };
    expect(forgot.deleted).toMatchObject({ network_raw: 3, network_hourly: 3, networks: 1 });
    expect(count(f, 'SELECT count(*) AS n FROM network_raw')).toBe(3);
    for (const text of [HOME, HOME_LABEL]) expect(inFile(f.dir, text), text).toBe(false);
    // The privacy file keeps no name of a forget: only a salted digest, for a day.
    expect(await import('node:fs').then((fs) => fs.readFileSync(`${f.dir}/privacy.json`, 'utf8'))).not.toContain(HOME);

    expect((await call(f, 'POST', '/api/v1/privacy:set', { kind: 'network', name: CAFE, level: 'hide' })).status).toBe(200);
    // The dashboard's list of networks leaves it out too (its totals still count it).
    const views = (await call(f, 'GET', '/api/v1/networks:list?range=7d')).value as { networks: { network: string }[]; totals: { bytesIn: number } };
    expect(views.networks.map((n) => n.network)).not.toContain(CAFE);
    expect(views.totals.bytesIn).toBe(300);
    await closeEarly(f);
    expect((JSON.parse(netmon(['network', 'list', '--json', '--data-dir', f.dir]).stdout) as { networks: { network: string }[] }).networks.map((n) => n.network)).not.toContain(CAFE);
    const report = byNetwork(f.dir);
    expect(report.rows).toEqual([]);
    expect(report.totals).toEqual({ bytesIn: 300, bytesOut: 30 });
    expect(netmon(['privacy', 'set', CAFE, 'normal', '--network', '--data-dir', f.dir]).code).toBe(0);
    expect(byNetwork(f.dir).rows.map((r) => r.network)).toEqual([CAFE]);
    expect(netmon(['privacy', 'set', PRIVATE_NETWORK, 'hide', '--network', '--data-dir', f.dir]).code).toBe(2);
    expect(netmon(['privacy', 'set', CAFE, 'hide', '--network', '--app', '--data-dir', f.dir]).code).toBe(2);
  });
});

describe('budgets and plans typed on a private name (item 4)', () => {
  it('a budget on a private app counts "Private", says so, and never stores the name; one stored before is moved when the app becomes private', async () => {
    const f = await start();
    write(f, [...usage('Secretapp', 1000), ...usage('Chatty', 500)], [], []);
    await closeEarly(f);
    // A budget on Chatty first, then Chatty becomes private: the budget moves to Private.
    expect(netmon(['budget', 'add', '--app', 'Chatty', '--quota', '1', '--data-dir', f.dir]).code).toBe(0);
    expect(inFile(f.dir, 'Chatty')).toBe(true);
    const set = netmon(['privacy', 'set', 'Chatty', 'private', '--app', '--data-dir', f.dir]);
    expect(set.stdout).toMatch(/1 budget\(s\) on it now count "Private"/);
    expect(netmon(['privacy', 'set', 'Secretapp', 'private', '--data-dir', f.dir]).code).toBe(0);
    // Typed after: converted, with the reason; the existing Private budget takes the new quota.
    const added = netmon(['budget', 'add', '--app', 'Secretapp', '--quota', '2', '--data-dir', f.dir]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/the app 'Secretapp' is private, so its name is not stored: this counts "Private"/);
    const budgets = JSON.parse(netmon(['budget', 'list', '--json', '--data-dir', f.dir]).stdout) as { budgets: { budget: { target: { kind: string; name: string } }; usedBytes: number }[] };
    expect(budgets.budgets).toHaveLength(1);
    expect(budgets.budgets[0]).toMatchObject({ budget: { target: { kind: 'app', name: PRIVATE_APP } }, usedBytes: 4950 });
    for (const name of ['Secretapp', 'Chatty']) expect(inFile(f.dir, name), name).toBe(false);
  });

  it('through the API: budgets:add on a private app answers the Private budget; plans:set on a private network counts the private network', async () => {
    const f = await start();
    await call(f, 'POST', '/api/v1/privacy:set', { kind: 'app', name: 'Secretapp', level: 'private' });
    await call(f, 'POST', '/api/v1/privacy:set', { kind: 'network', name: HOME, level: 'private' });
    const budget = await call(f, 'POST', '/api/v1/budgets:add', { app: 'Secretapp', quotaGb: 1 });
    expect(budget.status, JSON.stringify(budget.value)).toBe(200);
    expect(budget.value).toMatchObject({ target: { kind: 'app', name: PRIVATE_APP } });
    const plan = await call(f, 'POST', '/api/v1/plans:set', { kind: 'monthly', day: 1, quotaGb: 10, network: HOME });
    expect(plan.status, JSON.stringify(plan.value)).toBe(200);
    expect(count(f, 'SELECT count(*) AS n FROM plans WHERE network = ?', PRIVATE_NETWORK)).toBe(1);
    for (const text of ['Secretapp', HOME]) expect(inFile(f.dir, text), text).toBe(false);
  });
});
