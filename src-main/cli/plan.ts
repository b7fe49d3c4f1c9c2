// `netmon plan set|show|calibrate|top-up|remove` and `netmon budget add|list|remove`: plans and budgets
// live in the database (schema v5), written here directly (SQLite serialises the writes of a running
// `serve`); `serve` and the app pick the change up on their next check. Bad input names the field and
// saves nothing (exit 2).
import type Database from 'better-sqlite3';
import type { BudgetStatusView, PlanStatusView } from '../../src-shared/plans.js';
import { formatBytes } from '../../src-shared/units.js';
import { resolveDataDir } from '../engine/config.js';
import { archiveBucket } from '../engine/plans/checker.js';
import { calibrationOffset } from '../engine/plans/calibration.js';
import { localDateOf, formatLocalDate } from '../engine/plans/cycles.js';
import { isKnownNetwork, networkLabel } from '../engine/plans/figures.js';
import { budgetStatus, measuredInCycle, planStatus } from '../engine/plans/status.js';
import { parseWeekday, PlanInputError, validateBudget, validatePlan, type PlanInput } from '../engine/plans/validate.js';
import { GB } from '../engine/plans/types.js';
import { PrivacySettings } from '../engine/privacy/list.js';
import { budgetTargetOf, planNetworkOf } from '../engine/privacy/targets.js';
import { DatabaseTooNewError, DatabaseUnusableError, openDatabase } from '../engine/store/index.js';
import { listBudgets, listCycleSummaries, planByName, removeBudget, removePlan, saveBudget, saveCalibration, savePlan } from '../engine/store/plans.js';
import { UserError, type CommandContext } from './main.js';
import { stringFlag } from './options.js';
import { renderTable } from './table.js';

/** Opens DIR's database for writing (migrating it if needed), or explains why it cannot. */
function openForWriting(ctx: CommandContext): Database.Database {
  try {
    return openDatabase(resolveDataDir(stringFlag(ctx.values['data-dir']))).db;
  } catch (err) {
    if (err instanceof DatabaseTooNewError || err instanceof DatabaseUnusableError) throw new UserError(err.message);
    throw err;
  }
}

function withDb<T>(ctx: CommandContext, run: (db: Database.Database) => T): T {
  const db = openForWriting(ctx);
  try {
    return run(db);
  } catch (err) {
    if (err instanceof PlanInputError) throw new UserError(`${err.message} (nothing was saved)`, 2);
    throw err;
  } finally {
    db.close();
  }
}

/** A decimal number flag (GB); a bad one names the field. */
function gbFlag(value: string | boolean | undefined, field: string): number {
  if (value === undefined) throw new UserError(`${field}: required (decimal GB, e.g. 50 or 0.5)`, 2);
  const text = String(value).trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new UserError(`${field}: ${JSON.stringify(text)} is not a number of GB`, 2);
  return Number(text);
}

function optionalInt(value: string | boolean | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^-?\d+$/.test(text)) throw new UserError(`${field}: ${JSON.stringify(text)} is not a whole number`, 2);
  return Number(text);
}

function describeCycle(p: PlanStatusView['plan']): string {
  const c = p.cycle;
  switch (c.kind) {
    case 'monthly':
      return `monthly, resets on day ${c.day} (the last day of shorter months)`;
    case 'every-n-days':
      return `every ${c.n} days from ${c.anchor}`;
    case 'weekly':
      return `weekly from ${['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][c.weekday] ?? '?'}`;
    case 'daily':
      return 'daily';
    case 'one-time':
      return `one-time, ${c.start} until ${c.expiry}`;
    case 'bucket':
      return `prepaid bucket since ${c.start} (no reset; top up to start a new one)`;
  }
}

