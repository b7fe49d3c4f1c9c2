// The alert check `serve` and the app run every few minutes: for the plan and each budget, decide
// the alerts (alerts.ts) against the stored state, log and store each with its drivers (the top 3 apps
// and sites since the previous alert), write the summary of a finished cycle, and at most one anomaly
// notice a day. State and log are written in one transaction, so a restart never repeats an alert.
import type Database from 'better-sqlite3';
import type { AlertView, BudgetStatusView, PlanStatusView } from '../../../src-shared/plans.js';
import { formatBytes } from '../../../src-shared/units.js';
import { createLogger } from '../log.js';
import { totalsByApp, totalsByDomain } from '../queries/index.js';
import { listBudgets, planByName, readAlertState, recordAlert, writeAlertState, writeCycleSummary, calibrationFor } from '../store/plans.js';
import { UNATTRIBUTED } from '../types.js';
import { anomalyNoticeDue, decideAlerts, type AlertDecision } from './alerts.js';
import { changes } from './changes-query.js';
import { cycleAt, localDateOf, localMidnightOf, previousCycle } from './cycles.js';
import { bytesByDay, firstUsageDay, pick } from './figures.js';
import { budgetStatus, planStatus } from './status.js';
import type { Plan } from './types.js';

const log = createLogger('plans');

/** The subject of the once-a-day anomaly notice in alert_state. */
const ANOMALY_SUBJECT = 'anomaly';

function topNames(db: Database.Database, since: number, until: number, limit: number): { apps: { name: string; bytes: number }[]; domains: { name: string; bytes: number }[] } {
  const range = { since, until: Math.max(since, until) };
  const apps = totalsByApp(db, range)
    .rows.filter((r) => r.app !== UNATTRIBUTED)
    .slice(0, limit)
    .map((r) => ({ name: r.app, bytes: r.bytesIn + r.bytesOut }));
  const domains = totalsByDomain(db, range, { limit: limit + 1 })
    .rows.filter((r) => r.domain !== UNATTRIBUTED)
    .slice(0, limit)
    .map((r) => ({ name: r.domain, bytes: r.bytesIn + r.bytesOut }));
  return { apps, domains };
}

function driversLine(db: Database.Database, since: number, nowS: number): string {
  const top = topNames(db, since, nowS, 3);
  const list = (rows: { name: string; bytes: number }[]): string => rows.map((r) => `${r.name} ${formatBytes(r.bytes)}`).join(', ');
  const parts: string[] = [];
  if (top.apps.length > 0) parts.push(`Top apps: ${list(top.apps)}`);
  if (top.domains.length > 0) parts.push(`top sites: ${list(top.domains)}`);
  return parts.length === 0 ? '' : ` ${parts.join('; ')}.`;
}

function wording(decision: AlertDecision, label: string, figures: PlanStatusView | BudgetStatusView): { title: string; body: string } {
  const used = `${formatBytes(figures.usedBytes)} of ${formatBytes(figures.quotaBytes)}`;
  if (decision.kind === 'forecast' && figures.forecast.available) {
    const f = figures.forecast;
    const when = f.crossingDate === null ? '' : `, over by ${f.crossingDate}`;
    return { title: `${label}: on pace to go over`, body: `Used ${used}; on pace for ${formatBytes(f.p50)} (range ${formatBytes(f.p20)}–${formatBytes(f.p80)})${when}.` };
  }
  return { title: `${label}: ${decision.percent} % used`, body: `Used ${used} this cycle (since ${figures.startDate}).` };
}

/** Writes the summary of the plan's previous cycle once it is over (immutable; skipped when nothing was stored then). */
function closePreviousCycle(db: Database.Database, plan: Plan, nowS: number, firstDay: number | null): void {
  const prev = previousCycle(plan.cycle, cycleAt(plan.cycle, nowS));
  if (prev === null || prev.end === null || firstDay === null || prev.end <= firstDay) return;
  const days = bytesByDay(db, prev.start, prev.end, null, plan.network);
  let used = 0;
  for (const b of days.values()) used += pick(b, plan.direction);
  const offset = calibrationFor(db, plan.id, prev.start)?.offsetBytes ?? 0;
  const total = Math.max(0, used + offset);
  writeCycleSummary(db, {
    planId: plan.id,
    cycleStart: prev.start,
    cycleEnd: prev.end,
    quotaBytes: plan.quotaBytes,
    usedBytes: total,
    offsetBytes: offset,
    overageBytes: Math.max(0, total - plan.quotaBytes),
    top: topNames(db, prev.start, prev.end, 10),
    closedAt: nowS,
  });
}

