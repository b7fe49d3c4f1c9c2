// The delta engine: a pure function from (state, sample) to (state, the bytes of the interval that just
// ended). Samplers report counters as the OS keeps them; this is where they become honest, non-negative
// per-interval bytes placed on a wall-clock timeline that only moves forward.
//
// Rules, and why:
// - A flow seen for the first time is a baseline: its counters hold bytes from before we were looking,
//   and we cannot tell when they moved. Exceptions (after the very first sample): in a `delta` sample
//   the values already are the bytes since the previous sample, and a flow the sampler marks
//   `newSincePrevious` (a socket born since its previous poll) holds only new bytes; both count whole.
//   The mark is ignored on a flow the engine already tracks under the same owner (its own baseline is
//   more precise, and counting whole would count twice).
// - The state keeps a running cumulative counter per flow even in `delta` mode (it adds the deltas), so
//   that a later `cumulative` sample (nettop restarted, or the first frame of a new `-d` stream)
//   subtracts from the right base instead of counting everything again.
// - A counter that goes down is not a negative. nettop's per-process counters drop when sockets close,
//   and a reused id restarts from zero: either way bytes moved that we can no longer see. We never
//   invent them: that direction's delta is 0 and the current value becomes the new baseline. The
//   interface counters still saw those bytes, so attribution stores them as unattributed.
// - A flow id seen with a different owner (pid + start time, or pid + name where no start time is
//   known) is a new flow: a reused pid is a new process, so its counters are a new baseline. An owner
//   that is unknown (null) on one side is not "different": a socket whose process we could not resolve
//   keeps its counters, and keeps the last owner we did know.
// - Flows that vanish are dropped from the state: no negative, no delta. Flows in `sample.closed` are
//   settled with their final counters (final − last seen, or the whole final value when the flow was
//   born after the previous sample) and counted once: a closed id also listed in `flows` is skipped
//   there, and for one more sample the id is remembered with its final counters, so a late duplicate
//   (in `flows` or `closed`) only counts what exceeds them. A closed flow whose owner changed still
//   counts final − last seen: exact when a socket changed hands, and never more than a reused pid's new
//   process really moved (it was born after the previous sample). Nothing counts on the first sample.
//
// Time. Durations come from the monotonic clock, labels from the wall clock. The recorded timeline is a
// cursor (the previous interval's end) that never moves back:
// - Clocks agree (|wall elapsed − mono elapsed| ≤ tolerance): the interval is [cursor, wall now], so
//   consecutive intervals are contiguous.
// - Wall moved more than mono (sleep — Linux's monotonic clock stops while the machine sleeps, and the app
//   takes a macOS sleep out of the state at the wake, engine/sleep.ts — or a forward
//   clock jump): the interval gets its real, monotonic length at the end, [now − mono elapsed, now], and
//   the rest is a Gap ('sleep-or-clock-jump'). Bytes are kept, and not smeared over hours of sleep.
// - Wall moved back (a backward clock jump): labels are clamped to the cursor. Until the wall clock
//   catches up, intervals are stamped at the cursor with zero length; the bytes are kept and the order
//   holds, only the rate for that stretch is unknown. `stats.clampedMs` says by how much.
// - Mono elapsed above `maxIntervalMs` (our process was stopped, App Nap throttled the timer, the
//   sampler stalled): the interval is recorded with its true length and flagged (`stats.stalled`), not
//   turned into a gap plus a short interval. The counters kept counting the whole time and the machine
//   was awake, so "these bytes, somewhere in this span" is the honest statement; squeezing them into the
//   last nominal slot would claim a rate spike and a measurement hole that never happened.
import type { FlowDelta, Gap, InterfaceTotals, Interval, ProcessInfo, RemoteEndpoint, Sample } from './types.js';

/** How the delta engine reads the clocks. */
export interface DeltaOptions {
  /** Largest disagreement (ms) between wall and monotonic elapsed time still taken as the same interval. */
  clockToleranceMs: number;
  /** Monotonic elapsed time (ms) above which an interval is flagged as a stall (e.g. 3 × nominal). */
  maxIntervalMs: number;
}

/** Options for a sampler that runs every `nominalIntervalMs`: 1 s of clock tolerance, stall above 3 × nominal. */
export function defaultDeltaOptions(nominalIntervalMs: number): DeltaOptions {
  return { clockToleranceMs: Math.max(1000, nominalIntervalMs / 5), maxIntervalMs: 3 * nominalIntervalMs };
}