const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** The lines that describe one cycle's figures (plan or budget). */
export function figureLines(f: PlanStatusView | BudgetStatusView): string[] {
  const lines: string[] = [];
  const until = f.lastDate === null ? 'no reset' : `until ${f.lastDate}`;
  lines.push(`  cycle     ${f.startDate} ${until}${f.active ? '' : ` — not active: ${f.inactiveReason ?? ''}`}`);
  lines.push(`  used      ${formatBytes(f.usedBytes)} of ${formatBytes(f.quotaBytes)} (${pct(f.usedShare)})${f.rolloverBytes > 0 ? `, ${formatBytes(f.rolloverBytes)} rolled over` : ''}`);
  if (f.paceBytes !== null) lines.push(`  pace      steady use would be at ${formatBytes(f.paceBytes)} now`);
  if (f.forecast.available) {
    const cross = f.forecast.crossingDate === null ? 'stays under the quota' : `crosses the quota on ${f.forecast.crossingDate}`;
    lines.push(`  forecast  ${formatBytes(f.forecast.p50)} at the end (range ${formatBytes(f.forecast.p20)}–${formatBytes(f.forecast.p80)}, ${f.forecast.method}); ${cross}`);
  } else lines.push(`  forecast  none: ${f.forecast.reason}`);
  if (f.safeTodayBytes !== null) lines.push(`  safe today ${formatBytes(f.safeTodayBytes)} (${f.daysLeft ?? 0} days left)`);
  return lines;
}

/** Which traffic a plan counts, for its first line: all, or one network (its name where known, and id). */
function describeNetwork(network: string, label: string): string {
  if (network === 'all') return 'all traffic';
  return `network ${label === '' ? network : `${label} (${network})`} only`;
}

/** The plan's lines for `plan show` and `status`; `networkName` is the plan's network's label ('' for all or unknown). */
export function planLines(status: PlanStatusView, networkName = ''): string[] {
  const p = status.plan;
  const dir = p.direction === 'total' ? 'download and upload' : p.direction;
  const lines = [`Plan: ${formatBytes(p.quotaBytes)} ${describeCycle(p)}, counting ${dir} of ${describeNetwork(p.network, networkName)}${p.freeHours === null ? '' : `, free ${String(p.freeHours.startHour).padStart(2, '0')}:00–${String(p.freeHours.endHour).padStart(2, '0')}:00`}${p.rollover ? ', unused quota rolls over' : ''}`];
  lines.push(...figureLines(status));
  if (status.calibration !== null) {
    lines.push(`  calibrated ${status.calibration.offsetBytes >= 0 ? '+' : '−'}${formatBytes(Math.abs(status.calibration.offsetBytes))} on ${formatLocalDate(localDateOf(status.calibration.at))} (your carrier's figure)`);
  }
  if (status.freeBytes > 0) lines.push(`  free      ${formatBytes(status.freeBytes)} in free hours, not counted`);
  return lines;
}

function planSet(ctx: CommandContext): number {
  const v = ctx.values;
  const input: PlanInput = {
    kind: stringFlag(v['kind']) ?? '',
    quotaGb: gbFlag(v['quota'], 'quota'),
    day: optionalInt(v['day'], 'day'),
    anchor: stringFlag(v['anchor']),
    every: optionalInt(v['every'], 'every'),
    // A name that is no weekday becomes -1, which validation refuses naming the field.
    weekday: v['weekday'] === undefined ? undefined : (parseWeekday(String(v['weekday'])) ?? -1),
    start: stringFlag(v['start']),
    expiry: stringFlag(v['expiry']),
    direction: stringFlag(v['direction']),
    freeHours: stringFlag(v['free-hours']),
    rollover: v['rollover'] === true,
    network: stringFlag(v['network']),
  };
  if (input.kind === '') throw new UserError('kind: required (monthly, every-n-days, weekly, daily, one-time or bucket)', 2);
  const nowS = Math.floor(Date.now() / 1000);
  return withDb(ctx, (db) => {
    // A private network is not stored by its id: the plan counts the private network (engine/privacy/targets.ts).
    const network = planNetworkOf(new PrivacySettings(resolveDataDir(stringFlag(ctx.values['data-dir']))), input.network, (key) => isKnownNetwork(db, key));
    const plan = savePlan(db, validatePlan({ ...input, network: network.network }, nowS, network.known), nowS);
    if (network.note !== null) ctx.out(`Note: ${network.note}.`);
    ctx.out(planLines(planStatus(db, plan, nowS), networkLabel(db, plan.network)).join('\n'));
    return 0;
  });
}

