// A plan on one network (issue 11 item 1) on a real store with two networks, their rows written through
// the store's own flush (Store.append for the usage tiers, Store.appendNetworks for the per-network
// tiers, as the monitor writes them): a plan on network A counts only A's bytes (every interface and app
// of it, unattributed included), free hours and direction applied as for "all"; "all" still counts
// both; an unknown network id is refused naming the field and nothing is saved (engine, API port, CLI).
process.env.TZ = 'Europe/Berlin';
import { describe, expect, it } from 'vitest';
import { createPlansAccess } from '../../src-main/api/plans.js';
import { isKnownNetwork } from '../../src-main/engine/plans/figures.js';
import { plansStatus } from '../../src-main/engine/plans/status.js';
import { PlanInputError, validatePlan, type PlanInput } from '../../src-main/engine/plans/validate.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import { listPlans, savePlan } from '../../src-main/engine/store/plans.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';
import { netmon } from '../helpers/cli.js';
import { sideConnection } from '../helpers/side-connection.js';
import { tempDataDir } from '../helpers/store.js';

const GB = 1e9;
/** A tenth of a GB: expected figures in whole tenths, so that they are exact integers. */
const TENTH = 1e8;
const at = (y: number, m: number, d: number, h = 0): number => new Date(y, m - 1, d, h).getTime() / 1000;
const NOW = at(2026, 3, 20, 12);
const A = { key: 'wired:02:00:5e:10:00:01', label: 'Home fibre', kind: 'wired', metered: false, reason: 'no sign of a metered link', lastSeen: NOW };
const B = { key: 'wifi:Phone hotspot', label: 'Phone hotspot', kind: 'wifi', metered: true, reason: 'a phone hotspot', lastSeen: NOW };

/**
 * Mar 10 … Mar 20, each day: on A, App A 0.5 in + 0.1 out at 10:00–11:00 on eth0 and 0.2 in
 * (unattributed) at 03:00–04:00 on eth1; on B, App A 0.3 in + 0.1 out at 08:00–09:00 on wlan0.
 */
function seeded(dir: string): Store {
  const store = openStore({ dataDir: dir });
  const usage = [];
  const perNetwork = [];
  for (let day = 10; day <= 20; day++) {
    const a1 = { ts: at(2026, 3, day, 11), durationS: 3600, app: 'App A', bytesIn: 0.5 * GB, bytesOut: 0.1 * GB };
    const a2 = { ts: at(2026, 3, day, 4), durationS: 3600, app: UNATTRIBUTED, bytesIn: 0.2 * GB, bytesOut: 0 };
    const b1 = { ts: at(2026, 3, day, 9), durationS: 3600, app: 'App A', bytesIn: 0.3 * GB, bytesOut: 0.1 * GB };
    usage.push(a1, a2, b1);
    perNetwork.push({ ...a1, network: A.key, iface: 'eth0' }, { ...a2, network: A.key, iface: 'eth1' }, { ...b1, network: B.key, iface: 'wlan0' });
  }
  store.append(usage);
  store.appendNetworks(perNetwork, [A, B], []);
  expect(store.flush().ok).toBe(true);
  return store;
}

const monthly = (extra: Partial<PlanInput> = {}): PlanInput => ({ kind: 'monthly', day: 15, quotaGb: 10, ...extra });

describe('a plan on one network', () => {
  it('counts only that network (all its interfaces, unattributed included); "all" counts both', () => {
    const store = seeded(tempDataDir());
    const db = sideConnection(store);
    try {
      const known = (key: string): boolean => isKnownNetwork(db, key);
      // Mar 15 … Mar 20: six days.
      savePlan(db, validatePlan(monthly({ network: A.key }), NOW, known), NOW);
      const onA = plansStatus(db, NOW).plan;
      expect(onA?.plan.network).toBe(A.key);
      expect(onA?.usedBytes).toBe(6 * 8 * TENTH);
      // Free hours 00–06 take out A's 03:00–04:00 bytes only; upload counts A's 0.1 a day.
      savePlan(db, validatePlan(monthly({ network: A.key, freeHours: '00-06' }), NOW, known), NOW);
      expect(plansStatus(db, NOW).plan?.usedBytes).toBe(6 * 6 * TENTH);
      expect(plansStatus(db, NOW).plan?.freeBytes).toBe(6 * 2 * TENTH);
      savePlan(db, validatePlan(monthly({ network: A.key, direction: 'upload' }), NOW, known), NOW);
      expect(plansStatus(db, NOW).plan?.usedBytes).toBe(6 * 1 * TENTH);
      savePlan(db, validatePlan(monthly({ network: B.key }), NOW, known), NOW);
      expect(plansStatus(db, NOW).plan?.usedBytes).toBe(6 * 4 * TENTH);
      savePlan(db, validatePlan(monthly({ network: 'all' }), NOW, known), NOW);
      const all = plansStatus(db, NOW).plan;
      expect(all?.plan.network).toBe('all');
      expect(all?.usedBytes).toBe(6 * 12 * TENTH);
      savePlan(db, validatePlan(monthly({ network: 'all', freeHours: '00-06' }), NOW, known), NOW);
      expect(plansStatus(db, NOW).plan?.usedBytes).toBe(6 * 10 * TENTH);
    } finally {
      db.close();
      store.close();
    }
  });

  it('an unknown network id is refused naming the field, and nothing is saved', () => {
    const store = seeded(tempDataDir());
    const db = sideConnection(store);
    try {
      let refused: unknown = null;
      try {
        validatePlan(monthly({ network: 'wifi:nowhere' }), NOW, (key) => isKnownNetwork(db, key));
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(PlanInputError);
      expect((refused as PlanInputError).issues.map((i) => i.field)).toEqual(['network']);
      expect((refused as PlanInputError).message).toMatch(/^network: unknown network "wifi:nowhere"/);
      // Without a store to ask, only "all" passes.
      expect(() => validatePlan(monthly({ network: A.key }), NOW)).toThrow(/^network: /);
      // The API port (plans:set) asks the store, and saves nothing when refused.
      const access = createPlansAccess(store);
      expect(() => access.set({ kind: 'monthly', day: 15, quotaGb: 10, network: 'wifi:nowhere' }, NOW)).toThrow(PlanInputError);
      expect(listPlans(db)).toEqual([]);
      expect(access.set({ kind: 'monthly', day: 15, quotaGb: 10, network: B.key }, NOW).usedBytes).toBe(6 * 4 * TENTH);
    } finally {
      db.close();
      store.close();
    }
  });

  it('netmon plan set --network ID saves it and plan show names the network; an unknown id exits 2', () => {
    const dir = tempDataDir();
    seeded(dir).close();
    const bad = netmon(['plan', 'set', '--kind', 'monthly', '--day', '1', '--quota', '5', '--network', 'wifi:nowhere', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/network: unknown network "wifi:nowhere".*nothing was saved/);
    const none = netmon(['plan', 'show', '--data-dir', dir]);
    expect(none.stdout).toMatch(/No plan yet/);
    const set = netmon(['plan', 'set', '--kind', 'monthly', '--day', '1', '--quota', '5', '--network', B.key, '--data-dir', dir]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`of network Phone hotspot (${B.key}) only`);
    const show = netmon(['plan', 'show', '--data-dir', dir]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`of network Phone hotspot (${B.key}) only`);
    const json = netmon(['plan', 'show', '--json', '--data-dir', dir]);
    expect((JSON.parse(json.stdout) as { plan: { plan: { network: string } } }).plan.plan.network).toBe(B.key);
  });
});
