// Ranges as the pages hold them: a named preset (resolved by the engine against its clock) or an
// explicit [since, until) after a zoom or a date pick. Dates from <input type="date"> are local days.
import type { RangePreset } from '../../src-shared/contract/types.js';

/** A range a page shows. */
export type ViewRange = { kind: 'preset'; preset: RangePreset } | { kind: 'custom'; since: number; until: number };

/** The timeline presets of the overview, shortest first. */
export const TIMELINE_PRESETS = ['1h', '24h', '7d', '30d', '90d'] as const satisfies readonly RangePreset[];

const SPAN_S: Partial<Record<RangePreset, number>> = {
  '1h': 3600,
  '6h': 6 * 3600,
  '24h': 86_400,
  '7d': 7 * 86_400,
  '30d': 30 * 86_400,
  '90d': 90 * 86_400,
  '365d': 365 * 86_400,
};

/** A preset's length in seconds (calendar presets such as `today` have none). */
export function presetSpan(preset: RangePreset): number | null {
  return SPAN_S[preset] ?? null;
}

/** The request fields for a view range: `{ range }` or `{ since, until }`. */
export function rangeRequest(view: ViewRange): { range: RangePreset } | { since: number; until: number } {
  return view.kind === 'preset' ? { range: view.preset } : { since: view.since, until: view.until };
}

/** Shortest span a zoom goes down to: ten minutes (ten one-minute buckets). */
export const MIN_ZOOM_SPAN_S = 600;

/**
 * Zooms [since, until) by `factor` (0.5 halves the span, 2 doubles it) around `centerS` (default: the
 * middle), kept inside [floorS, nowS] and never shorter than ten minutes.
 */
export function zoomRange(range: { since: number; until: number }, factor: number, nowS: number, centerS?: number, floorS = 0): { since: number; until: number } {
  const span = range.until - range.since;
  const center = centerS ?? range.since + span / 2;
  const wanted = Math.max(MIN_ZOOM_SPAN_S, Math.round(span * factor));
  const fit = Math.min(wanted, nowS - floorS);
  let since = Math.round(center - fit / 2);
  let until = since + fit;
  if (until > nowS) {
    until = nowS;
    since = until - fit;
  }
  if (since < floorS) {
    since = floorS;
    until = since + fit;
  }
  return { since, until };
}

/** The selection of a drag across a chart, ordered; null when it is too narrow to mean a zoom. */
export function dragSelection(a: number, b: number, minSpanS = 60): { since: number; until: number } | null {
  const since = Math.min(a, b);
  const until = Math.max(a, b);
  return until - since < minSpanS ? null : { since, until };
}

/** Epoch seconds of local midnight starting the day `yyyy-mm-dd`; null for anything else. */
export function dateInputToEpoch(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m === null) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(year, month - 1, day);
  if (d.getFullYear() !== year || d.getMonth() !== month - 1 || d.getDate() !== day) return null;
  return Math.floor(d.getTime() / 1000);
}

/** The local day holding `epochS`, as `yyyy-mm-dd` for a date input. */
export function epochToDateInput(epochS: number): string {
  const d = new Date(epochS * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The range covering whole local days `from`..`to` (both included), or a reason it cannot be used. */
export function dayRange(from: string, to: string): { ok: true; since: number; until: number } | { ok: false; message: string } {
  const since = dateInputToEpoch(from);
  const last = dateInputToEpoch(to);
  if (since === null || last === null) return { ok: false, message: 'pick both dates' };
  if (last < since) return { ok: false, message: 'the end date is before the start date' };
  const end = new Date(last * 1000);
  end.setDate(end.getDate() + 1);
  return { ok: true, since, until: Math.floor(end.getTime() / 1000) };
}
