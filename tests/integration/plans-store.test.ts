// Plans on a real SQLite store: what counts (every row, unattributed included), free hours,
// calibration, alert de-duplication across a restart (the state is stored), re-arming on an edit,
// immutable cycle summaries, and bad input saving nothing.
process.env.TZ = 'Europe/Berlin';
import { describe, expect, it } from 'vitest';
import { checkPlans } from '../../src-main/engine/plans/checker.js';
import { plansStatus } from '../../src-main/engine/plans/status.js';
import { PlanInputError, validatePlan } from '../../src-main/engine/plans/validate.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import { listAlerts, listBudgets, listPlans, saveBudget, saveCalibration, savePlan, writeCycleSummary } from '../../src-main/engine/store/plans.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';
import { tempDataDir } from '../helpers/store.js';
import { sideConnection } from '../helpers/side-connection.js';

// Plans keep their state in tables of their own and write them through Store.withWriter; the test
// writes and reads them on a second connection to the same file (the store hands out only a read handle).
const writers = new WeakMap<object, ReturnType<typeof sideConnection>>();
function writer(store: { path: string }): ReturnType<typeof sideConnection> {
  let db = writers.get(store);
  if (db === undefined) {
    db = sideConnection(store);
    writers.set(store, db);
  }
  return db;
}

const GB = 1e9;
const at = (y: number, m: number, d: number, h = 0): number => new Date(y, m - 1, d, h).getTime() / 1000;
const NOW = at(2026, 3, 20, 12);

/** Feb 25 … Mar 20: each day 0.6 GB of App A at 10:00 (0.5 in, 0.1 out) and 0.4 GB unattributed at 03:00. */
function seeded(dir: string): Store {
  const store = openStore({ dataDir: dir });
  const rows = [];
  for (let t = at(2026, 2, 25); t <= at(2026, 3, 20); t = new Date(new Date(t * 1000).setDate(new Date(t * 1000).getDate() + 1)).getTime() / 1000) {
    const d = new Date(t * 1000);
    const hour = (h: number): number => new Date(d.getFullYear(), d.getMonth(), d.getDate(), h).getTime() / 1000;
    rows.push({ ts: hour(11), durationS: 3600, app: 'App A', bytesIn: 0.5 * GB, bytesOut: 0.1 * GB });
    rows.push({ ts: hour(4), durationS: 3600, app: UNATTRIBUTED, bytesIn: 0.3 * GB, bytesOut: 0.1 * GB });
  }
  store.append(rows);
  expect(store.flush().ok).toBe(true);
  return store;
}

describe('plan figures on a real store', () => {
  it('what counts is the interface total: every row, (unattributed) included', () => {
    const store = seeded(tempDataDir());
    savePlan(writer(store), validatePlan({ kind: 'monthly', day: 15, quotaGb: 10 }, NOW), NOW);
    const status = plansStatus(writer(store), NOW);
    // Mar 15 … Mar 20: six days of 1 GB (today's both rows are before noon).
    expect(status.plan?.usedBytes).toBe(6 * GB);
    expect(status.plan?.startDate).toBe('2026-03-15');
    expect(status.plan?.lastDate).toBe('2026-04-14');
    store.close();
  });

  it('direction and free hours: 00–06 takes out the 03:00–04:00 rows; upload counts 0.1 + 0.1 a day', () => {
    const store = seeded(tempDataDir());
    savePlan(writer(store), validatePlan({ kind: 'monthly', day: 15, quotaGb: 10, freeHours: '00-06' }, NOW), NOW);
    expect(plansStatus(writer(store), NOW).plan).toMatchObject({ usedBytes: 3.6 * GB, freeBytes: 2.4 * GB });
    savePlan(writer(store), validatePlan({ kind: 'monthly', day: 15, quotaGb: 10, direction: 'upload' }, NOW), NOW);
    expect(plansStatus(writer(store), NOW).plan?.usedBytes).toBe(1.2 * GB);
    store.close();
  });

  it('calibration adds an offset to this cycle only, shown with its date', () => {
    const store = seeded(tempDataDir());
    const plan = savePlan(writer(store), validatePlan({ kind: 'monthly', day: 15, quotaGb: 10 }, NOW), NOW);
    const cycleStart = plansStatus(writer(store), NOW).plan?.cycleStart ?? 0;
    saveCalibration(writer(store), { planId: plan.id, cycleStart, offsetBytes: 1.5 * GB, at: NOW - 60 });
    expect(plansStatus(writer(store), NOW).plan).toMatchObject({ usedBytes: 7.5 * GB, calibration: { offsetBytes: 1.5 * GB, at: NOW - 60 } });
    // The next cycle starts without it.
    expect(plansStatus(writer(store), at(2026, 4, 15, 1)).plan?.calibration).toBeNull();
    store.close();
  });

  it('forecast: weekday medians of 1 GB a day give exactly 1 GB a day to the end, and the crossing day', () => {
    const store = seeded(tempDataDir());
    savePlan(writer(store), validatePlan({ kind: 'monthly', day: 15, quotaGb: 10 }, NOW), NOW);
    const plan = plansStatus(writer(store), NOW).plan;
    // History Feb 25 … Mar 19 (23 days): fewer than two of each weekday in 28 days? No: 23 days hold ≥ 2 of each → weekday method.
    // Every day is 1 GB, so P20 = P50 = P80 = 1 GB; today (1 GB already) adds 0; Mar 21 … Apr 14 is 25 days → 6 + 25 = 31 GB.
    expect(plan?.forecast).toMatchObject({ available: true, method: 'weekday', p20: 31 * GB, p50: 31 * GB, p80: 31 * GB, crossingDate: '2026-03-24' });
    expect(plan?.safeTodayBytes).toBeCloseTo((4 * GB) / 26, 0);
    store.close();
  });
});

