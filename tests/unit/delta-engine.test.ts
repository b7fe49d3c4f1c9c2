// Table-driven tests of the delta engine's rules. Every expected figure is worked out by hand from the
// counters in the table, never by calling the engine.
import { describe, expect, it } from 'vitest';
import { defaultDeltaOptions, initialDeltaState, stepDelta } from '../../src-main/engine/delta.js';
import type { DeltaOptions, DeltaStep } from '../../src-main/engine/delta.js';
import type { FlowCounter, InterfaceTotals, ProcessInfo, Sample } from '../../src-main/engine/types.js';

const OPTIONS: DeltaOptions = { clockToleranceMs: 1000, maxIntervalMs: 15_000 };
const T0 = 1_700_000_000_000;

const chrome: ProcessInfo = { pid: 100, name: 'Google Chrome H' };
const curl: ProcessInfo = { pid: 200, name: 'curl', startTime: 5000 };

function flow(id: string, bytesIn: number, bytesOut: number, owner: ProcessInfo | null = chrome): FlowCounter {
  return { id, owner, bytesIn, bytesOut };
}

interface SampleSpec {
  /** Seconds since T0 on both clocks, unless wall/mono given. */
  t?: number;
  wall?: number;
  mono?: number;
  mode?: Sample['mode'];
  flows?: FlowCounter[];
  closed?: FlowCounter[];
  iface?: InterfaceTotals | null;
}

function sample(spec: SampleSpec, index: number): Sample {
  const t = spec.t ?? index * 5;
  return {
    wallMs: spec.wall ?? T0 + t * 1000,
    monoMs: spec.mono ?? t * 1000,
    mode: spec.mode ?? 'cumulative',
    flows: spec.flows ?? [],
    closed: spec.closed ?? [],
    iface: spec.iface === undefined ? null : spec.iface,
  };
}

function run(specs: SampleSpec[], options: DeltaOptions = OPTIONS, notBeforeMs?: number): DeltaStep[] {
  let state = initialDeltaState(notBeforeMs);
  const steps: DeltaStep[] = [];
  specs.forEach((spec, i) => {
    const step = stepDelta(state, sample(spec, i), options);
    steps.push(step);
    state = step.state;
  });
  return steps;
}

/** The flows of each step's interval as id → [in, out]; null where there was no interval. */
function flowsOf(steps: DeltaStep[]): (Record<string, [number, number]> | null)[] {
  return steps.map((s) => (s.interval === null ? null : Object.fromEntries(s.interval.flows.map((f) => [f.id, [f.bytesIn, f.bytesOut]]))));
}

interface FlowCase {
  name: string;
  samples: SampleSpec[];
  expected: (Record<string, [number, number]> | null)[];
}

