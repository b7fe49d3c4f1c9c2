// Properties of the delta engine over generated sample sequences (fast-check): no negative bytes,
// conservation of monotone counters, and a timeline that only moves forward whatever the clocks do.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialDeltaState, stepDelta } from '../../src-main/engine/delta.js';
import type { DeltaOptions, DeltaStep } from '../../src-main/engine/delta.js';
import type { FlowCounter, ProcessInfo, Sample } from '../../src-main/engine/types.js';

const OPTIONS: DeltaOptions = { clockToleranceMs: 1000, maxIntervalMs: 15_000 };
const T0 = 1_700_000_000_000;
const RUNS = { numRuns: 300 };

function runAll(samples: Sample[], options: DeltaOptions = OPTIONS): DeltaStep[] {
  let state = initialDeltaState();
  return samples.map((s) => {
    const step = stepDelta(state, s, options);
    state = step.state;
    return step;
  });
}

const ids = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const owner: fc.Arbitrary<ProcessInfo | null> = fc.option(
  fc.record({ pid: fc.constantFrom(1, 2, 3), name: fc.constantFrom('x', 'y'), startTime: fc.option(fc.constantFrom(10, 20), { nil: undefined }) }),
  { nil: null },
);
/** Any counter value a buggy sampler might send, including negatives and NaN. */
const anyCounter = fc.oneof(fc.nat({ max: 1_000_000 }), fc.constant(-5), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY));
const anyFlow: fc.Arbitrary<FlowCounter> = fc.record({ id: ids, owner, bytesIn: anyCounter, bytesOut: anyCounter });

/** Clock increments: normal ticks, sleeps, stalls, forward and backward jumps, monotonic hiccups. */
const clockStep = fc.record({
  wall: fc.oneof(fc.integer({ min: 4000, max: 6000 }), fc.integer({ min: -3_600_000, max: 3_600_000 })),
  mono: fc.oneof(fc.integer({ min: 4000, max: 6000 }), fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: -1000, max: 0 })),
});

function withClocks<T>(steps: { wall: number; mono: number }[], make: (wallMs: number, monoMs: number, i: number) => T): T[] {
  let wall = T0;
  let mono = 0;
  return steps.map((c, i) => {
    wall += c.wall;
    mono += c.mono;
    return make(wall, mono, i);
  });
}

