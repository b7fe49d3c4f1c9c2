// The contract's plan, budget, alert and "what changed" shapes (no zod: the renderer imports these).
// Byte figures are decimal bytes; times are epoch seconds; dates are local `YYYY-MM-DD`.

/** How a plan's cycle repeats, as the engine stores it (weekday 0 is Monday). */
export type CycleRuleView =
  | { kind: 'monthly'; day: number }
  | { kind: 'every-n-days'; anchor: string; n: number }
  | { kind: 'weekly'; weekday: number }
  | { kind: 'daily' }
  | { kind: 'one-time'; start: string; expiry: string }
  | { kind: 'bucket'; start: string };

/** A stored plan. */
export interface PlanView {
  id: number;
  name: string;
  cycle: CycleRuleView;
  quotaBytes: number;
  direction: 'total' | 'download' | 'upload';
  /** Local hours not counted, [startHour, endHour) (wrapping midnight when start > end), or null. */
  freeHours: { startHour: number; endHour: number } | null;
  rollover: boolean;
  /** Which traffic counts: "all", or one network's id (its per-network rows, every interface of it). */
  network: string;
  revision: number;
  updatedAt: number;
}

/** fine: under 80 % and not forecast to cross; warning: ≥ 80 % or forecast to cross; over: ≥ 100 %. */
export type PlanLevel = 'fine' | 'warning' | 'over';

/** Where the cycle is forecast to end (P20/P50/P80 of the days it is made of), or why there is none. */
export type ForecastView =
  | {
      available: true;
      method: 'weekday' | 'recent' | 'linear';
      p20: number;
      p50: number;
      p80: number;
      /** Local midnight of the day the P50 path crosses the quota; null when it does not. */
      crossingDay: number | null;
      crossingDate: string | null;
    }
  | { available: false; reason: string };

/** The figures of one cycle for a plan or a budget. */
export interface CycleFigures {
  cycleStart: number;
  /** Null for a prepaid bucket (no reset). */
  cycleEnd: number | null;
  startDate: string;
  lastDate: string | null;
  active: boolean;
  inactiveReason: string | null;
  /** Bytes that count: the interface totals (unattributed included) in the plan's direction, minus free hours, plus the calibration. */
  usedBytes: number;
  /** The quota of this cycle (rollover included). */
  quotaBytes: number;
  /** Unused quota carried from the previous cycle (0 without rollover). */
  rolloverBytes: number;
  usedShare: number;
  /** Where steady use would be now (quota × elapsed share of the cycle); null without an end. */
  paceBytes: number | null;
  /** What is left divided by the days left (today included); null without an end. */
  safeTodayBytes: number | null;
  daysLeft: number | null;
  forecast: ForecastView;
  level: PlanLevel;
}

/** A plan and its current cycle. */
export interface PlanStatusView extends CycleFigures {
  plan: PlanView;
  /** "My carrier says": the offset applied to this cycle and when it was entered; null when none. */
  calibration: { offsetBytes: number; at: number } | null;
  /** Bytes not counted because they fell in the free hours this cycle. */
  freeBytes: number;
}

/** A stored budget. */
export interface BudgetView {
  id: number;
  target: { kind: 'app' | 'domain'; name: string };
  quotaBytes: number;
  direction: 'total' | 'download' | 'upload';
  revision: number;
  updatedAt: number;
}

/** A budget and its current cycle (the plan's, or the calendar month without a plan). */
export interface BudgetStatusView extends CycleFigures {
  budget: BudgetView;
}

/** An alert as delivered: shown in the popover and dashboard, logged, notified by the shell. */
export interface AlertView {
  id: number;
  at: number;
  subject: string;
  kind: 'threshold' | 'forecast' | 'anomaly';
  percent: number;
  cycleStart: number;
  title: string;
  body: string;
}

/** `plans:status` and `netmon status --json`. */
export interface PlansStatus {
  /** Epoch seconds the figures are for. */
  now: number;
  plan: PlanStatusView | null;
  budgets: BudgetStatusView[];
  /** Alerts of the current cycle (or the last 30 days without a plan), newest first. */
  alerts: AlertView[];
  /** The worst level of the plan and the budgets (exit code 0 / 1 / 2 of `netmon status`). */
  level: PlanLevel;
}

/** One row of "what changed". */
export interface ChangeRowView {
  kind: 'app' | 'domain';
  name: string;
  thisWindow: number;
  lastWindow: number;
  median4: number;
  delta: number;
  badges: ('new' | 'gone' | 'unusual-hour')[];
  anomaly: { dayStart: number; date: string; bytes: number; usual: number; excess: number; z: number; cause: string } | null;
}

/** `changes:list` and `netmon changes --json`. */
export interface ChangesView {
  windowDays: number;
  /** This window [since, until), local midnights (until: tomorrow's). */
  since: number;
  until: number;
  /** False in the first 14 days of history: no anomaly is scored (and `reason` says so). */
  scored: boolean;
  reason: string | null;
  windowTotal: number;
  rows: ChangeRowView[];
}

/** What a client sends to set a plan (quota in decimal GB). */
export interface PlanSetRequest {
  kind: 'monthly' | 'every-n-days' | 'weekly' | 'daily' | 'one-time' | 'bucket';
  quotaGb: number;
  day?: number;
  anchor?: string;
  every?: number;
  weekday?: number;
  start?: string;
  expiry?: string;
  direction?: 'total' | 'download' | 'upload';
  freeHours?: string;
  rollover?: boolean;
  network?: string;
}