const flowCases: FlowCase[] = [
  {
    name: 'the first sample only sets baselines; the second counts the difference',
    samples: [{ flows: [flow('a', 1000, 200)] }, { flows: [flow('a', 1500, 260)] }],
    expected: [null, { a: [500, 60] }],
  },
  {
    name: 'a flow first seen later is a baseline, counted from its next sample',
    samples: [{ flows: [flow('a', 10, 10)] }, { flows: [flow('a', 10, 10), flow('b', 9000, 900)] }, { flows: [flow('a', 10, 10), flow('b', 9100, 950)] }],
    expected: [null, {}, { b: [100, 50] }],
  },
  {
    name: 'a counter that goes down gives 0 in that direction and becomes the new baseline',
    samples: [{ flows: [flow('a', 100, 100)] }, { flows: [flow('a', 40, 150)] }, { flows: [flow('a', 60, 160)] }],
    expected: [null, { a: [0, 50] }, { a: [20, 10] }],
  },
  {
    name: 'both counters dropping (process restarted under the same name.pid) gives nothing, then counts',
    samples: [{ flows: [flow('a', 5000, 5000)] }, { flows: [flow('a', 30, 20)] }, { flows: [flow('a', 80, 20)] }],
    expected: [null, {}, { a: [50, 0] }],
  },
  {
    name: 'a reused pid (same id, other start time) is a new process: baseline, not a delta',
    samples: [
      { flows: [flow('curl.200', 100, 10, curl)] },
      { flows: [flow('curl.200', 7000, 700, { ...curl, startTime: 9000 })] },
      { flows: [flow('curl.200', 7400, 800, { ...curl, startTime: 9000 })] },
    ],
    expected: [null, {}, { 'curl.200': [400, 100] }],
  },
  {
    name: 'a reused pid without start times is told apart by name',
    samples: [
      { flows: [flow('sock:1', 100, 10, { pid: 7, name: 'wget' })] },
      { flows: [flow('sock:1', 900, 90, { pid: 7, name: 'ssh' })] },
      { flows: [flow('sock:1', 950, 95, { pid: 7, name: 'ssh' })] },
    ],
    expected: [null, {}, { 'sock:1': [50, 5] }],
  },
  {
    name: 'same pid and start time under a new name (exec) is the same process',
    samples: [{ flows: [flow('sock:2', 100, 10, { pid: 8, name: 'bash', startTime: 1 })] }, { flows: [flow('sock:2', 300, 30, { pid: 8, name: 'curl', startTime: 1 })] }],
    expected: [null, { 'sock:2': [200, 20] }],
  },
  {
    name: 'an owner that becomes unknown (null) is not a new owner: counting goes on',
    samples: [{ flows: [flow('sock:3', 100, 10, curl)] }, { flows: [flow('sock:3', 150, 12, null)] }, { flows: [flow('sock:3', 170, 12, curl)] }],
    expected: [null, { 'sock:3': [50, 2] }, { 'sock:3': [20, 0] }],
  },
  {
    name: 'a flow that vanishes is dropped: nothing counted, and its return is a new baseline',
    samples: [{ flows: [flow('a', 100, 100), flow('b', 5, 5)] }, { flows: [flow('b', 6, 5)] }, { flows: [flow('a', 400, 400), flow('b', 6, 5)] }, { flows: [flow('a', 410, 400)] }],
    expected: [null, { b: [1, 0] }, {}, { a: [10, 0] }],
  },
  {
    name: 'a closed flow seen before counts final − last seen, once',
    samples: [{ flows: [flow('sock:4', 100, 10, curl)] }, { flows: [flow('sock:4', 150, 20, curl)] }, { closed: [flow('sock:4', 400, 25, curl)] }, {}],
    expected: [null, { 'sock:4': [50, 10] }, { 'sock:4': [250, 5] }, {}],
  },
  {
    name: 'a closed flow never seen was born after the previous sample: its whole final value counts',
    samples: [{ flows: [flow('a', 1, 1)] }, { flows: [flow('a', 1, 1)], closed: [flow('sock:5', 3000, 120, curl)] }],
    expected: [null, { 'sock:5': [3000, 120] }],
  },
  {
    name: 'closed flows on the very first sample are not counted (no interval yet)',
    samples: [{ closed: [flow('sock:6', 3000, 120, curl)] }, {}],
    expected: [null, {}],
  },
  {
    name: 'a closed flow also listed as live in the same sample counts once, from its final counters',
    samples: [{ flows: [flow('sock:7', 100, 10, curl)] }, { flows: [flow('sock:7', 180, 15, curl)], closed: [flow('sock:7', 200, 16, curl)] }],
    expected: [null, { 'sock:7': [100, 6] }],
  },
  {
    name: 'a closed flow reported again next sample only counts what exceeds its final',
    samples: [
      { flows: [flow('sock:8', 100, 10, curl)] },
      { closed: [flow('sock:8', 200, 20, curl)] },
      { closed: [flow('sock:8', 200, 20, curl)] },
      { flows: [flow('x', 1, 1)] },
    ],
    expected: [null, { 'sock:8': [100, 10] }, {}, {}],
  },
  {
    name: 'a closed flow listed live again next sample (cumulative) counts only beyond its final',
    samples: [{ flows: [flow('sock:9', 100, 10, curl)] }, { closed: [flow('sock:9', 200, 20, curl)] }, { flows: [flow('sock:9', 260, 20, curl)] }],
    expected: [null, { 'sock:9': [100, 10] }, { 'sock:9': [60, 0] }],
  },
  {
    name: 'duplicate closed records in one sample keep the larger final and count once',
    samples: [{ flows: [flow('sock:10', 100, 10, curl)] }, { closed: [flow('sock:10', 150, 30, curl), flow('sock:10', 170, 20, curl)] }],
    expected: [null, { 'sock:10': [70, 20] }],
  },
  {
    name: 'a closed flow under a reused pid counts final − last seen (never more than the new process moved)',
    samples: [{ flows: [flow('curl.200', 100, 10, curl)] }, { closed: [flow('curl.200', 350, 5, { ...curl, startTime: 9000 })] }],
    expected: [null, { 'curl.200': [250, 0] }],
  },
  {
    name: 'nettop -d: the cumulative first frame is a baseline, later frames are the bytes themselves',
    samples: [
      { mode: 'cumulative', flows: [flow('a', 50_000, 9000), flow('b', 10, 10)] },
      { mode: 'delta', flows: [flow('a', 300, 20), flow('b', 0, 0)] },
      { mode: 'delta', flows: [flow('a', 100, 0), flow('b', 7, 3), flow('c', 40, 4)] },
      // A new cumulative frame (nettop restarted) subtracts from the running totals: a = 50 400 / 9020 so far.
      { mode: 'cumulative', flows: [flow('a', 50_900, 9100), flow('b', 17, 13), flow('c', 40, 4)] },
    ],
    expected: [null, { a: [300, 20] }, { a: [100, 0], b: [7, 3], c: [40, 4] }, { a: [500, 80] }],
  },
  {
    name: 'a delta-mode very first sample is only a baseline',
    samples: [{ mode: 'delta', flows: [flow('a', 300, 20)] }, { mode: 'delta', flows: [flow('a', 5, 6)] }],
    expected: [null, { a: [5, 6] }],
  },
  {
    name: 'a delta-mode flow under a reused pid counts its values (they are its bytes since the last sample)',
    samples: [{ flows: [flow('curl.200', 100, 10, curl)] }, { mode: 'delta', flows: [flow('curl.200', 40, 4, { ...curl, startTime: 9000 })] }],
    expected: [null, { 'curl.200': [40, 4] }],
  },
  {
    name: 'a flow the sampler marks newSincePrevious (born since its last poll) counts whole',
    samples: [{ flows: [flow('a', 1, 1)] }, { flows: [flow('a', 1, 1), { ...flow('sock:11', 64_000, 900, curl), newSincePrevious: true }] }, { flows: [flow('sock:11', 64_500, 900, curl)] }],
    expected: [null, { 'sock:11': [64_000, 900] }, { 'sock:11': [500, 0] }],
  },
  {
    name: 'newSincePrevious on the very first sample is still only a baseline',
    samples: [{ flows: [{ ...flow('sock:12', 5000, 50, curl), newSincePrevious: true }] }, { flows: [flow('sock:12', 5100, 50, curl)] }],
    expected: [null, { 'sock:12': [100, 0] }],
  },
  {
    name: 'newSincePrevious on a flow already tracked under the same owner is ignored (no double count)',
    samples: [{ flows: [flow('sock:13', 100, 10, curl)] }, { flows: [{ ...flow('sock:13', 180, 10, curl), newSincePrevious: true }] }],
    expected: [null, { 'sock:13': [80, 0] }],
  },
  {
    name: 'newSincePrevious behind a known id with another owner counts whole (a new flow)',
    samples: [{ flows: [flow('curl.200', 100, 10, curl)] }, { flows: [{ ...flow('curl.200', 70, 7, { ...curl, startTime: 9000 }), newSincePrevious: true }] }],
    expected: [null, { 'curl.200': [70, 7] }],
  },
  {
    name: 'only flows that moved bytes are output',
    samples: [{ flows: [flow('a', 1, 1), flow('b', 2, 2)] }, { flows: [flow('a', 1, 1), flow('b', 2, 3)] }],
    expected: [null, { b: [0, 1] }],
  },
  {
    name: 'negative and non-finite counters are read as 0, never as negatives',
    samples: [{ flows: [flow('a', 100, 100)] }, { flows: [flow('a', Number.NaN, 130)] }, { flows: [flow('a', 20, -5)] }],
    expected: [null, { a: [0, 30] }, { a: [20, 0] }],
  },
  {
    name: 'an id listed twice in one sample: the first row wins',
    samples: [{ flows: [flow('a', 100, 100)] }, { flows: [flow('a', 150, 100), flow('a', 9999, 9999)] }],
    expected: [null, { a: [50, 0] }],
  },
];

