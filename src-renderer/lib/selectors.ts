// Pure views of API answers for the pages: pie slices, table rows, sorting and filtering, weekly and
// monthly sums, the heatmap's scale, the domain rollup. The engine aggregates; these only reshape
// what it sent (a year of daily points at most), so they stay cheap enough to run on every render.
import type { AppTotal, ByteTotals, DomainTotal, HeatmapCell, ProcessView, TimelinePoint } from '../../src-shared/contract/types.js';
import { isOverheadName } from '../../src-shared/networks.js';

/**
 * The name the engine stores the unattributed remainder under (src-main/engine/types.ts UNATTRIBUTED;
 * the renderer may not import main, so the name is repeated here).
 */
export const UNATTRIBUTED = '(unattributed)';

/** Bytes in both directions. */
export function totalOf(t: ByteTotals): number {
  return t.bytesIn + t.bytesOut;
}

/** The sums of a list. */
export function sumTotals(rows: readonly ByteTotals[]): ByteTotals {
  let bytesIn = 0;
  let bytesOut = 0;
  for (const r of rows) {
    bytesIn += r.bytesIn;
    bytesOut += r.bytesOut;
  }
  return { bytesIn, bytesOut };
}

/** One slice of the applications pie. */
export interface PieSlice extends ByteTotals {
  name: string;
  kind: 'app' | 'other' | 'unattributed' | 'overhead';
  total: number;
  /** Share of all bytes, 0..1. */
  share: number;
}

/**
 * The `topN` largest applications, the rest summed as "Other", and the unattributed remainder as its
 * own slice (never folded into Other, never dropped). Empty slices are left out.
 */
export function pieSlices(apps: readonly AppTotal[], topN = 10): PieSlice[] {
  const attributed = apps.filter((a) => a.app !== UNATTRIBUTED && !isOverheadName(a.app)).sort((a, b) => totalOf(b) - totalOf(a) || a.app.localeCompare(b.app));
  const unattributed = sumTotals(apps.filter((a) => a.app === UNATTRIBUTED));
  // A tunnel's own bytes: overhead, each provider apart, never an application nor folded into Other.
  const overhead = apps.filter((a) => isOverheadName(a.app));
  const top = attributed.slice(0, topN);
  const other = sumTotals(attributed.slice(topN));
  const grand = totalOf(sumTotals(apps));
  const slice = (name: string, kind: PieSlice['kind'], t: ByteTotals): PieSlice => ({
    name,
    kind,
    bytesIn: t.bytesIn,
    bytesOut: t.bytesOut,
    total: totalOf(t),
    share: grand > 0 ? totalOf(t) / grand : 0,
  });
  const slices = top.map((a) => slice(a.app, 'app', a));
  if (totalOf(other) > 0) slices.push(slice(`Other (${attributed.length - top.length} apps)`, 'other', other));
  for (const o of overhead) slices.push(slice(o.app, 'overhead', o));
  if (totalOf(unattributed) > 0) slices.push(slice('Unattributed', 'unattributed', unattributed));
  return slices.filter((s) => s.total > 0);
}

/** A row of the applications table. */
export interface AppRow extends ByteTotals {
  app: string;
  total: number;
  /** Share of all bytes in the range, 0..1. */
  share: number;
  /** Epoch seconds a process of the app was last seen in the range, or null when none was. */
  lastSeen: number | null;
  unattributed: boolean;
  /** A tunnel provider's own bytes (`VPN overhead (…)`): shown as overhead, not as an application. */
  overhead: boolean;
}

/** Table rows from the apps list (which carries each app's last-seen time), with shares of the grand total. */
export function appRows(apps: readonly (AppTotal & { lastSeen?: number | null })[]): AppRow[] {
  const grand = totalOf(sumTotals(apps));
  return apps.map((a) => ({
    app: a.app,
    bytesIn: a.bytesIn,
    bytesOut: a.bytesOut,
    total: totalOf(a),
    share: grand > 0 ? totalOf(a) / grand : 0,
    lastSeen: a.lastSeen ?? null,
    unattributed: a.app === UNATTRIBUTED,
    overhead: isOverheadName(a.app),
  }));
}

/** Columns the applications table sorts by. */
export type AppSortKey = 'app' | 'bytesIn' | 'bytesOut' | 'total' | 'share' | 'lastSeen';
export type SortDir = 'asc' | 'desc';

