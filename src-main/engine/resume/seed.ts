// Resuming the delta engine from stored baselines (see baselines.ts), decided at start.
//
// - Same boot: the stored baselines seed the engine as if the previous run's last sample had been this
//   run's. The first sample then counts counter − baseline: the interface exactly (its counters ran on
//   while netmon was down), each flow still open under the same owner too; flows opened and closed
//   while netmon was down show only in the interface counters, hence as unattributed. The downtime is
//   recorded as a gap ('netmon-stopped'): the bytes are there, the per-interval detail is not. A flow
//   the baselines lack was born after the last flush: it counts whole (`firstResumedSample`).
// - Under the eBPF sampler a new capture helper counts each socket from the moment it attached, not
//   from the socket's start: each stored flow is moved into the new helper's terms with the kernel's own
//   counters read by `ss` (what moved while down = ss now − stored, kept as a negative baseline, so the
//   helper's first value adds to it). A flow ss does not list (closed, or UDP) is dropped: its bytes are
//   in the interface counters. A short window between the ss poll and the helper's attach is not seen
//   per socket (it is in the interface counters). The new helper lists a socket only from its first
//   packet, so the carried sockets go to the sampler too (`ResumePlan.sockets`, `Sampler.resumeSockets`):
//   it lists each from its first sample with zero counters, which counts the downtime's share at once
//   for its owner, as under the ss sampler (a socket left out would be dropped from the engine's state
//   and its share lost to the unattributed remainder).
// - Another boot (or no boot id, or a sampler of another kind such as nettop after ss): a fresh
//   baseline, as on a first start; flows are not carried between sampler kinds whose counters differ.
import { initialDeltaState, sameOwner, type DeltaState, type FlowBaseline } from '../delta.js';
import type { FlowCounter, Gap, InterfaceTotals, ResumedSocket, Sample } from '../types.js';
import type { StoredBaselines } from './baselines.js';
import type { SocketCounters } from './ss-counters.js';

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
  /** Carried eBPF sockets, for the sampler to list from its first sample (`Sampler.resumeSockets`). */
  sockets: ResumedSocket[];
}

export interface ResumeInput {
  stored: StoredBaselines | null;
  bootId: string | null;
  sampler: string;
  /** Nothing is ever recorded before this (the store's last interval end, epoch ms). */
  notBeforeMs: number;
  nowMs: number;
  /** For the eBPF sampler: the kernel's counters of the open TCP sockets now (see ss-counters.ts); null when unknown. */
  socketCounters?: ReadonlyMap<string, SocketCounters> | null;
  /** For the eBPF sampler: the interface totals now, which bound what sockets unknown to the baselines may add. */
  ifaceNow?: InterfaceTotals | null;
}

function carriedFlows(input: ResumeInput, stored: StoredBaselines): Map<string, FlowBaseline> {
  const flows = new Map<string, FlowBaseline>();
  const sameKind = stored.sampler === input.sampler || (SOCKET_SAMPLERS.has(stored.sampler) && SOCKET_SAMPLERS.has(input.sampler));
  if (!sameKind) return flows;
  if (input.sampler !== 'ebpf') return new Map(stored.flows);
  const kernel = input.socketCounters;
  if (kernel === null || kernel === undefined) return flows;
  // What the interface moved since the baselines: no socket's share can exceed it.
  const now = input.ifaceNow;
  let budget = now === null || now === undefined || stored.iface === null ? 0 : Math.max(0, now.bytesIn - stored.iface.bytesIn) + Math.max(0, now.bytesOut - stored.iface.bytesOut);
  for (const [id, base] of stored.flows) {
    const k = kernel.get(id);
    if (k === undefined) continue;
    // The helper's first value v then counts v + (now − stored). Exact for a socket born under the
    // previous helper (its counters and the kernel's then agree); one older than that helper holds bytes
    // from before it too, so a share the interface cannot hold is not counted (its counters are a baseline).
    const dIn = Math.max(0, k.bytesIn - base.bytesIn);
    const dOut = Math.max(0, k.bytesOut - base.bytesOut);
    if (dIn + dOut > budget) {
      flows.set(id, { ...base, bytesIn: 0, bytesOut: 0 });
      continue;
    }
    flows.set(id, { ...base, bytesIn: -dIn, bytesOut: -dOut });
    budget -= dIn + dOut;
  }
  // A socket the baselines lack: born after the last flush (then all its bytes are uncounted), or one the
  // previous helper never saw move (then its counters hold bytes from before netmon). Counted whole only
  // while the interface's bytes since the baselines can hold it; otherwise its counters are a baseline.
  for (const [id, k] of kernel) {
    if (flows.has(id) || stored.flows.has(id)) continue;
    const whole = k.bytesIn + k.bytesOut;
    if (whole > budget) continue;
    budget -= whole;
    flows.set(id, { owner: null, remote: undefined, bytesIn: -k.bytesIn, bytesOut: -k.bytesOut });
  }
  return flows;
}

