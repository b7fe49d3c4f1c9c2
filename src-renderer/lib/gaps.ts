// What a view says about a stretch netmon did not measure: the gap recorded at restart
// ('netmon-stopped', engine/resume/seed.ts) holds no per-interval detail, its bytes land at the restart.
import type { GapView } from '../../src-shared/contract/types.js';
import { formatClock, formatDate, formatDateTime } from './format.js';

/** At most this many gaps are named one by one; the rest are counted. */
export const MAX_GAPS_NAMED = 5;

/** `10:02–10:14` within one local day, else `3 Nov 2025, 22:10–4 Nov 2025, 07:30`. */
export function gapSpan(gap: Pick<GapView, 'start' | 'end'>, timeZone?: string): string {
  if (formatDate(gap.start, timeZone) === formatDate(gap.end, timeZone)) {
    return `${formatClock(gap.start, timeZone)}–${formatClock(gap.end, timeZone)}`;
  }
  return `${formatDateTime(gap.start, timeZone)}–${formatDateTime(gap.end, timeZone)}`;
}

/** The label of one gap the user should know about, or null for gaps a view need not name. */
export function gapMessage(gap: GapView, timeZone?: string): string | null {
  if (gap.reason !== 'netmon-stopped' || gap.end <= gap.start) return null;
  return `netmon was not running ${gapSpan(gap, timeZone)}; bytes moved then are counted at the restart`;
}

/** The labels a view shows for its gaps, oldest first: at most `MAX_GAPS_NAMED`, then how many more. */
export function gapMessages(gaps: readonly GapView[] | undefined, timeZone?: string): { messages: string[]; more: number } {
  const all = (gaps ?? []).map((g) => gapMessage(g, timeZone)).filter((m): m is string => m !== null);
  return { messages: all.slice(0, MAX_GAPS_NAMED), more: Math.max(0, all.length - MAX_GAPS_NAMED) };
}
