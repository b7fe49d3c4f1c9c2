// "What changed" over the stored history: daily bytes per app and per named site for the last eight
// weeks and this window, scored by changes.ts; the anomalies get their one-line cause and the
// unusual-hour badge from the hourly tier.
import type Database from 'better-sqlite3';
import type { ChangeRowView, ChangesView } from '../../../src-shared/plans.js';
import { totalsByDomain } from '../queries/index.js';
import { UNATTRIBUTED } from '../types.js';
import { addDays, dayStarts, formatLocalDate, localDateOf, localMidnightOf } from './cycles.js';
import { firstUsageDay, hoursOfRanges, namesByDay } from './figures.js';
import { busyStretch, causeLine, computeChanges, hasUnusualHour, MAX_BASELINE_WEEKS, MIN_ANOMALY_HISTORY_DAYS, type ChangeKind, type EntitySeries } from './changes.js';

/** Rows returned at most. */
export const MAX_CHANGE_ROWS = 50;

/** The anomaly's day and the same weekday of the weeks before it that are history. */
function anomalyDays(dayStart: number, firstDay: number | null): { day: number; before: number[] } {
  const before: number[] = [];
  for (let k = 1; k <= MAX_BASELINE_WEEKS; k += 1) {
    const day = localMidnightOf(addDays(localDateOf(dayStart), -7 * k));
    if (firstDay === null || day < firstDay) break;
    before.push(day);
  }
  return { day: dayStart, before };
}

/**
 * Bytes per local hour (index 0–23) of the rows with an anomaly, on their day and its same weekdays:
 * one statement per kind for every name and day (keyed kind, name, day).
 */
function hourlyDetail(db: Database.Database, needs: readonly { kind: ChangeKind; name: string; days: readonly number[] }[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const kind of ['app', 'domain'] as const) {
    const asked = needs.filter((n) => n.kind === kind).flatMap((n) => n.days.map((day) => ({ name: n.name, from: day, to: localMidnightOf(addDays(localDateOf(day), 1)) })));
    for (const row of hoursOfRanges(db, kind, asked)) {
      const r = asked[row.req];
      if (r === undefined) continue;
      const key = `${kind}\u0000${r.name}\u0000${r.from}`;
      let hours = out.get(key);
      if (hours === undefined) out.set(key, (hours = Array.from({ length: 24 }, () => 0)));
      const h = new Date(row.hour * 1000).getHours();
      hours[h] = (hours[h] ?? 0) + row.bytes;
    }
  }
  return out;
}

/** What changed in the last `windowDays` days (today included) against the windows before. */
export function changes(db: Database.Database, nowS: number, windowDays = 7): ChangesView {
  const today = localDateOf(nowS);
  const until = localMidnightOf(addDays(today, 1));
  const span = Math.max(5 * windowDays, MAX_BASELINE_WEEKS * 7 + windowDays);
  const from = localMidnightOf(addDays(today, 1 - span));
  const days = dayStarts(from, until);
  const index = new Map(days.map((d, i) => [d, i]));
  const series = new Map<string, EntitySeries & { days: number[] }>();
  for (const kind of ['app', 'domain'] as const) {
    for (const row of namesByDay(db, kind, from, until)) {
      const i = index.get(row.day);
      if (i === undefined) continue;
      const key = `${kind}\u0000${row.name}`;
      let s = series.get(key);
      if (s === undefined) {
        s = { kind, name: row.name, days: Array.from({ length: days.length }, () => 0) };
        series.set(key, s);
      }
      s.days[i] = (s.days[i] ?? 0) + row.bytes;
    }
  }
  const firstDay = firstUsageDay(db);
  const result = computeChanges({ dayStarts: days, windowDays, firstDay, series: [...series.values()] });
  const since = days[Math.max(0, days.length - windowDays)] ?? from;
  const shown = result.rows.slice(0, MAX_CHANGE_ROWS);
  const needs = shown.flatMap((r) => {
    if (r.anomaly === null) return [];
    const d = anomalyDays(r.anomaly.dayStart, firstDay);
    return [{ kind: r.kind, name: r.name, days: [d.day, ...d.before] }];
  });
  const detail = hourlyDetail(db, needs);
  const hoursOn = (kind: ChangeKind, name: string, day: number): number[] => detail.get(`${kind}\u0000${name}\u0000${day}`) ?? Array.from({ length: 24 }, () => 0);
  const rows: ChangeRowView[] = shown.map((r) => {
    const badges = [...r.badges];
    let anomaly: ChangeRowView['anomaly'] = null;
    if (r.anomaly !== null) {
      const a = r.anomaly;
      const hours = hoursOn(r.kind, r.name, a.dayStart);
      const baseline: number[][] = Array.from({ length: 24 }, () => []);
      for (const day of anomalyDays(a.dayStart, firstDay).before) hoursOn(r.kind, r.name, day).forEach((b, h) => baseline[h]?.push(b));
      if (hasUnusualHour(hours, baseline)) badges.push('unusual-hour');
      const dayEnd = localMidnightOf(addDays(localDateOf(a.dayStart), 1));
      let mostly: string | null = null;
      // An app's bytes name the site they mostly went to; a site's cause is its hours alone.
      if (r.kind === 'app') {
        mostly = totalsByDomain(db, { since: a.dayStart, until: dayEnd }, { app: r.name, limit: 3 }).rows.find((d) => d.domain !== UNATTRIBUTED)?.domain ?? null;
      }
      anomaly = { dayStart: a.dayStart, date: formatLocalDate(localDateOf(a.dayStart)), bytes: a.bytes, usual: a.usual, excess: a.excess, z: a.z, cause: causeLine(r.name, a.excess, busyStretch(a.dayStart, hours), mostly) };
    }
    return { kind: r.kind, name: r.name, thisWindow: r.thisWindow, lastWindow: r.lastWindow, median4: r.median4, delta: r.delta, badges, anomaly };
  });
  return {
    windowDays,
    since,
    until,
    scored: result.scored,
    reason: result.scored ? null : `anomalies are scored after ${MIN_ANOMALY_HISTORY_DAYS} days of history`,
    windowTotal: result.windowTotal,
    rows,
  };
}
