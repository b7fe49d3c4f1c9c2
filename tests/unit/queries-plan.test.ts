// The range planner: which tier answers which piece. Expected plans are written by hand in local
// time (Europe/Berlin, summer UTC+2) and checked against properties that hold for any range.
process.env.TZ = 'Europe/Berlin';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRange, provenanceOf, type Segment } from '../../src-main/engine/queries/plan.js';

const NONE = { rawFrom: Number.NEGATIVE_INFINITY, hourlyFrom: Number.NEGATIVE_INFINITY };
/** Epoch seconds of a local Berlin wall time in July 2024 (UTC+2), by hand. */
const jul = (day: number, h: number, min = 0): number => Date.UTC(2024, 6, day, h - 2, min) / 1000;
const seg = (tier: Segment['tier'], exact: boolean, from: number, to: number): Segment => ({ tier, exact, from, to });

describe('planRange with every tier complete', () => {
  const cases: { name: string; since: number; until: number; plan: Segment[] }[] = [
    { name: 'empty range', since: jul(10, 10), until: jul(10, 10), plan: [] },
    { name: 'minutes inside one hour', since: jul(10, 10, 3), until: jul(10, 10, 7), plan: [seg('raw', true, jul(10, 10, 3), jul(10, 10, 7))] },
    {
      name: 'hours with sub-hour edges',
      since: jul(10, 10, 30),
      until: jul(10, 13, 15),
      plan: [seg('hourly', true, jul(10, 11), jul(10, 13)), seg('raw', true, jul(10, 10, 30), jul(10, 11)), seg('raw', true, jul(10, 13), jul(10, 13, 15))],
    },
    {
      name: 'a whole day between two partial ones',
      since: jul(10, 10, 30),
      until: jul(12, 5),
      plan: [
        seg('daily', true, jul(11, 0), jul(12, 0)),
        seg('hourly', true, jul(10, 11), jul(11, 0)),
        seg('raw', true, jul(10, 10, 30), jul(10, 11)),
        seg('hourly', true, jul(12, 0), jul(12, 5)),
      ],
    },
    { name: 'whole days only', since: jul(10, 0), until: jul(12, 0), plan: [seg('daily', true, jul(10, 0), jul(12, 0))] },
    {
      name: 'across one midnight, no whole day',
      since: jul(10, 22),
      until: jul(11, 2),
      plan: [seg('hourly', true, jul(10, 22), jul(11, 0)), seg('hourly', true, jul(11, 0), jul(11, 2))],
    },
  ];
  it.each(cases)('$name', ({ since, until, plan }) => {
    expect(planRange(since, until, NONE)).toEqual(plan);
  });
});

describe('planRange after retention', () => {
  const cov = { rawFrom: jul(11, 12), hourlyFrom: jul(10, 0) };
  it.each([
    { name: 'minutes where raw is gone: estimated from the hour', since: jul(10, 10, 30), until: jul(10, 10, 45), plan: [seg('hourly', false, jul(10, 10, 30), jul(10, 10, 45))] },
    {
      name: 'an hour straddling the raw cut',
      since: jul(11, 11, 30),
      until: jul(11, 12, 30),
      plan: [seg('raw', true, jul(11, 12), jul(11, 12, 30)), seg('hourly', false, jul(11, 11, 30), jul(11, 12))],
    },
    { name: 'whole hours where raw is gone are still exact', since: jul(10, 9), until: jul(10, 17), plan: [seg('hourly', true, jul(10, 9), jul(10, 17))] },
  ])('$name', ({ since, until, plan }) => {
    expect(planRange(since, until, cov)).toEqual(plan);
  });

  it('before the hourly cut only the day row remains: prorated from it', () => {
    const c = { rawFrom: jul(11, 12), hourlyFrom: jul(11, 0) };
    expect(planRange(jul(10, 10, 30), jul(10, 20), c)).toEqual([seg('daily', false, jul(10, 10, 30), jul(10, 20))]);
    expect(provenanceOf(planRange(jul(10, 10, 30), jul(10, 20), c))).toEqual({ tiers: ['daily'], approximate: true });
  });
});

describe('planRange over daylight-saving changes', () => {
  it('uses the 25-hour day of 2024-10-27 whole', () => {
    // Local 2024-10-26 12:00 is 10:00 UTC (CEST); 2024-10-27 00:00 is 22:00 UTC the day before; 2024-10-28 00:00 is 23:00 UTC (CET).
    const since = Date.UTC(2024, 9, 26, 10) / 1000;
    const until = Date.UTC(2024, 9, 27, 23) / 1000;
    expect(planRange(since, until, NONE)).toEqual([
      seg('daily', true, Date.UTC(2024, 9, 26, 22) / 1000, until),
      seg('hourly', true, since, Date.UTC(2024, 9, 26, 22) / 1000),
    ]);
  });
});

describe('planRange properties', () => {
  const base = Date.UTC(2024, 9, 20) / 1000;
  const instant = fc.integer({ min: 0, max: 20 * 86_400 }).map((x) => base + x);
  const cut = fc.oneof(fc.constant(Number.NEGATIVE_INFINITY), instant);

  it('segments tile [since, until) exactly, each exact one aligned and inside its tier', () => {
    fc.assert(
      fc.property(instant, instant, cut, cut, (a, b, c1, c2) => {
        const [since, until] = a <= b ? [a, b] : [b, a];
        // Retention cuts hourly on a local day and raw on an hour, hourly never after raw.
        const hourlyFrom = Math.min(c1, c2) === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : localMidnightBefore(Math.min(c1, c2));
        const rawFrom = Math.max(c1, c2) === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : Math.floor(Math.max(c1, c2) / 3600) * 3600;
        const plan = [...planRange(since, until, { rawFrom, hourlyFrom })].sort((x, y) => x.from - y.from);
        let at = since;
        for (const s of plan) {
          expect(s.from).toBe(at);
          expect(s.to).toBeGreaterThan(s.from);
          at = s.to;
          if (s.exact && s.tier === 'hourly') {
            expect(s.from % 3600).toBe(0);
            expect(s.to % 3600).toBe(0);
            expect(s.from).toBeGreaterThanOrEqual(hourlyFrom);
          }
          if (s.exact && s.tier === 'daily') {
            expect(localMidnightBefore(s.from)).toBe(s.from);
            expect(localMidnightBefore(s.to)).toBe(s.to);
          }
          if (s.exact && s.tier === 'raw') expect(s.from).toBeGreaterThanOrEqual(rawFrom);
          if (!s.exact && s.tier === 'hourly') expect(s.to).toBeLessThanOrEqual(rawFrom);
          if (!s.exact && s.tier === 'daily') expect(s.to).toBeLessThanOrEqual(hourlyFrom);
        }
        expect(at).toBe(until);
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Local midnight at or before t, from Intl's wall clock (independent of the code under test): the
 * wall time since midnight, corrected by the hour a DST change adds or removes that day.
 */
function localMidnightBefore(t: number): number {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const wall = (x: number): { date: string; secs: number } => {
    const parts = fmt.formatToParts(new Date(x * 1000));
    const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
    return { date: `${get('year')}-${get('month')}-${get('day')}`, secs: Number(get('hour')) * 3600 + Number(get('minute')) * 60 + Number(get('second')) };
  };
  const here = wall(t);
  const guess = t - here.secs;
  const found = [guess - 3600, guess, guess + 3600].filter((c) => c <= t && wall(c).secs === 0 && wall(c).date === here.date);
  if (found.length === 0) throw new Error(`no local midnight found before ${t}`);
  return Math.min(...found);
}
