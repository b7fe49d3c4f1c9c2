// The plan commands on a demo folder with a planted anomaly (Photos uploads 30 GB to
// icloud-content.com, 02:00–05:00, three days ago): `netmon changes --json` ranks it first with the
// planted figure; `netmon status --json` forecasts what this test computes by hand from the daily
// totals `netmon export` gives; `netmon status` exits 0, then 1, then 2 as the quota is lowered; bad
// input names its field and saves nothing; budgets round-trip.
process.env.TZ = 'Europe/Berlin';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangesView, PlansStatus } from '../../src-shared/plans.js';
import { netmon } from '../helpers/cli.js';

const GB = 1e9;
let root = '';
let dir = '';

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'netmon-plans-'));
  dir = path.join(root, 'data');
  const demo = netmon(['demo', '--days', '45', '--data-dir', dir, '--anomaly']);
  expect(demo.code, demo.stderr).toBe(0);
  expect(demo.stdout).toMatch(/planted Photos uploading 30 GB to icloud-content.com/);
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const localDate = (t: number): string => {
  const d = new Date(t * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
const midnight = (daysFromToday: number): number => {
  const d = new Date();
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + daysFromToday).getTime() / 1000;
};

/** Type-7 percentile, written out again here so that the test does not lean on the engine's. */
function pct(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return (s[lo] ?? 0) + (h - lo) * ((s[Math.ceil(h)] ?? 0) - (s[lo] ?? 0));
}

describe('netmon changes on the planted anomaly', () => {
  it('ranks the planted upload first, with the planted figure, and names its cause', () => {
    const result = netmon(['changes', '--json', '--data-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    const view = JSON.parse(result.stdout) as ChangesView;
    expect(view.scored).toBe(true);
    // First the app and the site of the planted upload (in the order of their change), then the rest.
    expect(view.rows.slice(0, 2).map((r) => r.name).sort()).toEqual(['Photos', 'icloud-content.com']);
    // The site only the planted rows went to: exactly 30 GB this week, nothing before.
    const site = view.rows.find((r) => r.kind === 'domain');
    expect(site).toMatchObject({ name: 'icloud-content.com', thisWindow: 30 * GB, lastWindow: 0, delta: 30 * GB });
    expect(site?.badges).toContain('new');
    // The first app row is Photos, up by the 30 GB give or take its ordinary use.
    const app = view.rows.find((r) => r.kind === 'app');
    expect(app?.name).toBe('Photos');
    expect(app?.delta).toBeGreaterThan(28 * GB);
    expect(app?.delta).toBeLessThan(32 * GB);
    const planted = localDate(midnight(-3) + 12 * 3600);
    expect(app?.anomaly).toMatchObject({ date: planted });
    expect(app?.anomaly?.z).toBeGreaterThan(3.5);
    expect(app?.anomaly?.cause).toMatch(/^Photos \+(29|30)\.\d\d GB, \w{3} 02:00–05:00, mostly icloud-content\.com$/);
    expect(app?.badges).toContain('unusual-hour');
  });

  it('refuses a window it cannot compute, naming the flag', () => {
    const result = netmon(['changes', '--since', '90d', '--data-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--since "90d": expected a window of 1 to 28 days/);
  });
});

describe('netmon plan and status', () => {
  // A 14-day cycle that began three days ago: today and the ten days after it are still to come.
  const anchor = (): string => localDate(midnight(-3) + 3600);
  const setQuota = (gb: number): void => {
    const set = netmon(['plan', 'set', '--kind', 'every-n-days', '--anchor', anchor(), '--every', '14', '--quota', gb.toFixed(3), '--data-dir', dir]);
    expect(set.code, set.stderr).toBe(0);
  };
  const status = (): { code: number | null; value: PlansStatus } => {
    const run = netmon(['status', '--json', '--data-dir', dir]);
    return { code: run.code, value: JSON.parse(run.stdout) as PlansStatus };
  };

  it('forecasts what the daily totals give by hand: same weekday over 4 weeks, P20–P80', () => {
    setQuota(100_000);
    const exported = netmon(['export', '--format', 'json', '--by', 'day', '--since', localDate(midnight(-28) + 3600), '--data-dir', dir]);
    expect(exported.code, exported.stderr).toBe(0);
    const days = (JSON.parse(exported.stdout) as { rows: { ts: number; bytesIn: number; bytesOut: number }[] }).rows.map((r) => ({ ts: r.ts, bytes: r.bytesIn + r.bytesOut }));
    const today = midnight(0);
    const history = days.filter((d) => d.ts < today);
    expect(history).toHaveLength(28);
    const todayUsed = days.find((d) => d.ts === today)?.bytes ?? 0;
    const used = days.filter((d) => d.ts >= midnight(-3)).reduce((a, d) => a + d.bytes, 0);
    const sameWeekday = (t: number): number[] => history.filter((d) => new Date(d.ts * 1000).getDay() === new Date(t * 1000).getDay()).map((d) => d.bytes);
    const expected = { p20: used, p50: used, p80: used };
    for (let i = 0; i <= 10; i += 1) {
      const day = midnight(i);
      const values = sameWeekday(day);
      expect(values).toHaveLength(4);
      const less = i === 0 ? todayUsed : 0;
      expected.p20 += Math.max(0, pct(values, 0.2) - less);
      expected.p50 += Math.max(0, pct(values, 0.5) - less);
      expected.p80 += Math.max(0, pct(values, 0.8) - less);
    }
    const { code, value } = status();
    expect(code).toBe(0);
    const plan = value.plan;
    expect(plan?.usedBytes).toBeCloseTo(used, -6);
    expect(plan?.forecast.available).toBe(true);
    if (plan?.forecast.available !== true) return;
    expect(plan.forecast.method).toBe('weekday');
    expect(plan.forecast.p50).toBeGreaterThanOrEqual(plan.forecast.p20);
    expect(plan.forecast.p80).toBeGreaterThanOrEqual(plan.forecast.p50);
    // Within a megabyte of the hand computation (the planted 30 GB is in `used`, not in any weekday's median).
    expect(Math.abs(plan.forecast.p20 - expected.p20)).toBeLessThan(1e6);
    expect(Math.abs(plan.forecast.p50 - expected.p50)).toBeLessThan(1e6);
    expect(Math.abs(plan.forecast.p80 - expected.p80)).toBeLessThan(1e6);
    expect(plan.daysLeft).toBe(11);
    expect(plan.lastDate).toBe(localDate(midnight(10) + 3600));
  });

  it('exits 0, then 1, then 2 as the quota is lowered', () => {
    setQuota(100_000);
    const first = status();
    expect(first.code).toBe(0);
    const used = first.value.plan?.usedBytes ?? 0;
    expect(used).toBeGreaterThan(30 * GB);
    setQuota(used / 0.9 / GB); // 90 % used
    const warned = status();
    expect(warned.value.level).toBe('warning');
    expect(warned.code).toBe(1);
    setQuota((used * 0.5) / GB);
    const over = status();
    expect(over.value.level).toBe('over');
    expect(over.code).toBe(2);
    const text = netmon(['status', '--data-dir', dir]);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/Status: over/);
  });

  it('calibration: the carrier’s figure becomes this cycle’s, shown with its date', () => {
    setQuota(100_000);
    const calibrated = netmon(['plan', 'calibrate', '--used', '500', '--data-dir', dir]);
    expect(calibrated.code, calibrated.stderr).toBe(0);
    const { value } = status();
    // Within the bytes the demo's last hour could add between the two reads (none: demo data does not grow).
    expect(value.plan?.usedBytes).toBe(500 * GB);
    expect(value.plan?.calibration?.at).toBeGreaterThan(Date.now() / 1000 - 120);
    const show = netmon(['plan', 'show', '--data-dir', dir]);
    expect(show.stdout).toMatch(/calibrated \+[\d.]+ GB on \d{4}-\d\d-\d\d/);
  });

  it.each([
    { args: ['--kind', 'monthly', '--day', '1', '--quota', '0'], error: /quota: must be more than 0 GB/ },
    { args: ['--kind', 'monthly', '--day', '32', '--quota', '10'], error: /day: the reset day must be a whole number from 1 to 31/ },
    { args: ['--kind', 'bucket', '--quota', '10'], error: /start: a prepaid bucket needs a start date/ },
    { args: ['--kind', 'every-n-days', '--every', '28', '--anchor', '2099-01-01', '--quota', '10'], error: /anchor: is in the future/ },
  ])('refuses $args and saves nothing', ({ args, error }) => {
    const planOf = (): unknown => (JSON.parse(netmon(['plan', 'show', '--json', '--data-dir', dir]).stdout) as { plan: { plan: unknown } | null }).plan?.plan;
    const before = planOf();
    const result = netmon(['plan', 'set', ...args, '--data-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(error);
    expect(result.stderr).toMatch(/nothing was saved/);
    expect(planOf()).toEqual(before);
  });

  it('budgets: add, list, remove', () => {
    expect(netmon(['budget', 'add', '--domain', 'youtube.com', '--quota', '20', '--data-dir', dir]).code).toBe(0);
    expect(netmon(['budget', 'add', '--app', 'Steam', '--quota', '50', '--data-dir', dir]).code).toBe(0);
    const listed = JSON.parse(netmon(['budget', 'list', '--json', '--data-dir', dir]).stdout) as { budgets: { budget: { id: number; target: { name: string } }; usedBytes: number }[] };
    expect(listed.budgets.map((b) => b.budget.target.name)).toEqual(['youtube.com', 'Steam']);
    expect(listed.budgets[0]?.usedBytes).toBeGreaterThan(0);
    const id = listed.budgets[1]?.budget.id ?? 0;
    expect(netmon(['budget', 'remove', String(id), '--data-dir', dir]).code).toBe(0);
    expect(netmon(['budget', 'list', '--data-dir', dir]).stdout).not.toMatch(/Steam/);
    const bad = netmon(['budget', 'add', '--domain', 'https://youtube.com/watch?v=1', '--quota', '5', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/domain: must be a registrable domain/);
    expect(netmon(['budget', 'remove', String(listed.budgets[0]?.budget.id ?? 0), '--data-dir', dir]).code).toBe(0);
  });
});
