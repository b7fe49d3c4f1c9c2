// nettop frames → the pipeline's FlowCounters.
//
// Per process (`-P`): one flow per process row, keyed by nettop's `name.pid`.
//
// Per connection (no `-P`): one flow per connection row, keyed by process label + connection label, owned
// by the process; plus one "other sockets" flow per process for the bytes its own row counts beyond its
// listed connections (sockets already closed, or never listed). Process rows stay the authority: adding
// process and connection rows would count everything twice, and a process's flows add up to its own row,
// exactly what `-P` reports for it. Where its connection rows add up to more than its row in a direction
// (rows read a moment apart; trimmed output), they are scaled down to it, whole bytes by largest
// remainder, and the "other sockets" flow is 0.
//
// The "other sockets" remainder needs care in cumulative frames. When a connection closes, nettop first
// prints it with empty counters and then drops it, while the process row keeps its bytes; a naive
// `process − Σ connections` would then grow by the closed connection's bytes and the delta engine would
// count them a second time. So across cumulative frames a ledger remembers, per process, the bytes of
// connections that went away ("retired") and takes them out of the remainder. When the process counter
// itself drops (nettop forgot closed sockets), the forgotten bytes are taken from the retired bytes first.
// In delta frames no ledger is needed: each frame stands alone.
//
// The remainder's id carries a generation that changes whenever a cumulative frame follows delta frames
// (a new `-d` stream, or a switch to polling): the delta engine then takes it as a new baseline instead of
// subtracting it from a running total it was never continuous with. For the same reason it is marked
// `remainder`: a resumed run takes it as a baseline too while its process lived on (resume/seed.ts); the
// connections themselves keep their ids across runs and resume like sockets.
import type { FlowCounter, ProcessInfo, RemoteEndpoint } from '../../types.js';
import { splitWhole } from '../../domains/extension/split.js';
import type { NettopConnection, NettopFrame, NettopProcess } from './frame.js';

interface Bytes {
  bytesIn: number;
  bytesOut: number;
}

/** One flow per process row (`-P` output, or process rows of per-connection output). */
export function processFlows(frame: NettopFrame): FlowCounter[] {
  return mergeProcesses(frame.processes).map((process) => ({
    id: process.label,
    owner: ownerOf(process),
    bytesIn: process.bytesIn,
    bytesOut: process.bytesOut,
  }));
}

/**
 * nettop lists a process once per frame; should it list one twice, the rows are taken as parts of one
 * total (bytes added, connections concatenated) so that a flow id is never emitted twice.
 */
export function mergeProcesses(processes: readonly NettopProcess[]): NettopProcess[] {
  const byLabel = new Map<string, NettopProcess>();
  for (const process of processes) {
    const seen = byLabel.get(process.label);
    if (seen === undefined) {
      byLabel.set(process.label, process);
      continue;
    }
    byLabel.set(process.label, {
      ...seen,
      bytesIn: seen.bytesIn + process.bytesIn,
      bytesOut: seen.bytesOut + process.bytesOut,
      connections: [...seen.connections, ...process.connections],
    });
  }
  return [...byLabel.values()];
}

/** The process behind a nettop row. */
export function ownerOf(process: NettopProcess): ProcessInfo {
  return { pid: process.pid, name: process.name };
}

/** The far end of a connection, when it is a real address and port (not a wildcard). */
export function remoteOf(connection: NettopConnection): RemoteEndpoint | undefined {
  if (connection.remote.address === '*' || connection.remote.port === null) return undefined;
  return { protocol: connection.protocol, address: connection.remote.address, port: connection.remote.port };
}

interface LedgerEntry {
  total: Bytes;
  connections: Map<string, Bytes>;
  retired: Bytes;
}

/** Turns per-connection frames into flows, remembering closed connections across cumulative frames. */
export class ConnectionFlows {
  #ledger: Map<string, LedgerEntry> | null = null;
  #generation = 0;

