// A plan's and the budgets' current cycle from the stored history: used, pace, forecast, safe today,
// level. Recomputed on every call from the tiers, so an edited plan (another reset day, a free
// night) applies to the current cycle at once.
import type Database from 'better-sqlite3';
import type { BudgetStatusView, CycleFigures, PlanLevel, PlanStatusView, PlansStatus } from '../../../src-shared/plans.js';
import { calibrationFor, listAlerts, listBudgets, planByName } from '../store/plans.js';
import { addDays, cycleAt, dayStarts, formatLocalDate, freeWindows, localDateOf, localMidnightOf, previousCycle, weekdayOf } from './cycles.js';
import { calibratedUsed } from './calibration.js';
import { bytesByDay, bytesInWindows, firstUsageDay, pick, type InOut } from './figures.js';
import { forecast, safeToday, type HistoryDay } from './forecast.js';
import type { Budget, BudgetTarget, Cycle, CycleRule, Direction, FreeHours, NetworkFilter, Plan } from './types.js';

/** Budgets follow the plan's cycle; without a plan, the calendar month. */
export const DEFAULT_BUDGET_CYCLE: CycleRule = { kind: 'monthly', day: 1 };
/** How far a bucket's crossing day is searched. */
const BUCKET_HORIZON_DAYS = 366;
/** Days of history the forecast looks at. */
const HISTORY_DAYS = 28;

/** What one subject (the plan, or a budget) counts. */
interface Subject {
  rule: CycleRule;
  quota: number;
  direction: Direction;
  target: BudgetTarget | null;
  /** The plan's network ("all" for budgets). */
  network: NetworkFilter;
  free: FreeHours | null;
  offset: (cycle: Cycle) => number;
  rollover: boolean;
}

function localDay(t: number): number {
  return localMidnightOf(localDateOf(t));
}

/** Counted bytes per local day in [from, to), free hours taken out. */
function countedDays(db: Database.Database, s: Subject, from: number, to: number, nowS: number): { byDay: Map<number, number>; freeByDay: Map<number, number> } {
  const raw = bytesByDay(db, from, to, s.target, s.network);
  const byDay = new Map<number, number>();
  for (const [day, b] of raw) byDay.set(day, pick(b, s.direction));
  const freeByDay = new Map<number, number>();
  if (s.free !== null && s.target === null) {
    const windows = freeWindows(s.free, from, Math.min(to, nowS + 1));
    const sums = bytesInWindows(db, windows, s.network);
    windows.forEach((w, i) => {
      const bytes = pick(sums[i] ?? ({ bytesIn: 0, bytesOut: 0 } satisfies InOut), s.direction);
      const day = localDay(w.from);
      byDay.set(day, Math.max(0, (byDay.get(day) ?? 0) - bytes));
      freeByDay.set(day, (freeByDay.get(day) ?? 0) + bytes);
    });
  }
  return { byDay, freeByDay };
}

function sumDays(byDay: Map<number, number>, from: number, to: number): number {
  let total = 0;
  for (const [day, bytes] of byDay) if (day >= from && day < to) total += bytes;
  return total;
}

function figuresFor(db: Database.Database, s: Subject, nowS: number, firstDay: number | null): CycleFigures & { freeBytes: number } {
  const cycle = cycleAt(s.rule, nowS);
  const today = localDay(nowS);
  const tomorrow = localMidnightOf(addDays(localDateOf(nowS), 1));
  const histFrom = localMidnightOf(addDays(localDateOf(nowS), -HISTORY_DAYS));
  const prev = s.rollover ? previousCycle(s.rule, cycle) : null;
  const from = Math.min(cycle.start, histFrom, prev?.start ?? Number.POSITIVE_INFINITY);
  const { byDay, freeByDay } = countedDays(db, s, from, tomorrow, nowS);
  const inactive = !cycle.active;
  const cycleTo = cycle.end === null ? tomorrow : Math.min(cycle.end, tomorrow);
  const measured = sumDays(byDay, cycle.start, cycleTo);
  const freeInCycle = sumDays(freeByDay, cycle.start, cycleTo);
  const used = calibratedUsed(measured, s.offset(cycle));
  let rolloverBytes = 0;
  if (prev !== null) rolloverBytes = Math.max(0, s.quota - Math.max(0, sumDays(byDay, prev.start, prev.end ?? prev.start) + s.offset(prev)));
  const quota = s.quota + rolloverBytes;
  const base = {
    cycleStart: cycle.start,
    cycleEnd: cycle.end,
    startDate: cycle.startDate,
    lastDate: cycle.lastDate,
    active: cycle.active,
    inactiveReason: cycle.inactiveReason,
    usedBytes: used,
    quotaBytes: quota,
    rolloverBytes,
    usedShare: quota > 0 ? used / quota : 0,
    freeBytes: freeInCycle,
  };
  if (inactive) {
    return { ...base, paceBytes: null, safeTodayBytes: null, daysLeft: null, forecast: { available: false, reason: cycle.inactiveReason ?? 'not active' }, level: levelOf(used, quota, null) };
  }
  const history: HistoryDay[] = [];
  const historyStart = Math.max(histFrom, firstDay ?? today);
  for (const day of dayStarts(historyStart, today)) history.push({ dayStart: day, weekday: weekdayOf(localDateOf(day)), bytes: byDay.get(day) ?? 0 });
  const historyDays = firstDay === null ? 0 : dayStarts(firstDay, today).length;
  const horizon = cycle.end ?? localMidnightOf(addDays(localDateOf(nowS), BUCKET_HORIZON_DAYS));
  const remaining = dayStarts(today, horizon).map((d) => ({ dayStart: d, weekday: weekdayOf(localDateOf(d)) }));
  const elapsedDays = Math.max(1 / 24, (nowS - cycle.start) / 86_400);
  const f = forecast({ history, historyDays, used, todayUsed: byDay.get(today) ?? 0, remaining, elapsedDays, quota });
  const daysLeft = cycle.end === null ? null : remaining.length;
  const paceBytes = cycle.end === null ? null : Math.round((quota * (nowS - cycle.start)) / (cycle.end - cycle.start));
  return {
    ...base,
    paceBytes,
    safeTodayBytes: safeToday(quota, used, daysLeft),
    daysLeft,
    forecast: f.ok
      ? { available: true, ...f.value, crossingDate: f.value.crossingDay === null ? null : formatLocalDate(localDateOf(f.value.crossingDay)) }
      : { available: false, reason: f.reason },
    level: levelOf(used, quota, f.ok ? f.value.p50 : null),
  };
}