/** What the engine remembers of one live flow: its running cumulative counters and owner. */
export interface FlowBaseline {
  owner: ProcessInfo | null;
  remote: RemoteEndpoint | undefined;
  bytesIn: number;
  bytesOut: number;
}

/** The delta engine's memory between samples. Treat as opaque and immutable. */
export interface DeltaState {
  /** False until the first sample has set the baselines. */
  readonly started: boolean;
  readonly flows: ReadonlyMap<string, FlowBaseline>;
  /** Flows settled by `closed` in the previous sample, with their final counters. */
  readonly closedRecently: ReadonlyMap<string, FlowBaseline>;
  readonly iface: InterfaceTotals | null;
  /** Raw clocks of the previous sample. */
  readonly lastWallMs: number;
  readonly lastMonoMs: number;
  /** End of the last recorded interval (wall ms): nothing is ever recorded before it. */
  readonly cursorMs: number;
}

/** Counts and flags about one step, for logs and the sampler's health. */
export interface DeltaStats {
  /** Flows taken as a new baseline (first sight, or a new owner behind a known id). */
  baselines: number;
  /** New flows counted whole because the sampler marked them `newSincePrevious`. */
  newCounted: number;
  /** Flows whose id now belongs to a different process (reused pid). */
  ownerChanges: number;
  /** Counter directions that went down and were re-based (delta 0). */
  counterDrops: number;
  /** Flows that disappeared without a close record (dropped from state). */
  vanished: number;
  /** Closed flows whose final counters were settled. */
  closedSettled: number;
  /** Closed flows also listed among live flows in the same sample (counted once). */
  closedAlsoLive: number;
  /** Counter values that were negative or not finite, read as 0. */
  invalidValues: number;
  /** The interface counters went down (reset): this interval's iface is null. */
  ifaceReset: boolean;
  /** Elapsed times since the previous sample (ms); 0 on the first sample. */
  monoElapsedMs: number;
  wallElapsedMs: number;
  /** Mono elapsed exceeded `maxIntervalMs`. */
  stalled: boolean;
  /** How far the wall clock was behind the cursor (ms) and had to be clamped; 0 normally. */
  clampedMs: number;
  /** The monotonic clock went backwards or was not a number: wall elapsed was used instead. */
  monoInvalid: boolean;
}

/** The outcome of one sample: the next state, the interval that ended (null on the first sample), a gap before it. */
export interface DeltaStep {
  state: DeltaState;
  interval: Interval | null;
  gap: Gap | null;
  stats: DeltaStats;
}

/** An empty state. `notBeforeMs` (e.g. the store's last interval end) keeps a restarted engine from recording earlier times. */
export function initialDeltaState(notBeforeMs = Number.NEGATIVE_INFINITY): DeltaState {
  return {
    started: false,
    flows: new Map(),
    closedRecently: new Map(),
    iface: null,
    lastWallMs: Number.NaN,
    lastMonoMs: Number.NaN,
    cursorMs: notBeforeMs,
  };
}

/** Two owners are the same process unless both are known and differ (pid, then start time or name). */
export function sameOwner(a: ProcessInfo | null, b: ProcessInfo | null): boolean {
  if (a === null || b === null) return true;
  if (a.pid !== b.pid) return false;
  // A start time settles it (a process that exec()s changes its name, not its start time).
  if (a.startTime !== undefined && b.startTime !== undefined) return a.startTime === b.startTime;
  return a.name === b.name;
}

interface Counters {
  bytesIn: number;
  bytesOut: number;
}

/** Mutable tallies of one step (kept local to `stepDelta`). */
interface Tally {
  invalidValues: number;
  counterDrops: number;
}

function clean(value: number, tally: Tally): number {
  if (Number.isFinite(value) && value >= 0) return value;
  tally.invalidValues += 1;
  return 0;
}

function readCounters(c: Counters, tally: Tally): Counters {
  return { bytesIn: clean(c.bytesIn, tally), bytesOut: clean(c.bytesOut, tally) };
}