/** Rows sorted by a column; ties by name; an unknown last-seen sorts last either way. */
export function sortAppRows(rows: readonly AppRow[], key: AppSortKey, dir: SortDir): AppRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (key === 'app') return sign * a.app.localeCompare(b.app, 'en', { sensitivity: 'base' }) || a.app.localeCompare(b.app);
    if (key === 'lastSeen') {
      if (a.lastSeen === null || b.lastSeen === null) {
        if (a.lastSeen === b.lastSeen) return a.app.localeCompare(b.app);
        return a.lastSeen === null ? 1 : -1;
      }
    }
    const av = a[key] ?? 0;
    const bv = b[key] ?? 0;
    return sign * (av - bv) || a.app.localeCompare(b.app);
  });
}

/** Rows whose name holds every word of `query` (case-insensitive); an empty query keeps all. */
export function filterAppRows(rows: readonly AppRow[], query: string): AppRow[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const name = r.app.toLowerCase();
    return words.every((w) => name.includes(w));
  });
}

/** The distinct process names, pids and paths behind an app, for its detail panel. */
export function processSummary(processes: readonly ProcessView[]): { names: string[]; pids: number; paths: string[] } {
  const names = [...new Set(processes.map((p) => p.name))].sort((a, b) => a.localeCompare(b));
  const paths = [...new Set(processes.map((p) => p.path).filter((p): p is string => p !== null))].sort((a, b) => a.localeCompare(b));
  return { names, pids: new Set(processes.map((p) => p.pid)).size, paths };
}

/** Bytes summed over a period that starts at `start` (epoch seconds, local). */
export interface PeriodSum extends ByteTotals {
  start: number;
  /** How many of the points fell into it (days, for daily points). */
  points: number;
}

function groupBy(points: readonly TimelinePoint[], keyOf: (ts: number) => number): PeriodSum[] {
  const groups = new Map<number, PeriodSum>();
  for (const p of points) {
    const start = keyOf(p.ts);
    const g = groups.get(start) ?? { start, bytesIn: 0, bytesOut: 0, points: 0 };
    g.bytesIn += p.bytesIn;
    g.bytesOut += p.bytesOut;
    g.points += 1;
    groups.set(start, g);
  }
  return [...groups.values()].sort((a, b) => a.start - b.start);
}

/** Local midnight of the Monday starting the week that holds `ts`. */
export function localWeekStart(ts: number): number {
  const d = new Date(ts * 1000);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return Math.floor(d.getTime() / 1000);
}

/** Local midnight of the first of the month that holds `ts`. */
export function localMonthStart(ts: number): number {
  const d = new Date(ts * 1000);
  d.setHours(0, 0, 0, 0);
  d.setDate(1);
  return Math.floor(d.getTime() / 1000);
}

/** Daily points summed per local week (Monday first). */
export function weeklySums(daily: readonly TimelinePoint[]): PeriodSum[] {
  return groupBy(daily, localWeekStart);
}

/** Daily points summed per local calendar month. */
export function monthlySums(daily: readonly TimelinePoint[]): PeriodSum[] {
  return groupBy(daily, localMonthStart);
}

/** Number of days in the local month starting at `monthStart`. */
export function daysInMonth(monthStart: number): number {
  const d = new Date(monthStart * 1000);
  return new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
}

/** A month in the comparison: its sum, its daily average over the days covered, and the change on the month before. */
export interface MonthRow extends PeriodSum {
  total: number;
  perDay: number;
  /** The range covered only part of the month (first or current month). */
  partial: boolean;
  /** Change of the daily average against the month before, as a fraction (0.25 = +25 %), or null. */
  change: number | null;
}

/** Month-by-month comparison rows; averages per covered day keep partial months comparable. */
export function monthRows(daily: readonly TimelinePoint[]): MonthRow[] {
  const rows: MonthRow[] = [];
  for (const m of monthlySums(daily)) {
    const total = totalOf(m);
    const perDay = m.points > 0 ? total / m.points : 0;
    const prev = rows.at(-1);
    rows.push({
      ...m,
      total,
      perDay,
      partial: m.points < daysInMonth(m.start),
      change: prev !== undefined && prev.perDay > 0 ? perDay / prev.perDay - 1 : null,
    });
  }
  return rows;
}

/**
 * A linear projection of a month's total from its first part: bytes so far × month length ÷ time
 * elapsed. An estimate, and labelled so wherever it is shown; null in the first hour of the month.
 */
export function projectMonth(soFar: number, monthStart: number, nowS: number): number | null {
  const d = new Date(monthStart * 1000);
  const monthEnd = Math.floor(new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime() / 1000);
  const elapsed = nowS - monthStart;
  if (elapsed < 3600 || nowS >= monthEnd) return null;
  return (soFar * (monthEnd - monthStart)) / elapsed;
}