describe('delta engine: flows', () => {
  it.each(flowCases)('$name', ({ samples, expected }) => {
    expect(flowsOf(run(samples))).toEqual(expected);
  });

  it('keeps the owner and remote end on each delta', () => {
    const remote = { protocol: 'tcp4' as const, address: '203.0.113.9', port: 443 };
    const steps = run([{ flows: [{ ...flow('s', 1, 1, curl), remote }] }, { flows: [flow('s', 5, 1, null)] }]);
    expect(steps[1]?.interval?.flows).toEqual([{ id: 's', owner: curl, remote, bytesIn: 4, bytesOut: 0 }]);
  });

  it('counts what it did in stats', () => {
    const steps = run([
      { flows: [flow('a', 100, 100), flow('gone', 1, 1), flow('curl.200', 1, 1, curl)] },
      {
        flows: [flow('a', 50, 120), flow('new', 1, 1), { ...flow('born', 3, 3), newSincePrevious: true }, flow('curl.200', 1, 1, { ...curl, startTime: 1 }), flow('s', 1, 1)],
        closed: [flow('s', 9, 9)],
      },
    ]);
    const stats = steps[1]?.stats;
    expect(stats).toMatchObject({ baselines: 2, newCounted: 1, ownerChanges: 1, counterDrops: 1, vanished: 1, closedSettled: 1, closedAlsoLive: 1, invalidValues: 0 });
    expect(steps[0]?.stats.baselines).toBe(3);
  });

  it('does not mutate the state it is given', () => {
    const first = run([{ flows: [flow('a', 100, 100)] }])[0];
    if (first === undefined) throw new Error('no step');
    const before = JSON.stringify([...first.state.flows]);
    stepDelta(first.state, sample({ flows: [flow('a', 300, 300), flow('b', 1, 1)] }, 1), OPTIONS);
    expect(JSON.stringify([...first.state.flows])).toBe(before);
  });
});