describe('delta engine properties', () => {
  it('(a) every delta is ≥ 0 and finite, whatever the samples hold', () => {
    const anySample = fc.record({
      mode: fc.constantFrom<Sample['mode']>('cumulative', 'delta'),
      flows: fc.array(anyFlow, { maxLength: 6 }),
      closed: fc.array(anyFlow, { maxLength: 3 }),
      iface: fc.option(fc.record({ bytesIn: anyCounter, bytesOut: anyCounter }), { nil: null }),
      clock: clockStep,
    });
    fc.assert(
      fc.property(fc.array(anySample, { minLength: 1, maxLength: 12 }), (specs) => {
        const samples = withClocks(
          specs.map((s) => s.clock),
          (wallMs, monoMs, i): Sample => {
            const spec = specs[i];
            if (spec === undefined) throw new Error('index');
            return { wallMs, monoMs, mode: spec.mode, flows: spec.flows, closed: spec.closed, iface: spec.iface };
          },
        );
        for (const step of runAll(samples)) {
          for (const f of step.interval?.flows ?? []) {
            expect(Number.isFinite(f.bytesIn) && f.bytesIn >= 0).toBe(true);
            expect(Number.isFinite(f.bytesOut) && f.bytesOut >= 0).toBe(true);
            expect(f.bytesIn + f.bytesOut).toBeGreaterThan(0);
          }
          const iface = step.interval?.iface;
          if (iface !== undefined && iface !== null) {
            expect(iface.bytesIn).toBeGreaterThanOrEqual(0);
            expect(iface.bytesOut).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      RUNS,
    );
  });

  it('(b) monotone cumulative counters with fixed owners: the deltas of a flow sum to last − first (or last, when announced new)', () => {
    // Per flow: the sample index it is born at, and non-negative increments for every later sample.
    // `announced`: the sampler marks the flow newSincePrevious when it first lists it, so (after the
    // engine's first sample) its whole first value counts too.
    const flowPlan = fc.record({ born: fc.nat({ max: 5 }), announced: fc.boolean(), start: fc.nat({ max: 1_000_000 }), incIn: fc.array(fc.nat({ max: 50_000 }), { minLength: 12, maxLength: 12 }), incOut: fc.array(fc.nat({ max: 50_000 }), { minLength: 12, maxLength: 12 }) });
    fc.assert(
      fc.property(fc.array(flowPlan, { minLength: 1, maxLength: 4 }), fc.array(clockStep, { minLength: 2, maxLength: 12 }), (plans, clocks) => {
        const owners: ProcessInfo[] = plans.map((_, k) => ({ pid: 100 + k, name: `p${k}`, startTime: k }));
        // Counter values by flow and sample, computed directly from the plan.
        const values = plans.map((p) => {
          let vin = p.start;
          let vout = p.start;
          return clocks.map((_, i) => {
            if (i > p.born) {
              vin += p.incIn[i] ?? 0;
              vout += p.incOut[i] ?? 0;
            }
            return [vin, vout] as const;
          });
        });
        const samples = withClocks(clocks, (wallMs, monoMs, i): Sample => ({
          wallMs,
          monoMs,
          mode: 'cumulative',
          flows: plans.flatMap((p, k) => {
            const v = values[k]?.[i];
            if (i < p.born || v === undefined) return [];
            return [{ id: `f${k}`, owner: owners[k] ?? null, bytesIn: v[0], bytesOut: v[1], newSincePrevious: p.announced && i === p.born }];
          }),
          closed: [],
          iface: null,
        }));
        const steps = runAll(samples);
        plans.forEach((p, k) => {
          const series = values[k] ?? [];
          const seen = series[p.born];
          // Counted from zero when announced as new after the engine's first sample.
          const first = seen !== undefined && p.announced && p.born > 0 ? ([0, 0] as const) : seen;
          const last = series[series.length - 1];
          let sumIn = 0;
          let sumOut = 0;
          for (const s of steps) {
            for (const f of s.interval?.flows ?? []) {
              if (f.id === `f${k}`) {
                sumIn += f.bytesIn;
                sumOut += f.bytesOut;
              }
            }
          }
          // A flow born after the last sample has no first value and must have counted nothing.
          expect(sumIn).toBe(first === undefined || last === undefined ? 0 : last[0] - first[0]);
          expect(sumOut).toBe(first === undefined || last === undefined ? 0 : last[1] - first[1]);
        });
      }),
      RUNS,
    );
  });

  it('(c) intervals are ordered, non-overlapping, never longer than measured, and gaps sit between them', () => {
    fc.assert(
      fc.property(fc.array(clockStep, { minLength: 2, maxLength: 20 }), (clocks) => {
        const samples = withClocks(clocks, (wallMs, monoMs): Sample => ({ wallMs, monoMs, mode: 'cumulative', flows: [], closed: [], iface: null }));
        const steps = runAll(samples);
        let lastEnd = Number.NEGATIVE_INFINITY;
        let prevSample: Sample | undefined;
        steps.forEach((step, i) => {
          const s = samples[i];
          if (s === undefined) throw new Error('index');
          if (i > 0 && step.interval !== null && prevSample !== undefined) {
            const { startMs, endMs } = step.interval;
            expect(startMs).toBeLessThanOrEqual(endMs);
            expect(startMs).toBeGreaterThanOrEqual(lastEnd);
            if (step.gap !== null) {
              expect(step.gap.startMs).toBe(lastEnd);
              expect(step.gap.endMs).toBe(startMs);
              expect(step.gap.startMs).toBeLessThan(step.gap.endMs);
            } else {
              // Without a gap the timeline is contiguous.
              expect(startMs).toBe(lastEnd);
            }
            // Never one giant sample: no longer than what the monotonic clock measured, plus the tolerance
            // (or the wall clock's own elapsed time where the monotonic clock went back).
            const mono = s.monoMs - prevSample.monoMs;
            const measured = mono >= 0 ? mono : Math.max(0, s.wallMs - prevSample.wallMs);
            expect(endMs - startMs).toBeLessThanOrEqual(measured + OPTIONS.clockToleranceMs);
            lastEnd = endMs;
          } else {
            expect(step.interval).toBeNull();
            lastEnd = step.state.cursorMs;
          }
          prevSample = s;
        });
      }),
      RUNS,
    );
  });
});