/** current − previous per direction; a direction that went down gives 0 (the caller re-bases on current). */
function diff(current: Counters, previous: Counters, tally: Tally): Counters {
  const dIn = current.bytesIn - previous.bytesIn;
  const dOut = current.bytesOut - previous.bytesOut;
  if (dIn < 0) tally.counterDrops += 1;
  if (dOut < 0) tally.counterDrops += 1;
  return { bytesIn: Math.max(0, dIn), bytesOut: Math.max(0, dOut) };
}

/** Consumes one sample: returns the next state and the bytes of the interval that ended with it. */
export function stepDelta(state: DeltaState, sample: Sample, options: DeltaOptions): DeltaStep {
  const tally: Tally = { invalidValues: 0, counterDrops: 0 };
  const counting = state.started;
  const flows = new Map<string, FlowBaseline>();
  const closedNow = new Map<string, FlowBaseline>();
  const out: FlowDelta[] = [];
  let baselines = 0;
  let newCounted = 0;
  let ownerChanges = 0;
  let closedSettled = 0;
  let closedAlsoLive = 0;

  const emit = (id: string, base: FlowBaseline, d: Counters): void => {
    if (!counting || (d.bytesIn === 0 && d.bytesOut === 0)) return;
    const delta: FlowDelta = { id, owner: base.owner, bytesIn: d.bytesIn, bytesOut: d.bytesOut };
    if (base.remote !== undefined) delta.remote = base.remote;
    out.push(delta);
  };

  // Closed flows first, so a closed id also listed as live is known and skipped below. Duplicates in
  // `closed` keep the larger final counters (finals only grow).
  const finals = new Map<string, { owner: ProcessInfo | null; remote: RemoteEndpoint | undefined; c: Counters }>();
  for (const f of sample.closed) {
    const c = readCounters(f, tally);
    const seen = finals.get(f.id);
    if (seen === undefined) {
      finals.set(f.id, { owner: f.owner, remote: f.remote, c });
    } else {
      seen.c = { bytesIn: Math.max(seen.c.bytesIn, c.bytesIn), bytesOut: Math.max(seen.c.bytesOut, c.bytesOut) };
      seen.owner = f.owner ?? seen.owner;
      seen.remote = f.remote ?? seen.remote;
    }
  }
  for (const [id, fin] of finals) {
    const prev = state.flows.get(id) ?? state.closedRecently.get(id);
    // Never seen: the flow was born after the previous sample, so its whole final value is this
    // interval's. Seen: final − last seen. Seen under another owner: still final − last seen, which
    // is exact when the socket changed hands and, when the pid was reused (the new process was born
    // after the previous sample), never more than the new process really moved.
    if (prev !== undefined && !sameOwner(prev.owner, fin.owner)) ownerChanges += 1;
    const d = prev === undefined ? fin.c : diff(fin.c, prev, tally);
    const base: FlowBaseline = { owner: fin.owner ?? prev?.owner ?? null, remote: fin.remote ?? prev?.remote, ...fin.c };
    emit(id, base, d);
    closedNow.set(id, base);
    closedSettled += 1;
  }

  const liveIds = new Set<string>();
  for (const f of sample.flows) {
    if (finals.has(f.id)) {
      closedAlsoLive += 1;
      continue;
    }
    if (liveIds.has(f.id)) continue; // a sampler listing one id twice: the first row wins
    liveIds.add(f.id);
    const c = readCounters(f, tally);
    const prevLive = state.flows.get(f.id);
    const prevClosed = prevLive === undefined ? state.closedRecently.get(f.id) : undefined;
    const prev = prevLive ?? prevClosed;

    if (prev === undefined || !sameOwner(prev.owner, f.owner)) {
      if (prev !== undefined) ownerChanges += 1;
      const base: FlowBaseline = { owner: f.owner, remote: f.remote, ...c };
      if (counting && sample.mode === 'delta') {
        emit(f.id, base, c);
      } else if (counting && f.newSincePrevious === true) {
        emit(f.id, base, c);
        newCounted += 1;
      } else {
        baselines += 1;
      }
      flows.set(f.id, base);
      continue;
    }

    const owner = f.owner ?? prev.owner;
    const remote = f.remote ?? prev.remote;
    let d: Counters;
    let base: FlowBaseline;
    if (prevClosed !== undefined) {
      // Settled by its final counters last sample, yet listed again. Cumulative values count only
      // beyond the final; delta values would be the same bytes again, so they do not count.
      d = sample.mode === 'delta' ? { bytesIn: 0, bytesOut: 0 } : diff(c, prevClosed, tally);
      base = sample.mode === 'delta' ? { owner, remote, bytesIn: prevClosed.bytesIn + c.bytesIn, bytesOut: prevClosed.bytesOut + c.bytesOut } : { owner, remote, ...c };
    } else if (sample.mode === 'delta') {
      d = c;
      base = { owner, remote, bytesIn: prev.bytesIn + c.bytesIn, bytesOut: prev.bytesOut + c.bytesOut };
    } else {
      d = diff(c, prev, tally);
      // Whether or not a direction dropped, the current value is the base from now on.
      base = { owner, remote, ...c };
    }
    emit(f.id, base, d);
    flows.set(f.id, base);
  }

  let vanished = 0;
  for (const id of state.flows.keys()) {
    if (!liveIds.has(id) && !finals.has(id)) vanished += 1;
  }

  // Interface counters: a reset (a counter went down) leaves this interval's iface unknown.
  const ifaceNow = sample.iface === null ? null : readCounters(sample.iface, tally);
  let iface: InterfaceTotals | null = null;
  let ifaceReset = false;
  if (counting && ifaceNow !== null && state.iface !== null) {
    const dIn = ifaceNow.bytesIn - state.iface.bytesIn;
    const dOut = ifaceNow.bytesOut - state.iface.bytesOut;
    if (dIn < 0 || dOut < 0) ifaceReset = true;
    else iface = { bytesIn: dIn, bytesOut: dOut };
  }

  const timing = placeInterval(state, sample, options);

  const next: DeltaState = {
    started: true,
    flows,
    closedRecently: closedNow,
    iface: ifaceNow,
    lastWallMs: sample.wallMs,
    lastMonoMs: sample.monoMs,
    cursorMs: timing.endMs,
  };

  const interval: Interval | null = counting ? { startMs: timing.startMs, endMs: timing.endMs, flows: out, iface } : null;

  return {
    state: next,
    interval,
    gap: counting ? timing.gap : null,
    stats: {
      baselines,
      newCounted,
      ownerChanges,
      counterDrops: tally.counterDrops,
      vanished,
      closedSettled,
      closedAlsoLive,
      invalidValues: tally.invalidValues,
      ifaceReset,
      monoElapsedMs: timing.monoElapsedMs,
      wallElapsedMs: timing.wallElapsedMs,
      stalled: timing.stalled,
      clampedMs: timing.clampedMs,
      monoInvalid: timing.monoInvalid,
    },
  };
}