interface IfaceCase {
  name: string;
  ifaces: (InterfaceTotals | null)[];
  expected: (InterfaceTotals | null | 'no interval')[];
  resets?: boolean[];
}

const ifaceCases: IfaceCase[] = [
  {
    name: 'interface bytes are the difference of the counters',
    ifaces: [{ bytesIn: 1000, bytesOut: 500 }, { bytesIn: 4000, bytesOut: 800 }, { bytesIn: 4000, bytesOut: 800 }],
    expected: ['no interval', { bytesIn: 3000, bytesOut: 300 }, { bytesIn: 0, bytesOut: 0 }],
  },
  {
    name: 'counters that go down (an interface reset) leave that interval unknown, then count again',
    ifaces: [{ bytesIn: 1000, bytesOut: 500 }, { bytesIn: 200, bytesOut: 900 }, { bytesIn: 700, bytesOut: 950 }],
    expected: ['no interval', null, { bytesIn: 500, bytesOut: 50 }],
    resets: [false, true, false],
  },
  {
    name: 'an unreadable side (null) leaves the interval unknown',
    ifaces: [{ bytesIn: 1000, bytesOut: 500 }, null, { bytesIn: 2000, bytesOut: 600 }, { bytesIn: 2100, bytesOut: 700 }],
    expected: ['no interval', null, null, { bytesIn: 100, bytesOut: 100 }],
  },
];

describe('delta engine: interface counters', () => {
  it.each(ifaceCases)('$name', ({ ifaces, expected, resets }) => {
    const steps = run(ifaces.map((iface) => ({ iface })));
    expect(steps.map((s) => (s.interval === null ? 'no interval' : s.interval.iface))).toEqual(expected);
    if (resets !== undefined) expect(steps.map((s) => s.stats.ifaceReset)).toEqual(resets);
  });
});

interface TimeCase {
  name: string;
  /** [wall seconds since T0, mono seconds] per sample. */
  clocks: [number, number][];
  /** [start, end] in seconds since T0 per interval after the first sample. */
  intervals: [number, number][];
  /** Gap per interval after the first sample, [start, end] in seconds since T0, or null. */
  gaps: ([number, number] | null)[];
  stalled?: boolean[];
  clampedS?: number[];
  options?: DeltaOptions;
}

