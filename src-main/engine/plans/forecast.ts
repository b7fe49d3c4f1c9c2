// Where the cycle will end. Pure: days in, figures out.
//
// For each remaining day: the median of the same weekday over the last 4 weeks (weekday method, when
// every weekday has at least two such days), else the median day of the last 14 days (recent), else
// used ÷ elapsed (linear). The range sums the 20th and 80th percentiles of the same days. The rest of
// today counts as that day's figure minus what today already used (never below zero).
import { percentile } from './stats.js';

/** One complete local day of history. */
export interface HistoryDay {
  /** Local midnight, epoch s. */
  dayStart: number;
  /** 0 = Monday. */
  weekday: number;
  bytes: number;
}

/** A day of the cycle still to come (today first, if today is in the cycle). */
export interface FutureDay {
  dayStart: number;
  weekday: number;
}

export type ForecastMethod = 'weekday' | 'recent' | 'linear';

export interface ForecastInput {
  /** Complete local days before today, oldest first (the last 28 are used). */
  history: readonly HistoryDay[];
  /** Days of history there are in all (days since the first stored usage, today excluded). */
  historyDays: number;
  /** What counts so far this cycle (calibration included). */
  used: number;
  /** What counts of today so far (part of `used`). */
  todayUsed: number;
  /** Days of the cycle from today to its end, today first; for a bucket, days until the quota is reached are searched. */
  remaining: readonly FutureDay[];
  /** Days of the cycle elapsed (today counted as a fraction), for the linear fallback. */
  elapsedDays: number;
  quota: number;
}

export interface ForecastResult {
  method: ForecastMethod;
  /** Bytes at the cycle's end: 20th, 50th, 80th percentile. */
  p20: number;
  p50: number;
  p80: number;
  /** Local midnight of the day the P50 path crosses the quota (null: it does not in this cycle). */
  crossingDay: number | null;
}

/** Fewer complete days than this: no forecast (and the reason says so). */
export const MIN_HISTORY_DAYS = 3;

interface Quantiles {
  p20: number;
  p50: number;
  p80: number;
}

function quantilesOf(values: readonly number[]): Quantiles {
  return { p20: percentile(values, 0.2), p50: percentile(values, 0.5), p80: percentile(values, 0.8) };
}

/** The per-day figures each future weekday gets, and the method that gave them. */
export function dailyExpectation(history: readonly HistoryDay[], elapsedDays: number, used: number): { method: ForecastMethod; byWeekday: Quantiles[] } {
  const last28 = history.slice(-28);
  const byWeekday: number[][] = [[], [], [], [], [], [], []];
  for (const day of last28) byWeekday[day.weekday]?.push(day.bytes);
  if (byWeekday.every((days) => days.length >= 2)) return { method: 'weekday', byWeekday: byWeekday.map(quantilesOf) };
  const last14 = history.slice(-14).map((d) => d.bytes);
  if (last14.length >= MIN_HISTORY_DAYS) {
    const q = quantilesOf(last14);
    return { method: 'recent', byWeekday: byWeekday.map(() => q) };
  }
  const rate = elapsedDays > 0 ? used / elapsedDays : 0;
  return { method: 'linear', byWeekday: byWeekday.map(() => ({ p20: rate, p50: rate, p80: rate })) };
}

/** The forecast, or the reason there is none. */
export function forecast(input: ForecastInput): { ok: true; value: ForecastResult } | { ok: false; reason: string } {
  if (input.historyDays < MIN_HISTORY_DAYS) {
    return { ok: false, reason: `a forecast needs ${MIN_HISTORY_DAYS} days of history; there ${input.historyDays === 1 ? 'is 1 day' : `are ${input.historyDays} days`} so far` };
  }
  const { method, byWeekday } = dailyExpectation(input.history, input.elapsedDays, input.used);
  let p20 = input.used;
  let p50 = input.used;
  let p80 = input.used;
  let crossingDay: number | null = input.used >= input.quota ? (input.remaining[0]?.dayStart ?? null) : null;
  input.remaining.forEach((day, i) => {
    const q = byWeekday[day.weekday] ?? { p20: 0, p50: 0, p80: 0 };
    const less = i === 0 ? input.todayUsed : 0;
    p20 += Math.max(0, q.p20 - less);
    const before = p50;
    p50 += Math.max(0, q.p50 - less);
    p80 += Math.max(0, q.p80 - less);
    if (crossingDay === null && before < input.quota && p50 >= input.quota) crossingDay = day.dayStart;
  });
  return { ok: true, value: { method, p20: Math.round(p20), p50: Math.round(p50), p80: Math.round(p80), crossingDay } };
}

/** "Safe today": what is left divided by the days left (today included); null without an end. */
export function safeToday(quota: number, used: number, daysLeft: number | null): number | null {
  if (daysLeft === null || daysLeft <= 0) return null;
  return Math.max(0, quota - used) / daysLeft;
}