/** Archives a prepaid bucket's figures (top-up): the summary of [start, today). */
export function archiveBucket(db: Database.Database, plan: Plan, nowS: number): void {
  if (plan.cycle.kind !== 'bucket') return;
  const cycle = cycleAt(plan.cycle, nowS);
  const end = Math.max(cycle.start + 1, localMidnightOf(localDateOf(nowS)) === cycle.start ? nowS : localMidnightOf(localDateOf(nowS)));
  const status = planStatus(db, plan, nowS);
  writeCycleSummary(db, {
    planId: plan.id,
    cycleStart: cycle.start,
    cycleEnd: end,
    quotaBytes: status.quotaBytes,
    usedBytes: status.usedBytes,
    offsetBytes: status.calibration?.offsetBytes ?? 0,
    overageBytes: Math.max(0, status.usedBytes - status.quotaBytes),
    top: topNames(db, cycle.start, nowS, 10),
    closedAt: nowS,
  });
}

/** Runs one check at `nowS`; returns the alerts it delivered (already stored and logged). */
export function checkPlans(db: Database.Database, nowS: number, options: { anomalies?: boolean } = {}): AlertView[] {
  const delivered: AlertView[] = [];
  const firstDay = firstUsageDay(db);
  const plan = planByName(db);
  const subjects: { subject: string; revision: number; label: string; figures: PlanStatusView | BudgetStatusView }[] = [];
  if (plan !== null) subjects.push({ subject: `plan:${plan.id}`, revision: plan.revision, label: 'Data plan', figures: planStatus(db, plan, nowS, firstDay) });
  for (const budget of listBudgets(db)) {
    subjects.push({ subject: `budget:${budget.id}`, revision: budget.revision, label: `Budget for ${budget.target.name}`, figures: budgetStatus(db, budget, plan, nowS, firstDay) });
  }
  let anomalyNotice: { title: string; body: string } | null = null;
  const todayStart = localMidnightOf(localDateOf(nowS));
  const anomalyState = readAlertState(db, ANOMALY_SUBJECT);
  if (options.anomalies !== false && anomalyNoticeDue(anomalyState?.lastAlertAt === undefined || anomalyState.lastAlertAt === null ? null : localMidnightOf(localDateOf(anomalyState.lastAlertAt)), todayStart)) {
    const top = changes(db, nowS).rows.find((r) => r.anomaly !== null);
    if (top?.anomaly != null) anomalyNotice = { title: `Unusual traffic: ${top.name}`, body: `${top.anomaly.cause} on ${top.anomaly.date} (usually ${formatBytes(top.anomaly.usual)} that day).` };
  }
  db.transaction(() => {
    if (plan !== null) closePreviousCycle(db, plan, nowS, firstDay);
    for (const s of subjects) {
      if (!s.figures.active) continue;
      const forecastP50 = s.figures.forecast.available ? s.figures.forecast.p50 : null;
      const decided = decideAlerts(readAlertState(db, s.subject), {
        subject: s.subject,
        cycleStart: s.figures.cycleStart,
        revision: s.revision,
        nowS,
        used: s.figures.usedBytes,
        quota: s.figures.quotaBytes,
        forecastP50,
      });
      writeAlertState(db, decided.state);
      for (const d of decided.alerts) {
        const words = wording(d, s.label, s.figures);
        const record = recordAlert(db, { at: nowS, subject: s.subject, kind: d.kind, percent: d.percent, cycleStart: s.figures.cycleStart, title: words.title, body: words.body + driversLine(db, d.driversSince, nowS) });
        delivered.push(record);
      }
    }
    if (anomalyNotice !== null) {
      writeAlertState(db, { subject: ANOMALY_SUBJECT, cycleStart: todayStart, revision: 1, fired: [], forecastArmed: true, forecastLastAt: null, lastAlertAt: nowS });
      delivered.push(recordAlert(db, { at: nowS, subject: ANOMALY_SUBJECT, kind: 'anomaly', percent: 0, cycleStart: todayStart, ...anomalyNotice }));
    }
  }).immediate();
  for (const a of delivered) log.warn(`alert: ${a.title}`, { body: a.body, subject: a.subject });
  return delivered;
}

/** A check every `intervalMs` (each scheduled after the previous one ends); returns stop. */
export function startPlanChecker(options: {
  /** Runs a check on a writable connection (`Store.withWriter`): a check records the alerts it sent. */
  withDb: <T>(check: (db: Database.Database) => T) => T;
  nowMs: () => number;
  intervalMs?: number;
  onAlerts?: (alerts: AlertView[]) => void;
}): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    try {
      const nowS = Math.floor(options.nowMs() / 1000);
      const alerts = options.withDb((db) => checkPlans(db, nowS));
      if (alerts.length > 0) options.onAlerts?.(alerts);
    } catch (err) {
      log.error('the plan check failed', { error: err });
    }
    if (!stopped) timer = setTimeout(run, options.intervalMs ?? 5 * 60_000);
  };
  timer = setTimeout(run, 1_000);
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
  };
}
