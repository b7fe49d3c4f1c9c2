// Billing-cycle arithmetic. Pure. Boundaries are LOCAL midnights of the process's zone: day counts are
// done on calendar dates (never by adding 86 400 s, which drifts by an hour across a DST change), and
// a date becomes an instant only at the end, through the Date constructor's local fields.
import { assertNever } from '../../../src-shared/contract/types.js';
import type { Cycle, CycleRule, FreeHours, LocalDate } from './types.js';

/** A calendar date: year, month 1–12, day 1–31. */
export interface CivilDate {
  y: number;
  m: number;
  d: number;
}

/** Days since 1970-01-01 of a civil date (proleptic Gregorian; Howard Hinnant's algorithm). */
export function daysFromCivil({ y, m, d }: CivilDate): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The civil date `days` days after 1970-01-01. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** Days in a month (m 1–12). */
export function daysInMonth(y: number, m: number): number {
  return civilFromDays(daysFromCivil({ y: m === 12 ? y + 1 : y, m: m === 12 ? 1 : m + 1, d: 1 }) - 1).d;
}

/** Weekday of a civil date, 0 = Monday. */
export function weekdayOf(date: CivilDate): number {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return (((daysFromCivil(date) + 3) % 7) + 7) % 7;
}

/** Parses `YYYY-MM-DD` strictly (a real date); null otherwise. */
export function parseLocalDate(text: string): CivilDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return null;
  const date = { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
  if (date.m < 1 || date.m > 12 || date.d < 1 || date.d > daysInMonth(date.y, date.m)) return null;
  return date;
}

/** `YYYY-MM-DD` of a civil date. */
export function formatLocalDate({ y, m, d }: CivilDate): LocalDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The local calendar date that holds instant `t` (epoch s). */
export function localDateOf(t: number): CivilDate {
  const at = new Date(t * 1000);
  return { y: at.getFullYear(), m: at.getMonth() + 1, d: at.getDate() };
}

/** Local midnight (epoch s) starting a civil date; where midnight was skipped, the day's first instant. */
export function localMidnightOf(date: CivilDate, hour = 0): number {
  return new Date(date.y, date.m - 1, date.d, hour).getTime() / 1000;
}

/** The civil date `n` days after `date`. */
export function addDays(date: CivilDate, n: number): CivilDate {
  return civilFromDays(daysFromCivil(date) + n);
}

function mustParse(text: LocalDate, field: string): CivilDate {
  const date = parseLocalDate(text);
  if (date === null) throw new RangeError(`${field}: not a date (YYYY-MM-DD): ${JSON.stringify(text)}`);
  return date;
}

/** Day `day` of a month, or its last day when the month is shorter (the 31st in February is the 28th or 29th). */
function monthlyReset(y: number, m: number, day: number): CivilDate {
  return { y, m, d: Math.min(day, daysInMonth(y, m)) };
}

function shiftMonth(y: number, m: number, by: number): { y: number; m: number } {
  const index = y * 12 + (m - 1) + by;
  return { y: Math.floor(index / 12), m: (index % 12) + 1 };
}

function cycleOf(startDate: CivilDate, endDate: CivilDate | null, active = true, inactiveReason: string | null = null): Cycle {
  return {
    start: localMidnightOf(startDate),
    end: endDate === null ? null : localMidnightOf(endDate),
    startDate: formatLocalDate(startDate),
    lastDate: endDate === null ? null : formatLocalDate(addDays(endDate, -1)),
    active,
    inactiveReason,
  };
}