  /** Flows of one frame; `mode` is how the sampler will label the sample. */
  flows(frame: NettopFrame, mode: 'cumulative' | 'delta'): FlowCounter[] {
    if (mode === 'delta' && this.#ledger !== null) {
      this.#ledger = null;
      this.#generation += 1;
    }
    const previous = this.#ledger;
    const next = mode === 'cumulative' ? new Map<string, LedgerEntry>() : null;
    const out: FlowCounter[] = [];
    for (const process of mergeProcesses(frame.processes)) {
      const owner = ownerOf(process);
      const connections = new Map<string, Bytes>();
      const remotes = new Map<string, RemoteEndpoint | undefined>();
      const rows = new Map<string, NettopConnection>();
      for (const connection of process.connections) {
        const seen = connections.get(connection.label);
        if (seen !== undefined) {
          // Identical labels (a dozen `udp4 *:*<->*:*` sockets) are one flow: there is no telling them apart.
          seen.bytesIn += connection.bytesIn;
          seen.bytesOut += connection.bytesOut;
        } else {
          connections.set(connection.label, { bytesIn: connection.bytesIn, bytesOut: connection.bytesOut });
          remotes.set(connection.label, remoteOf(connection));
          rows.set(connection.label, connection);
        }
      }
      let retired: Bytes = { bytesIn: 0, bytesOut: 0 };
      if (next !== null) {
        const before = previous?.get(process.label);
        if (before !== undefined) retired = retire(before, connections, process);
        next.set(process.label, { total: { bytesIn: process.bytesIn, bytesOut: process.bytesOut }, connections, retired });
      }
      const labels = [...connections.keys()];
      // What the process row leaves for the connections listed now (closed ones' bytes were counted before).
      const bytesIn = fitTo(Math.max(0, process.bytesIn - retired.bytesIn), labels.map((l) => connections.get(l)?.bytesIn ?? 0));
      const bytesOut = fitTo(Math.max(0, process.bytesOut - retired.bytesOut), labels.map((l) => connections.get(l)?.bytesOut ?? 0));
      labels.forEach((label, i) => {
        const flow: FlowCounter = { id: `${process.label}|${label}`, owner, remote: remotes.get(label), bytesIn: bytesIn.parts[i] ?? 0, bytesOut: bytesOut.parts[i] ?? 0 };
        const row = rows.get(label);
        if (row?.interface != null) flow.iface = row.interface;
        if (row !== undefined && row.local.address !== '*' && row.local.port !== null) flow.local = { address: row.local.address, port: row.local.port };
        out.push(flow);
      });
      out.push({ id: `${process.label}|other@${this.#generation}`, owner, bytesIn: bytesIn.other, bytesOut: bytesOut.other, remainder: true });
    }
    if (next !== null) this.#ledger = next;
    return out;
  }
}

/**
 * One direction of a process: its connections' bytes as listed, and the rest of `available` as "other
 * sockets"; connections listing more than `available` are scaled down to it (the process row is the authority).
 */
function fitTo(available: number, listed: readonly number[]): { parts: number[]; other: number } {
  const sum = listed.reduce((a, b) => a + b, 0);
  if (sum <= available) return { parts: [...listed], other: available - sum };
  return { parts: splitWhole(available, listed), other: 0 };
}

function retire(before: LedgerEntry, now: Map<string, Bytes>, process: NettopProcess): Bytes {
  let retiredIn = before.retired.bytesIn;
  let retiredOut = before.retired.bytesOut;
  for (const [label, last] of before.connections) {
    const current = now.get(label);
    retiredIn += Math.max(0, last.bytesIn - (current?.bytesIn ?? 0));
    retiredOut += Math.max(0, last.bytesOut - (current?.bytesOut ?? 0));
  }
  retiredIn = Math.max(0, retiredIn - Math.max(0, before.total.bytesIn - process.bytesIn));
  retiredOut = Math.max(0, retiredOut - Math.max(0, before.total.bytesOut - process.bytesOut));
  return { bytesIn: retiredIn, bytesOut: retiredOut };
}

/** Sum of a flow list's counters (for health details and tests). */
export function totalOf(flows: readonly FlowCounter[]): Bytes {
  let bytesIn = 0;
  let bytesOut = 0;
  for (const flow of flows) {
    bytesIn += flow.bytesIn;
    bytesOut += flow.bytesOut;
  }
  return { bytesIn, bytesOut };
}
