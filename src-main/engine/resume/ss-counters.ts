// One `ss` poll for resuming under the eBPF sampler: the kernel keeps each TCP socket's counters for
// the socket's whole life, while a new capture helper counts from the moment it attached. The open
// sockets' counters now, against the stored baselines, say what each moved while netmon was down.
import { readFile } from 'node:fs/promises';
import { runOnce } from '../samplers/process/index.js';
import { isLoopbackAddress, parseNetDev } from '../samplers/linux/proc.js';
import { SS_QUICK_POLL_ARGS } from '../samplers/linux/ss-command.js';
import { parseSsOutput, payloadBytes } from '../samplers/linux/ss-parse.js';
import type { InterfaceTotals } from '../types.js';

/** One open socket's kernel counters; with where it goes, when ss said. */
export interface SocketCounters extends InterfaceTotals {
  remote?: { address: string; port: number; family: 4 | 6; uid: number };
}

/** Payload counters of every open TCP socket with counters, keyed like the samplers' flows (`sk:COOKIE`); null when ss failed. */
export async function openSocketCounters(ssPath = 'ss', timeoutMs = 5000): Promise<Map<string, SocketCounters> | null> {
  const run = await runOnce(ssPath, SS_QUICK_POLL_ARGS, { timeoutMs, maxStdout: 64 * 1024 * 1024 });
  if (run.code !== 0) return null;
  const counters = new Map<string, SocketCounters>();
  for (const socket of parseSsOutput(run.stdout).sockets) {
    // Loopback never crosses an interface, and the samplers leave it out too.
    if (!socket.hasTcpInfo || isLoopbackAddress(socket.remote.address)) continue;
    const { address, port, family } = socket.remote;
    counters.set(`sk:${socket.cookie}`, family === null || port === null ? payloadBytes(socket) : { ...payloadBytes(socket), remote: { address, port, family, uid: socket.uid } });
  }
  return counters;
}

/** The interface totals now (/proc/net/dev without loopback), or null. */
export async function interfaceCountersNow(procRoot = '/proc'): Promise<InterfaceTotals | null> {
  try {
    const totals = parseNetDev(await readFile(`${procRoot}/net/dev`, 'utf8'));
    return totals === null ? null : { bytesIn: totals.bytesIn, bytesOut: totals.bytesOut };
  } catch {
    return null;
  }
}