function planShow(ctx: CommandContext): number {
  const nowS = Math.floor(Date.now() / 1000);
  return withDb(ctx, (db) => {
    const plan = planByName(db);
    if (plan === null) {
      if (ctx.values['json'] === true) ctx.out(JSON.stringify({ plan: null, history: [] }, null, 2));
      else ctx.out('No plan yet: `netmon plan set --kind monthly --day 1 --quota 50` sets one.');
      return 0;
    }
    const status = planStatus(db, plan, nowS);
    const history = listCycleSummaries(db, plan.id);
    if (ctx.values['json'] === true) {
      ctx.out(JSON.stringify({ plan: status, history }, null, 2));
      return 0;
    }
    ctx.out(planLines(status, networkLabel(db, plan.network)).join('\n'));
    if (history.length > 0) {
      ctx.out('\nPast cycles:');
      const rows = history.map((h) => [
        `${formatLocalDate(localDateOf(h.cycleStart))} → ${formatLocalDate(localDateOf(h.cycleEnd - 1))}`,
        formatBytes(h.usedBytes),
        formatBytes(h.quotaBytes),
        h.overageBytes > 0 ? formatBytes(h.overageBytes) : '',
        h.top.apps.slice(0, 3).map((a) => a.name).join(', '),
      ]);
      ctx.out(renderTable(['Cycle', 'Used', 'Quota', 'Over by', 'Top apps'], rows, new Set([1, 2, 3])));
    }
    return 0;
  });
}

function planCalibrate(ctx: CommandContext): number {
  const carrierGb = gbFlag(ctx.values['used'], 'used');
  if (carrierGb < 0) throw new UserError('used: must be 0 GB or more (nothing was saved)', 2);
  const nowS = Math.floor(Date.now() / 1000);
  return withDb(ctx, (db) => {
    const plan = planByName(db);
    if (plan === null) throw new UserError('no plan to calibrate: set one with `netmon plan set` first');
    const { cycle, measured } = measuredInCycle(db, plan, nowS);
    const offsetBytes = calibrationOffset(carrierGb * GB, measured);
    saveCalibration(db, { planId: plan.id, cycleStart: cycle.start, offsetBytes, at: nowS });
    ctx.out(`Calibrated: netmon measured ${formatBytes(measured)} this cycle, your carrier says ${formatBytes(carrierGb * GB)}; an offset of ${offsetBytes >= 0 ? '+' : '−'}${formatBytes(Math.abs(offsetBytes))} applies to this cycle.`);
    return 0;
  });
}

function planTopUp(ctx: CommandContext): number {
  const nowS = Math.floor(Date.now() / 1000);
  return withDb(ctx, (db) => {
    const plan = planByName(db);
    if (plan === null || plan.cycle.kind !== 'bucket') throw new UserError('top-up is for a prepaid bucket plan (`netmon plan set --kind bucket --start DATE --quota GB`)');
    archiveBucket(db, plan, nowS);
    const quotaGb = ctx.values['quota'] === undefined ? plan.quotaBytes / GB : gbFlag(ctx.values['quota'], 'quota');
    const { id: _id, name: _name, revision: _revision, updatedAt: _updated, ...spec } = plan;
    const next = validatePlan(
      { kind: 'bucket', start: formatLocalDate(localDateOf(nowS)), quotaGb, direction: spec.direction, freeHours: spec.freeHours === null ? null : `${spec.freeHours.startHour}-${spec.freeHours.endHour}`, network: spec.network },
      nowS,
      (key) => isKnownNetwork(db, key),
    );
    const saved = savePlan(db, { ...next, rollover: spec.rollover }, nowS);
    ctx.out(`Topped up: the old bucket is archived; a new one of ${formatBytes(saved.quotaBytes)} starts today.`);
    return 0;
  });
}

