// Time arithmetic shared by the store and the query layer. All values are integer epoch seconds.
//
// A usage row is stamped with its interval's END (`AppUsage.ts`). The interval lies before that
// instant, so a row belongs to the bucket that contains `ts - 1`: an interval ending exactly at
// 10:00:00 is counted in 09:00–10:00, and a half-open range [since, until) holds the rows with
// since < ts <= until. Every tier (raw, hourly, daily) uses this same rule, which is what keeps
// their sums equal.
//
// Hours are epoch hours (UTC-aligned; equal to local hours in every zone with a whole-hour offset).
// Days are LOCAL days of the process's time zone at the moment of writing: a day starts at local
// midnight and lasts 23, 24 or 25 hours around daylight-saving changes, so a day's end is found by
// calendar arithmetic, never by adding 86 400.

export const HOUR_S = 3600;

/** The instant a usage row stamped `ts` (interval end) is counted at. */
export function usageInstant(ts: number): number {
  return ts - 1;
}

/** Start of the epoch hour that contains `t`. */
export function hourStart(t: number): number {
  return Math.floor(t / HOUR_S) * HOUR_S;
}

/** Smallest hour boundary at or after `t`. */
export function hourCeil(t: number): number {
  return Math.ceil(t / HOUR_S) * HOUR_S;
}

/** Start (local midnight, or the day's first instant where midnight was skipped) of the local day containing `t`. */
export function localDayStart(t: number): number {
  const d = new Date(t * 1000);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() / 1000;
  // A zone that fell back across midnight can make the constructed midnight land after `t`.
  return start <= t ? start : localDayStart(start - 1);
}

/** Start of the local day after the one that starts at (or contains) `t`. */
export function nextLocalDayStart(t: number): number {
  const d = new Date(localDayStart(t) * 1000);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime() / 1000;
}

/** Smallest local day boundary at or after `t`. */
export function localDayCeil(t: number): number {
  const start = localDayStart(t);
  return start === t ? t : nextLocalDayStart(t);
}

/** `YYYY-MM-DD` of the local day containing `t`. */
export function localDateLabel(t: number): string {
  const d = new Date(t * 1000);
  const mm = String(d.getMonth() + 1).padStart(2, '0');
  const dd = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${mm}-${dd}`;
}
