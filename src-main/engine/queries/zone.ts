// The process's time zone as a few stretches of constant UTC offset, so that SQL can turn epoch
// seconds into local wall time with plain arithmetic. Offsets change a few times a year (DST), so a
// year of history is a handful of stretches; each transition is found by bisection to the second.

/** A stretch [from, to) of epoch seconds in which the local zone's UTC offset is `offsetS`. */
export interface OffsetSegment {
  from: number;
  to: number;
  /** Local time minus UTC, in seconds (Berlin in summer: 7200). */
  offsetS: number;
}

/** The local zone's UTC offset at epoch second `t`, in seconds. */
export function zoneOffsetAt(t: number): number {
  // getTimezoneOffset is UTC minus local, in minutes (fractional only for pre-1900 local mean time).
  return Math.round(-new Date(t * 1000).getTimezoneOffset() * 60);
}

// Offsets are probed this far apart: real zones change at most twice a year, never twice within 6 h.
const PROBE_S = 6 * 3600;

/** The stretches of constant offset that cover [from, to), in order; empty when the range is. */
export function offsetSegments(from: number, to: number): OffsetSegment[] {
  const out: OffsetSegment[] = [];
  if (to <= from) return out;
  let start = from;
  let offset = zoneOffsetAt(from);
  let probe = from;
  const last = to - 1;
  while (probe < last) {
    const next = Math.min(probe + PROBE_S, last);
    if (zoneOffsetAt(next) === offset) {
      probe = next;
      continue;
    }
    // zoneOffsetAt(lo) is `offset`, zoneOffsetAt(hi) is not: bisect to the first second of the new offset.
    let lo = probe;
    let hi = next;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (zoneOffsetAt(mid) === offset) lo = mid;
      else hi = mid;
    }
    out.push({ from: start, to: hi, offsetS: offset });
    start = hi;
    offset = zoneOffsetAt(hi);
    probe = hi;
  }
  out.push({ from: start, to, offsetS: offset });
  return out;
}

/** The segment of `segments` that holds `t` (they must cover it). */
export function segmentAt(segments: readonly OffsetSegment[], t: number): OffsetSegment {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid]?.from ?? Number.POSITIVE_INFINITY) <= t) lo = mid;
    else hi = mid - 1;
  }
  const seg = segments[lo];
  if (seg === undefined || t < seg.from || t >= seg.to) throw new RangeError(`no offset segment holds ${t}`);
  return seg;
}

/** Hour-of-week index (weekday × 24 + hour; weekday 0 is Monday) of local seconds `local` (epoch s + offset). */
export function hourOfWeek(local: number): number {
  const day = Math.floor(local / 86_400);
  // 1970-01-01, day 0, was a Thursday: weekday 3 when Monday is 0.
  const weekday = (((day + 3) % 7) + 7) % 7;
  const hour = Math.floor((local - day * 86_400) / 3600);
  return weekday * 24 + hour;
}