/** `netmon plan SUBCOMMAND`. */
export function runPlan(ctx: CommandContext): Promise<number> {
  const [sub, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UserError(`unexpected ${JSON.stringify(extra.join(' '))}`, 2);
  switch (sub) {
    case 'set':
      return Promise.resolve(planSet(ctx));
    case 'show':
    case undefined:
      return Promise.resolve(planShow(ctx));
    case 'calibrate':
      return Promise.resolve(planCalibrate(ctx));
    case 'top-up':
      return Promise.resolve(planTopUp(ctx));
    case 'remove':
      return Promise.resolve(withDb(ctx, (db) => {
        ctx.out(removePlan(db) ? 'Plan removed (its past cycle summaries are kept).' : 'There was no plan.');
        return 0;
      }));
    default:
      throw new UserError(`unknown subcommand ${JSON.stringify(sub)}: set, show, calibrate, top-up or remove`, 2);
  }
}

/** `netmon budget add|list|remove`. */
export function runBudget(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.positionals;
  const nowS = Math.floor(Date.now() / 1000);
  switch (sub) {
    case 'add':
      if (rest.length > 0) throw new UserError(`unexpected ${JSON.stringify(rest.join(' '))}`, 2);
      return Promise.resolve(
        withDb(ctx, (db) => {
          const typed = validateBudget({ app: stringFlag(ctx.values['app']), domain: stringFlag(ctx.values['domain']), quotaGb: gbFlag(ctx.values['quota'], 'quota'), direction: stringFlag(ctx.values['direction']) });
          // A private app or site is not stored by name: the budget counts the private row (engine/privacy/targets.ts).
          const { target, note } = budgetTargetOf(new PrivacySettings(resolveDataDir(stringFlag(ctx.values['data-dir']))), typed.target);
          const budget = saveBudget(db, { ...typed, target }, nowS);
          if (note !== null) ctx.out(`Note: ${note}.`);
          ctx.out(`Budget ${budget.id}: ${budget.target.name} ≤ ${formatBytes(budget.quotaBytes)} per cycle.`);
          return 0;
        }),
      );
    case 'list':
    case undefined:
      return Promise.resolve(
        withDb(ctx, (db) => {
          const plan = planByName(db);
          const budgets = listBudgets(db).map((b) => budgetStatus(db, b, plan, nowS));
          if (ctx.values['json'] === true) {
            ctx.out(JSON.stringify({ budgets }, null, 2));
            return 0;
          }
          if (budgets.length === 0) {
            ctx.out('No budgets: `netmon budget add --domain youtube.com --quota 20` adds one.');
            return 0;
          }
          const rows = budgets.map((b) => [
            String(b.budget.id),
            `${b.budget.target.kind === 'app' ? 'app' : 'site'} ${b.budget.target.name}`,
            formatBytes(b.usedBytes),
            formatBytes(b.quotaBytes),
            pct(b.usedShare),
            b.forecast.available ? `${formatBytes(b.forecast.p50)} (${formatBytes(b.forecast.p20)}–${formatBytes(b.forecast.p80)})` : '—',
          ]);
          ctx.out(renderTable(['Id', 'Budget', 'Used', 'Quota', 'Share', 'Forecast'], rows, new Set([0, 2, 3, 4])));
          return 0;
        }),
      );
    case 'remove': {
      const id = rest[0];
      if (id === undefined || !/^\d+$/.test(id) || rest.length > 1) throw new UserError('remove takes one budget id, as `netmon budget list` shows it', 2);
      return Promise.resolve(
        withDb(ctx, (db) => {
          if (!removeBudget(db, Number(id))) throw new UserError(`no budget ${id}`);
          ctx.out(`Budget ${id} removed.`);
          return 0;
        }),
      );
    }
    default:
      throw new UserError(`unknown subcommand ${JSON.stringify(sub)}: add, list or remove`, 2);
  }
}