/** Decides how the engine starts: from the stored baselines (same boot) or afresh. */
export function planResume(input: ResumeInput): ResumePlan {
  const fresh = (outcome: ResumePlan['outcome']): ResumePlan => ({ state: initialDeltaState(input.notBeforeMs), gap: null, outcome, flows: 0, downS: 0, sockets: [] });
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
  return { state, gap, outcome: 'resumed', flows: flows.size, downS: Math.max(0, Math.round((input.nowMs - stored.wallMs) / 1000)), sockets: input.sampler === 'ebpf' ? resumedSockets(flows, input.socketCounters) : [] };
}

/** The carried sockets as the sampler needs them: ss's remote for each, the stored owner if any. */
function resumedSockets(flows: ReadonlyMap<string, FlowBaseline>, kernel: ReadonlyMap<string, SocketCounters> | null | undefined): ResumedSocket[] {
  const out: ResumedSocket[] = [];
  for (const [id, base] of flows) {
    const remote = kernel?.get(id)?.remote;
    if (remote === undefined || !id.startsWith('sk:')) continue;
    out.push({ id, cookie: id.slice(3), family: remote.family, remote: { protocol: `tcp${remote.family}`, address: remote.address, port: remote.port }, uid: remote.uid, owner: base.owner });
  }
  return out;
}

/**
 * The first sample of a resumed run, with every flow the stored baselines do not know marked
 * `newSincePrevious`: the baselines held every flow alive at the last flush, so a flow they lack was
 * born after it, and all its bytes are uncounted (a fresh start would take them as a baseline and lose
 * them to the unattributed remainder). Except a process's remainder (`FlowCounter.remainder`) whose
 * process the baselines know: a baseline. The same holds for a process's flow (nettop's `name.pid`) whose
 * stored owner was another process (another start time): the pid was reused after the last flush. A
 * socket (`sk:COOKIE`) that changed hands is still the same socket: its stored counters stay its baseline.
 * Other samples, and fresh starts, pass unchanged.
 */
export function firstResumedSample(sample: Sample, plan: ResumePlan): Sample {
  if (plan.outcome !== 'resumed') return sample;
  const known = plan.state.flows;
  // A process's remainder (nettop per connection) is not continuous with the stored one: while its process
  // lived on, it is a baseline (what it moved while netmon was down is in the interface counters only).
  const livedOn = (f: FlowCounter): boolean => f.owner !== null && [...known.values()].some((base) => base.owner !== null && sameOwner(base.owner, f.owner));
  const isNew = (f: FlowCounter): boolean => {
    const base = known.get(f.id);
    if (base === undefined) return !(f.remainder === true && livedOn(f));
    return !f.id.startsWith('sk:') && !sameOwner(base.owner, f.owner);
  };
  return { ...sample, flows: sample.flows.map((f) => (f.newSincePrevious === true || !isNew(f) ? f : { ...f, newSincePrevious: true })) };
}
