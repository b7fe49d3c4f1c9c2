// The vocabulary of data plans and budgets: how a billing cycle is defined, what counts toward it, and
// what a budget watches. Pure data; validation is in validate.ts, arithmetic in cycles.ts.
import type { CycleRuleView } from '../../../src-shared/plans.js';

/** A calendar date in the local zone, `YYYY-MM-DD` (boundaries are that day's local midnight). */
export type LocalDate = string;

/** How the billing cycle repeats (the contract's shape). Weekday 0 is Monday. */
export type CycleRule = CycleRuleView;

export type CycleKind = CycleRule['kind'];
export const CYCLE_KINDS: readonly CycleKind[] = ['monthly', 'every-n-days', 'weekly', 'daily', 'one-time', 'bucket'];

/** Which bytes count: both directions, or one. */
export type Direction = 'total' | 'download' | 'upload';
export const DIRECTIONS: readonly Direction[] = ['total', 'download', 'upload'];

/** Local hours not counted (a carrier's free night), [startHour, endHour); wraps midnight when start > end. */
export interface FreeHours {
  startHour: number;
  endHour: number;
}

/**
 * Which traffic a plan covers: `all`, or one network's id (`networks.key`: what that network carried,
 * from the per-network tiers, every interface and app of it, unattributed included).
 */
export type NetworkFilter = 'all' | (string & {});

/** A data plan as the user defines it. */
export interface PlanSpec {
  cycle: CycleRule;
  /** Decimal bytes (carriers' GB are 10^9). */
  quotaBytes: number;
  direction: Direction;
  freeHours: FreeHours | null;
  /** Unused quota of the previous cycle carries into this one. */
  rollover: boolean;
  network: NetworkFilter;
}

/** A stored plan: the spec, its id and a revision that each edit bumps (alerts re-arm on it). */
export interface Plan extends PlanSpec {
  id: number;
  name: string;
  revision: number;
  /** Epoch seconds of the last edit. */
  updatedAt: number;
}

/** What a budget watches: one application, or one registrable domain. */
export type BudgetTarget = { kind: 'app'; name: string } | { kind: 'domain'; name: string };

/** A per-cycle budget for one app or site; it follows the plan's cycle (a calendar month without a plan). */
export interface Budget {
  id: number;
  target: BudgetTarget;
  quotaBytes: number;
  direction: Direction;
  revision: number;
  updatedAt: number;
}

/** "My carrier says I have used X": an offset for one cycle, never a multiplier. */
export interface Calibration {
  planId: number;
  cycleStart: number;
  offsetBytes: number;
  /** Epoch seconds when it was entered. */
  at: number;
}

/** One billing cycle, [start, end) in epoch seconds; `end` null for a bucket (no reset). */
export interface Cycle {
  start: number;
  end: number | null;
  /** `YYYY-MM-DD` of start, and of the last day in the cycle (null without an end). */
  startDate: LocalDate;
  lastDate: LocalDate | null;
  /** False before a one-time plan starts or after it expired. */
  active: boolean;
  /** Why it is not active, in words; null when it is. */
  inactiveReason: string | null;
}

export const GB = 1e9;
export const MB = 1e6;
