// Reads and writes of the plan tables (schema v5): plans, budgets, calibrations, alert state, the
// alert log and cycle summaries. Small tables written on a user's edit or by the alert check; the
// usage tiers are never touched here.
import type Database from 'better-sqlite3';
import type { AlertView } from '../../../src-shared/plans.js';
import type { AlertState } from '../plans/alerts.js';
import type { Budget, BudgetTarget, Calibration, Direction, Plan, PlanSpec } from '../plans/types.js';
import { cachedStatement } from './statements.js';

/** The plan `netmon plan set` edits when none is named. */
export const DEFAULT_PLAN_NAME = 'default';

interface PlanRow {
  id: number;
  name: string;
  spec: string;
  network: string;
  revision: number;
  updated_at: number;
}

function planOf(row: PlanRow): Plan {
  const spec = JSON.parse(row.spec) as Omit<PlanSpec, 'network'>;
  return { ...spec, network: row.network, id: row.id, name: row.name, revision: row.revision, updatedAt: row.updated_at };
}

/** Every plan, oldest first. */
export function listPlans(db: Database.Database): Plan[] {
  return (cachedStatement(db, 'SELECT id, name, spec, network, revision, updated_at FROM plans ORDER BY id').all() as PlanRow[]).map(planOf);
}

/** The plan named `name`, or null. */
export function planByName(db: Database.Database, name = DEFAULT_PLAN_NAME): Plan | null {
  const row = cachedStatement(db, 'SELECT id, name, spec, network, revision, updated_at FROM plans WHERE name = ?').get(name) as PlanRow | undefined;
  return row === undefined ? null : planOf(row);
}

/** Creates or replaces the plan `name`; an edit bumps its revision (which re-arms its alerts). */
export function savePlan(db: Database.Database, spec: PlanSpec, nowS: number, name = DEFAULT_PLAN_NAME): Plan {
  const { network, ...rest } = spec;
  cachedStatement(
    db,
    `INSERT INTO plans (name, spec, network, revision, updated_at) VALUES (?, ?, ?, 1, ?)
     ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, network = excluded.network, revision = revision + 1, updated_at = excluded.updated_at`,
  ).run(name, JSON.stringify(rest), network, nowS);
  const saved = planByName(db, name);
  if (saved === null) throw new Error(`plan ${name} was not saved`);
  return saved;
}

/** Deletes the plan `name` (its calibrations go with it); true when there was one. */
export function removePlan(db: Database.Database, name = DEFAULT_PLAN_NAME): boolean {
  return cachedStatement(db, 'DELETE FROM plans WHERE name = ?').run(name).changes > 0;
}

interface BudgetRow {
  id: number;
  target_kind: BudgetTarget['kind'];
  target: string;
  quota_bytes: number;
  direction: Direction;
  revision: number;
  updated_at: number;
}

function budgetOf(row: BudgetRow): Budget {
  return { id: row.id, target: { kind: row.target_kind, name: row.target }, quotaBytes: row.quota_bytes, direction: row.direction, revision: row.revision, updatedAt: row.updated_at };
}

/** Every budget, oldest first. */
export function listBudgets(db: Database.Database): Budget[] {
  return (cachedStatement(db, 'SELECT id, target_kind, target, quota_bytes, direction, revision, updated_at FROM budgets ORDER BY id').all() as BudgetRow[]).map(budgetOf);
}

/** Adds a budget, or changes the one for the same app or site (bumping its revision). */
export function saveBudget(db: Database.Database, budget: { target: BudgetTarget; quotaBytes: number; direction: Direction }, nowS: number): Budget {
  const row = cachedStatement(
    db,
    `INSERT INTO budgets (target_kind, target, quota_bytes, direction, revision, updated_at) VALUES (?, ?, ?, ?, 1, ?)
     ON CONFLICT (target_kind, target) DO UPDATE SET quota_bytes = excluded.quota_bytes, direction = excluded.direction,
       revision = revision + 1, updated_at = excluded.updated_at
     RETURNING id, target_kind, target, quota_bytes, direction, revision, updated_at`,
  ).get(budget.target.kind, budget.target.name, budget.quotaBytes, budget.direction, nowS) as BudgetRow;
  return budgetOf(row);
}

/** Removes a budget by id; true when there was one. */
export function removeBudget(db: Database.Database, id: number): boolean {
  const removed = cachedStatement(db, 'DELETE FROM budgets WHERE id = ?').run(id).changes > 0;
  if (removed) cachedStatement(db, 'DELETE FROM alert_state WHERE subject = ?').run(`budget:${id}`);
  return removed;
}

