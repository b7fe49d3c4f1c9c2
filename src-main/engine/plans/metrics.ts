// The plan, the budgets and the alerts as /metrics and the Prometheus textfile show them: this
// cycle's used bytes and quota, the forecast's P20/P50/P80 (when there is one), and the alerts stored
// per kind. Read from the store at each scrape (plansStatus, as `netmon status --json`).
import type Database from 'better-sqlite3';
import { createLogger } from '../log.js';
import { hasTable } from '../store/schema.js';
import { cachedStatement } from '../store/statements.js';
import type { BudgetStatusView, PlanStatusView } from '../../../src-shared/plans.js';
import { plansStatus } from './status.js';

/** One plan or budget's cycle figures. */
export interface CycleMetrics {
  usedBytes: number;
  quotaBytes: number;
  /** P20, P50, P80 of where the cycle ends; null when there is no forecast (under 3 days of history). */
  forecast: { p20: number; p50: number; p80: number } | null;
}

export interface PlanMetrics {
  /** The plan's current cycle; null without a plan (or outside a one-time plan's dates). */
  plan: CycleMetrics | null;
  budgets: ReadonlyArray<CycleMetrics & { targetKind: 'app' | 'domain'; target: string }>;
  /** Alerts stored since the database began (or since its last purge), per kind. */
  alerts: Readonly<Record<'threshold' | 'forecast' | 'anomaly', number>>;
}

function cycleMetrics(v: PlanStatusView | BudgetStatusView): CycleMetrics {
  return { usedBytes: v.usedBytes, quotaBytes: v.quotaBytes, forecast: v.forecast.available ? { p20: v.forecast.p20, p50: v.forecast.p50, p80: v.forecast.p80 } : null };
}

/** The figures at `nowS`; null on a database without the plan tables (schema before v5, opened read-only). */
export function planMetrics(db: Database.Database, nowS: number): PlanMetrics | null {
  if (!hasTable(db, 'alerts')) return null;
  const status = plansStatus(db, nowS);
  const alerts = { threshold: 0, forecast: 0, anomaly: 0 };
  for (const row of cachedStatement(db, 'SELECT kind, count(*) AS n FROM alerts GROUP BY kind').all() as { kind: keyof typeof alerts; n: number }[]) {
    if (row.kind in alerts) alerts[row.kind] = row.n;
  }
  return {
    plan: status.plan !== null && status.plan.active ? cycleMetrics(status.plan) : null,
    budgets: status.budgets.filter((b) => b.active).map((b) => ({ ...cycleMetrics(b), targetKind: b.budget.target.kind, target: b.budget.target.name })),
    alerts,
  };
}

const log = createLogger('plans');

/** planMetrics for a scrape: a failed read is logged and leaves the plan out of that scrape, never the rest. */
export function readPlanMetrics(db: Database.Database, nowS: number): PlanMetrics | null {
  try {
    return planMetrics(db, nowS);
  } catch (err) {
    log.warn('plan figures unreadable for /metrics', { error: err });
    return null;
  }
}