/** fine / warning (≥ 80 % or forecast to cross) / over (≥ 100 %). */
export function levelOf(used: number, quota: number, forecastP50: number | null): PlanLevel {
  if (quota <= 0) return 'fine';
  if (used >= quota) return 'over';
  if (used >= 0.8 * quota || (forecastP50 !== null && forecastP50 >= quota)) return 'warning';
  return 'fine';
}

const RANK: Record<PlanLevel, number> = { fine: 0, warning: 1, over: 2 };

/** The worse of two levels. */
export function worse(a: PlanLevel, b: PlanLevel): PlanLevel {
  return RANK[b] > RANK[a] ? b : a;
}

/** The plan's current cycle. */
export function planStatus(db: Database.Database, plan: Plan, nowS: number, firstDay = firstUsageDay(db)): PlanStatusView {
  const subject: Subject = {
    rule: plan.cycle,
    quota: plan.quotaBytes,
    direction: plan.direction,
    target: null,
    network: plan.network,
    free: plan.freeHours,
    rollover: plan.rollover,
    offset: (cycle) => calibrationFor(db, plan.id, cycle.start)?.offsetBytes ?? 0,
  };
  const { freeBytes, ...figures } = figuresFor(db, subject, nowS, firstDay);
  const calibration = calibrationFor(db, plan.id, figures.cycleStart);
  return {
    ...figures,
    plan: { ...plan },
    calibration: calibration === null ? null : { offsetBytes: calibration.offsetBytes, at: calibration.at },
    freeBytes,
  };
}

/** A budget's current cycle (the plan's cycle, else the calendar month). */
export function budgetStatus(db: Database.Database, budget: Budget, plan: Plan | null, nowS: number, firstDay = firstUsageDay(db)): BudgetStatusView {
  const rule = plan?.cycle.kind === 'bucket' || plan?.cycle.kind === 'one-time' ? DEFAULT_BUDGET_CYCLE : (plan?.cycle ?? DEFAULT_BUDGET_CYCLE);
  const subject: Subject = { rule, quota: budget.quotaBytes, direction: budget.direction, target: budget.target, network: 'all', free: null, rollover: false, offset: () => 0 };
  const { freeBytes: _free, ...figures } = figuresFor(db, subject, nowS, firstDay);
  return { ...figures, budget: { ...budget, target: { ...budget.target } } };
}

/** Measured bytes of a plan's cycle (no calibration), for "my carrier says X". */
export function measuredInCycle(db: Database.Database, plan: Plan, nowS: number): { cycle: Cycle; measured: number } {
  const status = planStatus(db, plan, nowS);
  const cycle = cycleAt(plan.cycle, nowS);
  return { cycle, measured: status.usedBytes - (status.calibration?.offsetBytes ?? 0) };
}

/** Everything `plans:status` and `netmon status` show. */
export function plansStatus(db: Database.Database, nowS: number): PlansStatus {
  const firstDay = firstUsageDay(db);
  const plan = planByName(db);
  const planView = plan === null ? null : planStatus(db, plan, nowS, firstDay);
  const budgets = listBudgets(db).map((b) => budgetStatus(db, b, plan, nowS, firstDay));
  let level: PlanLevel = planView?.active === false ? 'fine' : (planView?.level ?? 'fine');
  for (const b of budgets) level = worse(level, b.level);
  const alertsSince = planView?.cycleStart ?? nowS - 30 * 86_400;
  return { now: nowS, plan: planView, budgets, alerts: listAlerts(db, alertsSince, 20), level };
}