/** Stores "my carrier says" for one cycle (replacing an earlier one for the same cycle). */
export function saveCalibration(db: Database.Database, c: Calibration): void {
  cachedStatement(
    db,
    `INSERT INTO plan_calibrations (plan_id, cycle_start, offset_bytes, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (plan_id, cycle_start) DO UPDATE SET offset_bytes = excluded.offset_bytes, at = excluded.at`,
  ).run(c.planId, c.cycleStart, c.offsetBytes, c.at);
}

/** The calibration of a plan's cycle, or null. */
export function calibrationFor(db: Database.Database, planId: number, cycleStart: number): Calibration | null {
  const row = cachedStatement(db, 'SELECT offset_bytes AS offsetBytes, at FROM plan_calibrations WHERE plan_id = ? AND cycle_start = ?').get(planId, cycleStart) as
    | { offsetBytes: number; at: number }
    | undefined;
  return row === undefined ? null : { planId, cycleStart, offsetBytes: row.offsetBytes, at: row.at };
}

/** The stored alert state of a subject (`plan:ID`, `budget:ID`), or null. */
export function readAlertState(db: Database.Database, subject: string): AlertState | null {
  const text = cachedStatement(db, 'SELECT state FROM alert_state WHERE subject = ?').pluck().get(subject) as string | undefined;
  return text === undefined ? null : (JSON.parse(text) as AlertState);
}

/** Stores a subject's alert state. */
export function writeAlertState(db: Database.Database, state: AlertState): void {
  cachedStatement(db, 'INSERT INTO alert_state (subject, state) VALUES (?, ?) ON CONFLICT (subject) DO UPDATE SET state = excluded.state').run(state.subject, JSON.stringify(state));
}

/** A delivered alert, as logged (the contract's shape). */
export type AlertRecord = AlertView;

/** Logs an alert; returns it with its id. */
export function recordAlert(db: Database.Database, alert: Omit<AlertRecord, 'id'>): AlertRecord {
  const id = cachedStatement(db, 'INSERT INTO alerts (at, subject, kind, percent, cycle_start, title, body) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id')
    .pluck()
    .get(alert.at, alert.subject, alert.kind, alert.percent, alert.cycleStart, alert.title, alert.body) as number;
  return { id, ...alert };
}

/** Alerts since `sinceS`, newest first. */
export function listAlerts(db: Database.Database, sinceS: number, limit = 50): AlertRecord[] {
  return cachedStatement(
    db,
    'SELECT id, at, subject, kind, percent, cycle_start AS cycleStart, title, body FROM alerts WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?',
  ).all(sinceS, limit) as AlertRecord[];
}

/** One finished cycle's summary; written once, never changed. */
export interface CycleSummary {
  planId: number;
  cycleStart: number;
  cycleEnd: number;
  quotaBytes: number;
  usedBytes: number;
  offsetBytes: number;
  overageBytes: number;
  top: { apps: { name: string; bytes: number }[]; domains: { name: string; bytes: number }[] };
  closedAt: number;
}

/** Writes a cycle's summary unless it exists; true when written. */
export function writeCycleSummary(db: Database.Database, s: CycleSummary): boolean {
  return (
    cachedStatement(
      db,
      `INSERT INTO cycle_history (plan_id, cycle_start, cycle_end, quota_bytes, used_bytes, offset_bytes, overage_bytes, top, closed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (plan_id, cycle_start) DO NOTHING`,
    ).run(s.planId, s.cycleStart, s.cycleEnd, s.quotaBytes, s.usedBytes, s.offsetBytes, s.overageBytes, JSON.stringify(s.top), s.closedAt).changes > 0
  );
}

/** Stored cycle summaries of a plan, newest first. */
export function listCycleSummaries(db: Database.Database, planId: number, limit = 24): CycleSummary[] {
  const rows = cachedStatement(
    db,
    `SELECT plan_id AS planId, cycle_start AS cycleStart, cycle_end AS cycleEnd, quota_bytes AS quotaBytes, used_bytes AS usedBytes,
            offset_bytes AS offsetBytes, overage_bytes AS overageBytes, top, closed_at AS closedAt
       FROM cycle_history WHERE plan_id = ? ORDER BY cycle_start DESC LIMIT ?`,
  ).all(planId, limit) as (Omit<CycleSummary, 'top'> & { top: string })[];
  return rows.map((r) => ({ ...r, top: JSON.parse(r.top) as CycleSummary['top'] }));
}

/** True when the database has the plan tables (schema v5 or later). */
export function hasPlanTables(db: Database.Database): boolean {
  return cachedStatement(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'plans'").pluck().get() === 1;
}
