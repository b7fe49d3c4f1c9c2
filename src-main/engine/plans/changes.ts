// "What changed": per app and per site, this window against the one before and the median of the
// four before, sorted by absolute change in bytes, with badges and an anomaly score. Pure.
//
// The score is the modified z-score of a day against the same weekday of the previous 4–8 weeks with a
// floored MAD (stats.ts). A day is shown as unusual only when z ≥ 3.5 AND it is ≥ 200 MB over its
// usual figure or ≥ 5 % of the window's whole traffic; nothing is scored in the first 14 days.
import { formatBytes } from '../../../src-shared/units.js';
import { ANOMALY_Z, median, modifiedZ } from './stats.js';

export type ChangeKind = 'app' | 'domain';
export type ChangeBadge = 'new' | 'gone' | 'unusual-hour';

/** Bytes per local day of one app or site, aligned with `ChangesInput.dayStarts`. */
export interface EntitySeries {
  kind: ChangeKind;
  name: string;
  days: readonly number[];
}

export interface ChangesInput {
  /** Local midnights, oldest first; the last `windowDays` are "this" window (today included). */
  dayStarts: readonly number[];
  windowDays: number;
  /** Local midnight of the first day with any stored usage (days before it are not history). */
  firstDay: number | null;
  series: readonly EntitySeries[];
}

/** A day that stands out. */
export interface Anomaly {
  dayStart: number;
  bytes: number;
  /** The same weekday's median over the previous weeks, and the excess over it. */
  usual: number;
  excess: number;
  z: number;
}

export interface ChangeRow {
  kind: ChangeKind;
  name: string;
  thisWindow: number;
  lastWindow: number;
  /** Median of the four windows before this one. */
  median4: number;
  delta: number;
  badges: ChangeBadge[];
  anomaly: Anomaly | null;
}

/** Nothing is scored before this many days of history. */
export const MIN_ANOMALY_HISTORY_DAYS = 14;
/** Same-weekday days needed for a score (the previous 4 to 8 weeks). */
export const MIN_BASELINE_WEEKS = 4;
export const MAX_BASELINE_WEEKS = 8;
/** Shown only when the day is this far over its usual figure … */
export const ANOMALY_MIN_EXCESS = 200e6;
/** … or this share of the window's whole traffic. */
export const ANOMALY_MIN_SHARE = 0.05;
/** "new": nothing in the four windows before, and at least this much now. */
export const NEW_MIN_BYTES = 50e6;

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Days of history before the day at `index` (0 when nothing was stored before it). */
function historyBefore(input: ChangesInput, index: number): number {
  const day = input.dayStarts[index];
  if (input.firstDay === null || day === undefined) return 0;
  return input.dayStarts.filter((d) => d >= input.firstDay! && d < day).length;
}

/** The rows, largest absolute change first, and whether scores were withheld (too little history). */
export function computeChanges(input: ChangesInput): { rows: ChangeRow[]; scored: boolean; windowTotal: number } {
  const n = input.dayStarts.length;
  const w = input.windowDays;
  const window = (k: number, days: readonly number[]): number => sum(days.slice(Math.max(0, n - (k + 1) * w), Math.max(0, n - k * w)));
  // Apps' rows, (unattributed) included, add up to all traffic; sites' rows are a second view of the same bytes.
  const windowTotal = sum(input.series.filter((s) => s.kind === 'app').map((s) => window(0, s.days)));
  const firstThis = n - w;
  const scored = historyBefore(input, firstThis) >= MIN_ANOMALY_HISTORY_DAYS;
  const rows: ChangeRow[] = [];
  for (const s of input.series) {
    const thisWindow = window(0, s.days);
    const lastWindow = window(1, s.days);
    const before = [1, 2, 3, 4].map((k) => window(k, s.days));
    if (thisWindow === 0 && sum(before) === 0) continue;
    const badges: ChangeBadge[] = [];
    if (sum(before) === 0 && thisWindow >= NEW_MIN_BYTES) badges.push('new');
    if (thisWindow === 0 && lastWindow > 0) badges.push('gone');
    let anomaly: Anomaly | null = null;
    if (scored) {
      for (let i = Math.max(0, firstThis); i < n; i += 1) {
        const x = s.days[i] ?? 0;
        const baseline: number[] = [];
        for (let k = 1; k <= MAX_BASELINE_WEEKS; k += 1) {
          const j = i - 7 * k;
          const day = input.dayStarts[j];
          if (j < 0 || day === undefined || input.firstDay === null || day < input.firstDay) break;
          baseline.push(s.days[j] ?? 0);
        }
        if (baseline.length < MIN_BASELINE_WEEKS) continue;
        const score = modifiedZ(x, baseline);
        if (score === null || score.z < ANOMALY_Z) continue;
        const excess = x - score.median;
        if (excess < ANOMALY_MIN_EXCESS && excess < ANOMALY_MIN_SHARE * windowTotal) continue;
        if (anomaly === null || score.z > anomaly.z) anomaly = { dayStart: input.dayStarts[i] ?? 0, bytes: x, usual: score.median, excess, z: score.z };
      }
    }
    rows.push({ kind: s.kind, name: s.name, thisWindow, lastWindow, median4: median(before), delta: thisWindow - lastWindow, badges, anomaly });
  }
  rows.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { rows, scored, windowTotal };
}

const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/**
 * The busy stretch of a day: the first to the last local hour that holds at least half of the busiest
 * hour's bytes, as `Sat 02:00–05:00`. `hours` is bytes per local hour of the day (index = hour).
 */
export function busyStretch(dayStart: number, hours: readonly number[]): string | null {
  const peak = Math.max(0, ...hours);
  if (peak <= 0) return null;
  const busy = hours.map((b, h) => (b >= peak / 2 ? h : -1)).filter((h) => h >= 0);
  const first = busy[0] ?? 0;
  const last = busy[busy.length - 1] ?? 0;
  const weekday = WEEKDAY_NAMES[new Date(dayStart * 1000).getDay()] ?? '';
  const hh = (h: number): string => `${String(h).padStart(2, '0')}:00`;
  return `${weekday} ${hh(first)}–${hh(last + 1)}`;
}

/** The one-line cause: `Photos +6.1 GB, Sat 02:00–05:00, mostly icloud-content.com` (parts the data lacks are left out). */
export function causeLine(name: string, excess: number, stretch: string | null, topDomain: string | null): string {
  const parts = [`${name} +${formatBytes(excess)}`];
  if (stretch !== null) parts.push(stretch);
  if (topDomain !== null) parts.push(`mostly ${topDomain}`);
  return parts.join(', ');
}

/**
 * "Unusual hour": an hour of the day that holds at least 50 MB and scores z ≥ 3.5 against the same hour
 * of the same weekday in the previous weeks (`baseline[h]`: those hours' bytes).
 */
export function hasUnusualHour(hours: readonly number[], baseline: readonly (readonly number[])[]): boolean {
  return hours.some((bytes, h) => {
    if (bytes < NEW_MIN_BYTES) return false;
    const score = modifiedZ(bytes, baseline[h] ?? []);
    return score !== null && baseline[h]!.length >= MIN_BASELINE_WEEKS && score.z >= ANOMALY_Z;
  });
}
