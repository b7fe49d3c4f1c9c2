// Resuming the delta engine from stored baselines (see baselines.ts), decided at start.
//
// - Same boot: the stored baselines seed the engine as if the previous run's last sample had been this
//   run's. The first sample then counts counter − baseline: the interface exactly (its counters ran on
//   while netmon was down), each flow still open under the same owner too; flows opened and closed
//   while netmon was down show only in the interface counters, hence as unattributed. The downtime is
//   recorded as a gap ('netmon-stopped'): the bytes are there, the per-interval detail is not.
// - Under the eBPF sampler a new capture helper counts each socket from the moment it attached, not
//   from the socket's start: each stored flow is moved into the new helper's terms with the kernel's own
//   counters read by `ss` (what moved while down = ss now − stored, kept as a negative baseline, so the
//   helper's first value adds to it). A flow ss does not list (closed, or UDP) is dropped: its bytes are
//   in the interface counters. A short window between the ss poll and the helper's attach is not seen
//   per socket (it is in the interface counters).
// - Another boot (or no boot id, or a sampler of another kind such as nettop after ss): a fresh
//   baseline, as on a first start; flows are not carried between sampler kinds whose counters differ.
import { initialDeltaState, type DeltaState, type FlowBaseline } from '../delta.js';
import type { Gap, InterfaceTotals } from '../types.js';
import type { StoredBaselines } from './baselines.js';

/** Samplers whose flows are Linux sockets keyed by cookie (`sk:COOKIE`). */
const SOCKET_SAMPLERS = new Set(['linux', 'ebpf']);

/** What resuming decided. */
export interface ResumePlan {
  state: DeltaState;
  /** The downtime to record, or null. */
  gap: Gap | null;
  outcome: 'resumed' | 'first-start' | 'other-boot' | 'no-boot-id';
  /** Flows carried over from the previous run. */
  flows: number;
  /** Seconds netmon was down (0 when not resumed). */
  downS: number;
}

export interface ResumeInput {
  stored: StoredBaselines | null;
  bootId: string | null;
  sampler: string;
  /** Nothing is ever recorded before this (the store's last interval end, epoch ms). */
  notBeforeMs: number;
  nowMs: number;
  /** For the eBPF sampler: the kernel's counters of the open TCP sockets now (see ss-counters.ts); null when unknown. */
  socketCounters?: ReadonlyMap<string, InterfaceTotals> | null;
}

function carriedFlows(input: ResumeInput, stored: StoredBaselines): Map<string, FlowBaseline> {
  const flows = new Map<string, FlowBaseline>();
  const sameKind = stored.sampler === input.sampler || (SOCKET_SAMPLERS.has(stored.sampler) && SOCKET_SAMPLERS.has(input.sampler));
  if (!sameKind) return flows;
  if (input.sampler !== 'ebpf') return new Map(stored.flows);
  const kernel = input.socketCounters;
  if (kernel === null || kernel === undefined) return flows;
  for (const [id, base] of stored.flows) {
    const now = kernel.get(id);
    if (now === undefined) continue;
    // The helper's first value v then counts v + (now − stored).
    flows.set(id, { ...base, bytesIn: -Math.max(0, now.bytesIn - base.bytesIn), bytesOut: -Math.max(0, now.bytesOut - base.bytesOut) });
  }
  return flows;
}

/** Decides how the engine starts: from the stored baselines (same boot) or afresh. */
export function planResume(input: ResumeInput): ResumePlan {
  const fresh = (outcome: ResumePlan['outcome']): ResumePlan => ({ state: initialDeltaState(input.notBeforeMs), gap: null, outcome, flows: 0, downS: 0 });
  const stored = input.stored;
  if (stored === null) return fresh('first-start');
  if (input.bootId === null) return fresh('no-boot-id');
  if (stored.bootId !== input.bootId) return fresh('other-boot');
  const flows = carriedFlows(input, stored);
  const cursorMs = Math.max(input.notBeforeMs, stored.cursorMs);
  const state: DeltaState = {
    started: true,
    flows,
    closedRecently: new Map(),
    iface: stored.iface,
    lastWallMs: stored.wallMs,
    // Another process's monotonic clock: unknown. The first interval takes the wall clock's length.
    lastMonoMs: Number.NaN,
    cursorMs,
  };
  const gap: Gap | null = input.nowMs > cursorMs ? { startMs: cursorMs, endMs: input.nowMs, reason: 'netmon-stopped' } : null;
  return { state, gap, outcome: 'resumed', flows: flows.size, downS: Math.max(0, Math.round((input.nowMs - stored.wallMs) / 1000)) };
}