const timeCases: TimeCase[] = [
  {
    name: 'clocks that agree give contiguous intervals',
    clocks: [[0, 0], [5, 5], [10, 10]],
    intervals: [[0, 5], [5, 10]],
    gaps: [null, null],
  },
  {
    name: 'drift within tolerance keeps intervals contiguous, with no gap',
    clocks: [[0, 0], [5.8, 5], [10.8, 10]],
    intervals: [[0, 5.8], [5.8, 10.8]],
    gaps: [null, null],
  },
  {
    name: 'sleep: an hour of wall time over 5 s of monotonic time is a gap, then a 5 s interval',
    clocks: [[0, 0], [5, 5], [3610, 10], [3615, 15]],
    intervals: [[0, 5], [3605, 3610], [3610, 3615]],
    gaps: [null, [5, 3605], null],
  },
  {
    name: 'a forward clock jump of 2 minutes is a gap too',
    clocks: [[0, 0], [125, 5]],
    intervals: [[120, 125]],
    gaps: [[0, 120]],
  },
  {
    name: 'a small backward jump shortens one interval and keeps the order',
    clocks: [[0, 0], [5, 5], [7, 10], [12, 15]],
    intervals: [[0, 5], [5, 7], [7, 12]],
    gaps: [null, null, null],
    clampedS: [0, 0, 0],
  },
  {
    name: 'a large backward jump clamps to the last end until the wall clock catches up',
    clocks: [[0, 0], [5, 5], [-10, 10], [-5, 15], [0, 20], [5, 25], [10, 30]],
    intervals: [[0, 5], [5, 5], [5, 5], [5, 5], [5, 5], [5, 10]],
    gaps: [null, null, null, null, null, null],
    clampedS: [0, 15, 10, 5, 0, 0],
  },
  {
    name: 'a backward jump then a sleep: the gap starts at the clamped end, never before it',
    clocks: [[0, 0], [5, 5], [-10, 10], [600, 15]],
    intervals: [[0, 5], [5, 5], [595, 600]],
    gaps: [null, null, [5, 595]],
  },
  {
    name: 'a stall (monotonic elapsed above the maximum) keeps its true length, flagged, bytes in it',
    clocks: [[0, 0], [5, 5], [65, 65], [70, 70]],
    intervals: [[0, 5], [5, 65], [65, 70]],
    gaps: [null, null, null],
    stalled: [false, true, false],
  },
  {
    name: 'a stall and a sleep together: gap for the missing wall time, the stalled span kept',
    clocks: [[0, 0], [1000, 60]],
    intervals: [[940, 1000]],
    gaps: [[0, 940]],
    stalled: [true],
  },
  {
    name: 'a monotonic clock that goes back is not trusted: wall elapsed is used',
    clocks: [[0, 100], [5, 50]],
    intervals: [[0, 5]],
    gaps: [null],
  },
  {
    name: 'default options for a 5 s sampler: tolerance 1 s, stall above 15 s',
    clocks: [[0, 0], [20, 20], [22, 21]],
    intervals: [[0, 20], [20, 22]],
    gaps: [null, null],
    stalled: [true, false],
    options: defaultDeltaOptions(5000),
  },
];

describe('delta engine: time', () => {
  it.each(timeCases)('$name', ({ clocks, intervals, gaps, stalled, clampedS, options }) => {
    const steps = run(
      clocks.map(([wall, mono]) => ({ wall: T0 + wall * 1000, mono: mono * 1000, flows: [flow('a', 0, 0)] })),
      options ?? OPTIONS,
    );
    expect(steps[0]?.interval).toBeNull();
    expect(steps[0]?.gap).toBeNull();
    const rest = steps.slice(1);
    const seconds = (ms: number): number => (ms - T0) / 1000;
    expect(rest.map((s) => (s.interval === null ? null : [seconds(s.interval.startMs), seconds(s.interval.endMs)]))).toEqual(intervals);
    expect(rest.map((s) => (s.gap === null ? null : [seconds(s.gap.startMs), seconds(s.gap.endMs)]))).toEqual(gaps);
    for (const s of rest) if (s.gap !== null) expect(s.gap.reason).toBe('sleep-or-clock-jump');
    if (stalled !== undefined) expect(rest.map((s) => s.stats.stalled)).toEqual(stalled);
    if (clampedS !== undefined) expect(rest.map((s) => s.stats.clampedMs / 1000)).toEqual(clampedS);
  });

  it('keeps the bytes of the interval that follows a sleep', () => {
    const steps = run([
      { wall: T0, mono: 0, flows: [flow('a', 100, 10)] },
      { wall: T0 + 3_600_000, mono: 5000, flows: [flow('a', 900, 90)] },
    ]);
    expect(steps[1]?.interval).toMatchObject({ startMs: T0 + 3_595_000, endMs: T0 + 3_600_000, flows: [{ id: 'a', bytesIn: 800, bytesOut: 80 }] });
    expect(steps[1]?.gap).toEqual({ startMs: T0, endMs: T0 + 3_595_000, reason: 'sleep-or-clock-jump' });
  });

  it('a restarted engine never records before notBeforeMs (the last end already stored)', () => {
    const notBefore = T0 + 60_000;
    const steps = run([{ wall: T0, mono: 0 }, { wall: T0 + 5000, mono: 5000 }, { wall: T0 + 65_000, mono: 10_000 }], OPTIONS, notBefore);
    expect(steps[1]?.interval).toMatchObject({ startMs: notBefore, endMs: notBefore });
    expect(steps[2]?.interval).toMatchObject({ startMs: T0 + 60_000, endMs: T0 + 65_000 });
    // Wall moved 60 s over 5 s of monotonic time: 55 s were missing, but all of them lie before the
    // clamped end already recorded, so no gap is needed.
    expect(steps[2]?.gap).toBeNull();
  });
});
