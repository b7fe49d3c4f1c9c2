// Crash-consistent accounting: the delta engine's baselines are stored with every flush (baselines.ts)
// and, in the same boot, seed the next run (seed.ts). `prepareResume` gathers what the decision needs;
// the Monitor takes its result (`MonitorOptions.resume`) and keeps the stored baselines current.
import type Database from 'better-sqlite3';
import type { ReadableDB } from '../store/readable.js';
import type { DeltaState } from '../delta.js';
import { createLogger } from '../log.js';
import { lastUsageAt } from '../queries/index.js';
import { hasResumeTables, readBaselines, writeBaselines, type OwnerRedactor } from './baselines.js';
import { readBootId, type BootIdSource } from './boot-id.js';
import { planResume, type ResumePlan } from './seed.js';
import { interfaceCountersNow, openSocketCounters, type SocketCounters } from './ss-counters.js';

export { readBaselines, writeBaselines, type OwnerRedactor, type StoredBaselines } from './baselines.js';
export { parseLinuxBootId, parseMacBootTime, readBootId } from './boot-id.js';
export { firstResumedSample, planResume, type ResumePlan } from './seed.js';

const log = createLogger('resume');

/** What the Monitor needs to resume and to keep the baselines stored. */
export interface Resume {
  plan: ResumePlan;
  /** This boot's id; null: baselines are neither used nor stored. */
  bootId: string | null;
  sampler: string;
}

export interface PrepareResumeOptions {
  db: ReadableDB;
  sampler: string;
  nowMs: number;
  /** Where the boot id comes from (tests); or the id itself. */
  bootId?: string | null;
  bootSource?: BootIdSource;
  /** Reads the open sockets' kernel counters for the eBPF sampler (tests inject). */
  socketCounters?: () => Promise<ReadonlyMap<string, SocketCounters> | null>;
  /** Reads the interface totals now for the eBPF sampler (tests inject). */
  ifaceNow?: () => Promise<{ bytesIn: number; bytesOut: number } | null>;
}

/** Reads the boot id and the stored baselines and decides how the engine starts (see seed.ts). */
export async function prepareResume(options: PrepareResumeOptions): Promise<Resume> {
  const bootId = options.bootId !== undefined ? options.bootId : await readBootId(options.bootSource);
  const stored = readBaselines(options.db);
  const last = lastUsageAt(options.db);
  const sameBoot = stored !== null && bootId !== null && stored.bootId === bootId;
  const ebpf = sameBoot && options.sampler === 'ebpf';
  const socketCounters = ebpf ? await (options.socketCounters ?? (() => openSocketCounters()))() : null;
  const ifaceNow = ebpf ? await (options.ifaceNow ?? (() => interfaceCountersNow()))() : null;
  const plan = planResume({ stored, bootId, sampler: options.sampler, notBeforeMs: last === null ? Number.NEGATIVE_INFINITY : last * 1000, nowMs: options.nowMs, socketCounters, ifaceNow });
  if (plan.outcome === 'resumed') log.info('resuming from the baselines stored by the last run', { downS: plan.downS, flows: plan.flows, storedFlows: stored?.flows.size ?? 0 });
  else if (stored !== null) log.info('starting from fresh baselines', { why: plan.outcome });
  return { plan, bootId, sampler: options.sampler };
}

/**
 * The flush-time writer of the baselines: `state()` is read when the flush runs, inside its transaction;
 * `redact` replaces the owners that must not be written as they are (private apps).
 */
export function baselineWriter(resume: Resume, state: () => DeltaState | null, redact?: OwnerRedactor): (db: Database.Database) => void {
  let tables: boolean | null = null;
  return (db) => {
    const now = state();
    if (resume.bootId === null || now === null) return;
    tables ??= hasResumeTables(db);
    if (tables) writeBaselines(db, now, resume.bootId, resume.sampler, redact);
  };
}