/** The heatmap as rows of 24 cells per weekday (Monday first), each with its intensity 0..1 against the busiest cell. */
export function heatmapGrid(cells: readonly HeatmapCell[]): { rows: { weekday: number; cells: (HeatmapCell & { total: number; intensity: number })[] }[]; max: number } {
  let max = 0;
  for (const c of cells) max = Math.max(max, totalOf(c));
  const rows = Array.from({ length: 7 }, (_, weekday) => ({
    weekday,
    cells: Array.from({ length: 24 }, (_, hour) => {
      const c = cells.find((x) => x.weekday === weekday && x.hour === hour) ?? { weekday, hour, bytesIn: 0, bytesOut: 0 };
      const total = totalOf(c);
      return { ...c, total, intensity: max > 0 ? total / max : 0 };
    }),
  }));
  return { rows, max };
}

/** A registrable domain with the hostnames seen under it. */
export interface DomainGroup extends ByteTotals {
  domain: string;
  total: number;
  /** The part of the bytes placed by a guess (the browser's active tab or fetch log), not by the server address. */
  estimated: ByteTotals;
  hosts: (DomainTotal & { total: number })[];
}

/**
 * Groups hostnames under their registrable domain (`api.netflix.com` and `netflix.com` → `netflix.com`),
 * largest first. With the engine's domain rollup on, each entry already is a registrable domain and
 * forms a group of one.
 */
export function rollupDomains(domains: readonly DomainTotal[], registrable: (host: string) => string): DomainGroup[] {
  const groups = new Map<string, DomainGroup>();
  for (const d of domains) {
    const key = registrable(d.domain);
    const g = groups.get(key) ?? { domain: key, bytesIn: 0, bytesOut: 0, total: 0, estimated: { bytesIn: 0, bytesOut: 0 }, hosts: [] };
    g.bytesIn += d.bytesIn;
    g.bytesOut += d.bytesOut;
    g.total += totalOf(d);
    g.estimated.bytesIn += d.estimated?.bytesIn ?? 0;
    g.estimated.bytesOut += d.estimated?.bytesOut ?? 0;
    g.hosts.push({ ...d, total: totalOf(d) });
    groups.set(key, g);
  }
  const out = [...groups.values()];
  for (const g of out) g.hosts.sort((a, b) => b.total - a.total || a.domain.localeCompare(b.domain));
  return out.sort((a, b) => b.total - a.total || a.domain.localeCompare(b.domain));
}

/** The applications that sent traffic to `domain`, largest first, from per-app domain lists. */
export function appsForDomain(perApp: readonly { app: string; domains: readonly DomainTotal[] }[], domain: string): (ByteTotals & { app: string; total: number })[] {
  const rows: (ByteTotals & { app: string; total: number })[] = [];
  for (const { app, domains } of perApp) {
    const hit = domains.filter((d) => d.domain === domain);
    if (hit.length === 0) continue;
    const t = sumTotals(hit);
    if (totalOf(t) > 0) rows.push({ app, ...t, total: totalOf(t) });
  }
  return rows.sort((a, b) => b.total - a.total || a.app.localeCompare(b.app));
}

/** Whether a timeline holds any traffic at all (an all-zero chart gets an empty state instead). */
export function hasTraffic(points: readonly ByteTotals[]): boolean {
  return points.some((p) => p.bytesIn > 0 || p.bytesOut > 0);
}

/** The busiest bucket of a timeline, for the chart's caption. */
export function peakOf(points: readonly TimelinePoint[]): TimelinePoint | null {
  let best: TimelinePoint | null = null;
  for (const p of points) if (best === null || totalOf(p) > totalOf(best)) best = p;
  return best !== null && totalOf(best) > 0 ? best : null;
}

/** Why a figure from a range with `approximate` set is an estimate (the marker's tooltip). */
export const RETENTION_ESTIMATE_WHY =
  'older than the hourly retention: spread evenly from daily totals (or, past the raw retention, from hourly totals)';

/** True when any of the figures shown comes from an approximate answer (the range's flag, or any point's). */
export function isApproximate(answer: { approximate?: boolean; points?: readonly TimelinePoint[] } | null | undefined): boolean {
  if (answer === null || answer === undefined) return false;
  return answer.approximate === true || (answer.points?.some((p) => p.approximate === true) ?? false);
}

/** Runs of consecutive approximate buckets as [since, until) spans, to shade in a chart. */
export function approximateSpans(points: readonly TimelinePoint[], bucketS: number): { since: number; until: number }[] {
  const spans: { since: number; until: number }[] = [];
  for (const p of points) {
    if (p.approximate !== true) continue;
    const last = spans[spans.length - 1];
    // Daily buckets are 23–25 h around DST changes: a run continues when this bucket starts where the last one ended, give or take an hour.
    if (last !== undefined && Math.abs(p.ts - last.until) <= 3600) last.until = p.ts + bucketS;
    else spans.push({ since: p.ts, until: p.ts + bucketS });
  }
  return spans;
}
