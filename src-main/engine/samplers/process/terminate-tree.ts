// Killing a child's whole tree: its group, every descendant by parent pid (including those in other
// sessions), and the groups those lead; SIGTERM, then SIGKILL after a grace period.
import { createLogger, type Logger } from '../../log.js';
import { isZombie, processTree, psProcessTable, type ProcessRow, type ProcessTableReader } from './ps-table.js';

/** Whether `kill(pid, 0)` finds the process (EPERM means it exists but is not ours). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // ESRCH: already gone. EPERM: not ours to kill; nothing more we can do.
  }
}

/** Options of `terminateTree`. */
export interface TerminateOptions {
  /** Time between SIGTERM and SIGKILL. Default 2000 ms. */
  graceMs?: number;
  /** Default: `ps`. Without a working table only the group is signalled. */
  processTable?: ProcessTableReader;
  logger?: Logger;
}

/**
 * Kills a child's whole tree: its process group, every descendant (found by parent pid, including those
 * in other sessions), and the groups those lead. SIGTERM, then SIGKILL after the grace period. Resolves
 * when none of them is alive any more (zombies count as gone), or after giving up (logged).
 */
export async function terminateTree(pgid: number, options: TerminateOptions = {}): Promise<void> {
  const graceMs = options.graceMs ?? 2000;
  const readTable = options.processTable ?? psProcessTable();
  const log = options.logger ?? createLogger('child');
  const table = await readTable().catch(() => [] as ProcessRow[]);
  const targets = new Set<number>([pgid]);
  for (const row of processTree(table, pgid)) targets.add(row.pid);
  for (const row of table) if (row.pgid === pgid) targets.add(row.pid);
  const groups = new Set<number>([pgid]);
  for (const row of table) if (targets.has(row.pid) && row.pgid === row.pid) groups.add(row.pid);

  const send = (sig: NodeJS.Signals): void => {
    for (const group of groups) signal(-group, sig);
    for (const pid of targets) signal(pid, sig);
  };
  const anyAlive = async (): Promise<boolean> => {
    const maybe = [...groups].some((g) => pidExists(-g)) || [...targets].some((p) => pidExists(p));
    if (!maybe) return false;
    const now = await readTable().catch(() => null);
    if (now === null) return true;
    return now.some((row) => !isZombie(row) && (targets.has(row.pid) || groups.has(row.pgid)));
  };
  const waitGone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!(await anyAlive())) return true;
      if (Date.now() >= deadline) return false;
      await sleep(50);
    }
  };

  send('SIGTERM');
  if (await waitGone(graceMs)) return;
  log.warn('child ignored SIGTERM; sending SIGKILL', { pgid, pids: [...targets].join(' ') });
  send('SIGKILL');
  if (!(await waitGone(2000))) log.error('child processes survived SIGKILL', { pgid, pids: [...targets].join(' ') });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