describe('alerts', () => {
  it('fire once per cycle, survive a restart without repeating, and re-arm when the plan is edited', () => {
    const dir = tempDataDir();
    let store = seeded(dir);
    savePlan(writer(store), validatePlan({ kind: 'monthly', day: 15, quotaGb: 7 }, NOW), NOW);
    const first = checkPlans(writer(store), NOW, { anomalies: false });
    // 6 of 7 GB = 86 % → the 80 % alert; the forecast (31 GB) crosses 100 % too.
    expect(first.map((a) => `${a.kind}:${a.percent}`)).toEqual(['threshold:80', 'forecast:100']);
    expect(first[0]?.body).toMatch(/Top apps: App A/);
    store.close();

    store = openStore({ dataDir: dir });
    expect(checkPlans(writer(store), NOW + 120, { anomalies: false })).toEqual([]);
    expect(listAlerts(writer(store), 0)).toHaveLength(2);

    savePlan(writer(store), validatePlan({ kind: 'monthly', day: 15, quotaGb: 7 }, NOW), NOW + 180);
    expect(checkPlans(writer(store), NOW + 240, { anomalies: false }).map((a) => a.percent)).toEqual([80, 100]);
    store.close();
  });

  it('a budget for an app counts that app only', () => {
    const store = seeded(tempDataDir());
    saveBudget(writer(store), { target: { kind: 'app', name: 'App A' }, quotaBytes: 10 * GB, direction: 'total' }, NOW);
    // No plan: the calendar month, Mar 1 … Mar 20 → 20 × 0.6 GB.
    const status = plansStatus(writer(store), NOW);
    expect(status.budgets[0]).toMatchObject({ usedBytes: 12 * GB, startDate: '2026-03-01', level: 'over' });
    expect(status.level).toBe('over');
    expect(checkPlans(writer(store), NOW, { anomalies: false }).map((a) => a.title)).toEqual(['Budget for App A: 100 % used']);
    store.close();
  });
});

describe('stored rows', () => {
  it('a cycle summary is written once and never changed', () => {
    const store = seeded(tempDataDir());
    const plan = savePlan(writer(store), validatePlan({ kind: 'monthly', day: 15, quotaGb: 7 }, NOW), NOW);
    const summary = { planId: plan.id, cycleStart: 1, cycleEnd: 2, quotaBytes: 7, usedBytes: 8, offsetBytes: 0, overageBytes: 1, top: { apps: [], domains: [] }, closedAt: 3 };
    expect(writeCycleSummary(writer(store), summary)).toBe(true);
    expect(writeCycleSummary(writer(store), { ...summary, usedBytes: 1 })).toBe(false);
    expect(() => writer(store).prepare('UPDATE cycle_history SET used_bytes = 0').run()).toThrow(/immutable/);
    store.close();
  });

  it('the previous cycle is summarised by the check once it is over', () => {
    const store = seeded(tempDataDir());
    savePlan(writer(store), validatePlan({ kind: 'weekly', weekday: 0, quotaGb: 100 }, NOW), NOW);
    checkPlans(writer(store), NOW, { anomalies: false });
    const row = writer(store).prepare('SELECT used_bytes AS used, top FROM cycle_history').get() as { used: number; top: string };
    // Mon Mar 9 … Sun Mar 15: 7 GB; App A is the top app.
    expect(row.used).toBe(7 * GB);
    expect(JSON.parse(row.top)).toMatchObject({ apps: [{ name: 'App A', bytes: 4.2 * GB }] });
    store.close();
  });

  it('bad input saves nothing', () => {
    const store = seeded(tempDataDir());
    expect(() => savePlan(writer(store), validatePlan({ kind: 'monthly', day: 32, quotaGb: 10 }, NOW), NOW)).toThrow(PlanInputError);
    expect(listPlans(writer(store))).toEqual([]);
    expect(listBudgets(writer(store))).toEqual([]);
    store.close();
  });
});