/** The civil dates [start, end) of the cycle that holds local date `today` (end null: no reset). */
function cycleDates(rule: CycleRule, today: CivilDate): { start: CivilDate; end: CivilDate | null } {
  switch (rule.kind) {
    case 'monthly': {
      let reset = monthlyReset(today.y, today.m, rule.day);
      if (daysFromCivil(reset) > daysFromCivil(today)) {
        const prev = shiftMonth(today.y, today.m, -1);
        reset = monthlyReset(prev.y, prev.m, rule.day);
      }
      const next = shiftMonth(reset.y, reset.m, 1);
      return { start: reset, end: monthlyReset(next.y, next.m, rule.day) };
    }
    case 'every-n-days': {
      const anchor = daysFromCivil(mustParse(rule.anchor, 'anchor'));
      const k = Math.floor((daysFromCivil(today) - anchor) / rule.n);
      const start = anchor + k * rule.n;
      return { start: civilFromDays(start), end: civilFromDays(start + rule.n) };
    }
    case 'weekly': {
      const back = (weekdayOf(today) - rule.weekday + 7) % 7;
      const start = daysFromCivil(today) - back;
      return { start: civilFromDays(start), end: civilFromDays(start + 7) };
    }
    case 'daily':
      return { start: today, end: addDays(today, 1) };
    case 'one-time':
      // The expiry date is the first day no longer covered.
      return { start: mustParse(rule.start, 'start'), end: mustParse(rule.expiry, 'expiry') };
    case 'bucket':
      return { start: mustParse(rule.start, 'start'), end: null };
    default:
      return assertNever(rule, 'cycle kind');
  }
}

/** The cycle that holds instant `t` (epoch s). A one-time plan outside its dates is returned inactive. */
export function cycleAt(rule: CycleRule, t: number): Cycle {
  const today = localDateOf(t);
  const { start, end } = cycleDates(rule, today);
  if (rule.kind === 'one-time' && end !== null) {
    if (daysFromCivil(today) < daysFromCivil(start)) return cycleOf(start, end, false, `starts on ${formatLocalDate(start)}`);
    if (daysFromCivil(today) >= daysFromCivil(end)) return cycleOf(start, end, false, `expired on ${formatLocalDate(end)}`);
  }
  if (rule.kind === 'bucket' && daysFromCivil(today) < daysFromCivil(start)) return cycleOf(start, null, false, `starts on ${formatLocalDate(start)}`);
  return cycleOf(start, end);
}

/** The cycle before `cycle` (null for one-time plans and buckets, which have none). */
export function previousCycle(rule: CycleRule, cycle: Cycle): Cycle | null {
  if (rule.kind === 'one-time' || rule.kind === 'bucket') return null;
  return cycleAt(rule, cycle.start - 1);
}

/** The local day starts (epoch s) of every day in [from, to), each a local midnight (23–25 h apart around DST). */
export function dayStarts(from: number, to: number): number[] {
  const out: number[] = [];
  let date = localDateOf(from);
  let at = localMidnightOf(date);
  if (at < from) {
    date = addDays(date, 1);
    at = localMidnightOf(date);
  }
  while (at < to) {
    out.push(at);
    date = addDays(date, 1);
    at = localMidnightOf(date);
  }
  return out;
}

/**
 * The stretches of [from, to) inside the free hours, in order, each within one local day. Hours are
 * local wall-clock hours, so a free 00:00–06:00 is six hours on most days and five or seven on a DST day.
 */
export function freeWindows(free: FreeHours, from: number, to: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  if (to <= from || free.startHour === free.endHour) return out;
  let date = localDateOf(from);
  for (let guard = 0; guard < 100_000; guard += 1) {
    const dayStart = localMidnightOf(date);
    if (dayStart >= to) break;
    const hours = free.startHour < free.endHour ? [[free.startHour, free.endHour]] : [[0, free.endHour], [free.startHour, 24]];
    for (const [h0, h1] of hours) {
      if (h0 === undefined || h1 === undefined || h1 <= h0) continue;
      const a = h0 === 0 ? dayStart : localMidnightOf(date, h0);
      const b = h1 === 24 ? localMidnightOf(addDays(date, 1)) : localMidnightOf(date, h1);
      const lo = Math.max(a, from);
      const hi = Math.min(b, to);
      if (hi > lo) out.push({ from: lo, to: hi });
    }
    date = addDays(date, 1);
  }
  return out;
}
