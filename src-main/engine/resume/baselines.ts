// The delta engine's baselines, stored with every flush in the same transaction as the rows they
// produced (schema v4: resume_point and resume_flows). Stored rows and stored baselines therefore always
// describe the same instant: whatever moved after it is exactly "counter now − stored baseline", and a
// restart, even a kill -9 a moment after a flush, neither loses it nor counts anything twice.
//
// What is kept: per flow (socket cookie, nettop process) its id, its owner (pid, start time, name and
// what attribution reads; never the command line, which may hold a URL) and its cumulative counters;
// the interface totals; the boot id and the sampler that produced them; the wall time of the sample.
import type Database from 'better-sqlite3';
import type { ReadableDB } from '../store/readable.js';
import type { DeltaState, FlowBaseline } from '../delta.js';
import { cachedStatement } from '../store/statements.js';
import type { InterfaceTotals, ProcessInfo } from '../types.js';

/** The baselines as stored: what a later run may resume from. */
export interface StoredBaselines {
  bootId: string;
  sampler: string;
  /** Wall time (epoch ms) of the sample the baselines come from. */
  wallMs: number;
  /** End of the last recorded interval then (epoch ms). */
  cursorMs: number;
  iface: InterfaceTotals | null;
  flows: Map<string, FlowBaseline>;
}

const OWNER_KEYS = ['pid', 'name', 'path', 'ppid', 'parentName', 'parentPath', 'cgroup', 'uid', 'startTime'] as const satisfies readonly (keyof ProcessInfo)[];

/**
 * Replaces an owner before it is stored: the owner of a private app (engine/privacy) becomes one that
 * names nothing but the private row (its pid and start time still tell a restart it is the same process).
 */
export type OwnerRedactor = (owner: ProcessInfo) => ProcessInfo;

/** The owner as stored: the command line stays out (it may carry a URL), the rest is what attribution reads. */
function storedOwner(owner: ProcessInfo | null, redact?: OwnerRedactor): string | null {
  if (owner === null) return null;
  if (redact !== undefined) owner = redact(owner);
  const kept: Record<string, unknown> = {};
  for (const key of OWNER_KEYS) if (owner[key] !== undefined) kept[key] = owner[key];
  return JSON.stringify(kept);
}

function readOwner(text: string | null): ProcessInfo | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<ProcessInfo> | null;
    if (value === null || typeof value !== 'object' || typeof value.pid !== 'number' || typeof value.name !== 'string') return null;
    const owner: ProcessInfo = { pid: value.pid, name: value.name };
    for (const key of OWNER_KEYS) {
      const v = value[key];
      if (v !== undefined && (typeof v === 'number' || typeof v === 'string')) (owner as unknown as Record<string, unknown>)[key] = v;
    }
    return owner;
  } catch {
    return null;
  }
}

/** Whether the schema has the resume tables (a store opened at an older schema in tests has not). */
export function hasResumeTables(db: ReadableDB): boolean {
  return db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('resume_point', 'resume_flows')").pluck().get() === 2;
}

/**
 * Replaces the stored baselines with `state`'s. Call inside the flush transaction: it must commit (or
 * roll back) with the rows that state produced.
 */
export function writeBaselines(db: Database.Database, state: DeltaState, bootId: string, sampler: string, redact?: OwnerRedactor): void {
  cachedStatement(db, 'DELETE FROM resume_flows').run();
  cachedStatement(
    db,
    `INSERT INTO resume_point (id, boot_id, sampler, wall_ms, cursor_ms, iface_in, iface_out) VALUES (1, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET boot_id = excluded.boot_id, sampler = excluded.sampler, wall_ms = excluded.wall_ms,
       cursor_ms = excluded.cursor_ms, iface_in = excluded.iface_in, iface_out = excluded.iface_out`,
  ).run(bootId, sampler, Math.round(state.lastWallMs), Math.round(state.cursorMs), state.iface?.bytesIn ?? null, state.iface?.bytesOut ?? null);
  const insert = cachedStatement(db, 'INSERT INTO resume_flows (id, owner, bytes_in, bytes_out) VALUES (?, ?, ?, ?)');
  for (const [id, flow] of state.flows) insert.run(id, storedOwner(flow.owner, redact), flow.bytesIn, flow.bytesOut);
}

/** Forgets the stored baselines (after a reboot they mean nothing). */
export function clearBaselines(db: Database.Database): void {
  db.prepare('DELETE FROM resume_flows').run();
  db.prepare('DELETE FROM resume_point').run();
}

/** The stored baselines, or null when none were stored. */
export function readBaselines(db: ReadableDB): StoredBaselines | null {
  if (!hasResumeTables(db)) return null;
  const point = db.prepare('SELECT boot_id, sampler, wall_ms, cursor_ms, iface_in, iface_out FROM resume_point WHERE id = 1').get() as
    | { boot_id: string; sampler: string; wall_ms: number; cursor_ms: number; iface_in: number | null; iface_out: number | null }
    | undefined;
  if (point === undefined) return null;
  const flows = new Map<string, FlowBaseline>();
  const rows = db.prepare('SELECT id, owner, bytes_in, bytes_out FROM resume_flows').all() as { id: string; owner: string | null; bytes_in: number; bytes_out: number }[];
  for (const row of rows) flows.set(row.id, { owner: readOwner(row.owner), remote: undefined, bytesIn: row.bytes_in, bytesOut: row.bytes_out });
  return {
    bootId: point.boot_id,
    sampler: point.sampler,
    wallMs: point.wall_ms,
    cursorMs: point.cursor_ms,
    iface: point.iface_in === null || point.iface_out === null ? null : { bytesIn: point.iface_in, bytesOut: point.iface_out },
    flows,
  };
}
