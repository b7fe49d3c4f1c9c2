// Which table answers which part of a range. Pure: time arithmetic only, no database.
//
// [since, until) is split into the whole local days inside it (daily tier), the whole epoch hours
// inside what is left (hourly tier), and the sub-hour edges (raw tier). Where retention already
// deleted the finer tier, the piece is estimated from the coarser row that contains it, prorated by
// time ("approximate"), and says so.
import type { Coverage } from '../store/meta.js';
import { hourCeil, hourStart, localDayCeil, localDayStart } from '../store/time.js';

/** A table of the store: raw 5-s rows, hourly rollups, daily rollups. */
export type Tier = 'daily' | 'hourly' | 'raw';

/**
 * A piece of a range and how it is answered. `exact`: the rows whose instant lies in [from, to).
 * Not exact: the coarser rows overlapping [from, to), each prorated by the share of its span inside.
 */
export interface Segment {
  tier: Tier;
  exact: boolean;
  from: number;
  to: number;
}

function push(out: Segment[], seg: Segment): void {
  if (seg.to > seg.from) out.push(seg);
}

/** Answers a piece that lies within one local day and needs no daily row: hourly, raw, estimates. */
function planEdge(out: Segment[], s: number, e: number, cov: Coverage): void {
  if (e <= s) return;
  // Whole hours that hourly still holds.
  const h0 = hourCeil(Math.max(s, cov.hourlyFrom));
  const h1 = hourStart(e);
  const leftovers: [number, number][] = [];
  if (h0 < h1) {
    push(out, { tier: 'hourly', exact: true, from: h0, to: h1 });
    leftovers.push([s, h0], [h1, e]);
  } else {
    leftovers.push([s, e]);
  }
  for (const [p0, p1] of leftovers) {
    if (p1 <= p0) continue;
    const rawStart = Math.min(Math.max(p0, cov.rawFrom), p1);
    push(out, { tier: 'raw', exact: true, from: rawStart, to: p1 });
    // What raw no longer holds: estimated from hourly where it exists, else from the day's row.
    const hourlyStart = Math.min(Math.max(p0, cov.hourlyFrom), rawStart);
    push(out, { tier: 'hourly', exact: false, from: hourlyStart, to: rawStart });
    push(out, { tier: 'daily', exact: false, from: p0, to: hourlyStart });
  }
}

/** The segments that answer [since, until), coarsest first. Empty when the range is empty. */
export function planRange(since: number, until: number, coverage: Coverage): Segment[] {
  const out: Segment[] = [];
  if (until <= since) return out;
  const a = localDayCeil(since);
  const b = localDayStart(until);
  if (a <= b) {
    push(out, { tier: 'daily', exact: true, from: a, to: b });
    planEdge(out, since, a, coverage);
    planEdge(out, b, until, coverage);
  } else {
    planEdge(out, since, until, coverage);
  }
  return out;
}

/** Which tiers a set of segments reads, coarsest first, and whether any part is an estimate. */
export function provenanceOf(segments: readonly Segment[]): { tiers: Tier[]; approximate: boolean } {
  const order: Tier[] = ['daily', 'hourly', 'raw'];
  const used = new Set(segments.map((s) => s.tier));
  return { tiers: order.filter((t) => used.has(t)), approximate: segments.some((s) => !s.exact) };
}