interface Timing {
  startMs: number;
  endMs: number;
  gap: Gap | null;
  monoElapsedMs: number;
  wallElapsedMs: number;
  stalled: boolean;
  clampedMs: number;
  monoInvalid: boolean;
}

/** Places the interval ending at `sample` on the recorded timeline (see the header comment). */
function placeInterval(state: DeltaState, sample: Sample, options: DeltaOptions): Timing {
  const cursor = state.cursorMs;
  const wall = sample.wallMs;
  const endMs = Math.max(wall, cursor);
  const clampedMs = Math.max(0, cursor - wall);
  if (!state.started) {
    return { startMs: endMs, endMs, gap: null, monoElapsedMs: 0, wallElapsedMs: 0, stalled: false, clampedMs, monoInvalid: false };
  }
  const wallElapsedMs = wall - state.lastWallMs;
  const rawMono = sample.monoMs - state.lastMonoMs;
  // Within one process the monotonic clock cannot go back; if a sampler ever hands us one that did,
  // the wall clock is the only measure left.
  const monoInvalid = !(Number.isFinite(rawMono) && rawMono >= 0);
  const monoElapsedMs = monoInvalid ? Math.max(0, wallElapsedMs) : rawMono;
  const stalled = monoElapsedMs > options.maxIntervalMs;

  let startMs = cursor;
  let gap: Gap | null = null;
  if (wallElapsedMs - monoElapsedMs > options.clockToleranceMs) {
    startMs = Math.max(cursor, endMs - monoElapsedMs);
    if (startMs > cursor) gap = { startMs: cursor, endMs: startMs, reason: 'sleep-or-clock-jump' };
  }
  return { startMs, endMs, gap, monoElapsedMs, wallElapsedMs, stalled, clampedMs, monoInvalid };
}
