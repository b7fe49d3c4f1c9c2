// The pid file of a sampler's long-lived children (`DIR/NAME.pids.json`, mode 600), so that the next
// start can kill what a crashed run left running. Each entry is pid + command line as `ps` shows them;
// a stray is killed only while both still match, so a pid reused by an unrelated program is left alone.
// RestartingChild fills it (`track` at spawn, `observe` a moment later, once the command line is final
// and a pty wrapper's grandchild exists) and empties it (`forget` after a kill); it reaps before its
// first child starts.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger, type Logger } from '../../log.js';
import { isZombie, processTree, psProcessTable, type ProcessRow, type ProcessTableReader } from './ps-table.js';
import { terminateTree } from './terminate-tree.js';

interface PidEntry {
  pid: number;
  pgid: number;
  /** The child we started that this process belongs to (itself, or an ancestor). */
  root: number;
  /** Command line as `ps` showed it; null until seen (then the entry cannot be verified, so is not reaped). */
  args: string | null;
}

/** A pid file naming the processes a sampler started, for stray reaping after a crash. */
export class PidRegistry {
  readonly #file: string;
  #entries: PidEntry[] = [];

  constructor(dir: string, name: string) {
    this.#file = path.join(dir, `${name}.pids.json`);
  }

  /** Path of the pid file. */
  get path(): string {
    return this.#file;
  }

  /** Records a newly started child (its command line is filled in by `observe`). */
  track(pid: number): void {
    if (!this.#entries.some((e) => e.pid === pid)) this.#entries.push({ pid, pgid: pid, root: pid, args: null });
    this.#save();
  }

  /** Records `root`'s tree as the table shows it: the command lines, and descendants in other sessions. */
  observe(root: number, table: readonly ProcessRow[]): void {
    const tree = processTree(table, root).filter((row) => !isZombie(row));
    let changed = false;
    for (const row of tree) {
      const entry = this.#entries.find((e) => e.pid === row.pid);
      if (entry === undefined) {
        this.#entries.push({ pid: row.pid, pgid: row.pgid, root, args: row.args });
        changed = true;
      } else if (entry.args !== row.args) {
        entry.args = row.args;
        changed = true;
      }
    }
    if (changed) this.#save();
  }

  /** Forgets `root` and what was recorded below it (after it was killed or exited). */
  forget(root: number): void {
    this.#entries = this.#entries.filter((e) => e.root !== root);
    this.#save();
  }

  /** Pids currently recorded. */
  pids(): number[] {
    return this.#entries.map((e) => e.pid);
  }

  /**
   * Kills what an earlier run recorded and left alive, where pid and command line still match, then
   * empties the file. Returns how many processes were killed.
   */
  async reapStrays(processTable: ProcessTableReader = psProcessTable(), logger?: Logger): Promise<number> {
    const log = logger ?? createLogger('child');
    let recorded: PidEntry[];
    try {
      recorded = parseEntries(readFileSync(this.#file, 'utf8'));
    } catch {
      recorded = [];
    }
    if (recorded.length === 0) {
      this.#entries = [];
      return 0;
    }
    const table = await processTable().catch(() => [] as ProcessRow[]);
    const strays = recorded.filter((entry) => {
      const row = table.find((r) => r.pid === entry.pid);
      return row !== undefined && !isZombie(row) && entry.args !== null && row.args === entry.args;
    });
    for (const stray of strays) {
      log.warn('killing a stray child left by an earlier run', { pid: stray.pid, command: stray.args });
      await terminateTree(stray.pid, { processTable, logger: log, graceMs: 1000 });
    }
    this.#entries = [];
    this.#save();
    return strays.length;
  }

  #save(): void {
    try {
      mkdirSync(path.dirname(this.#file), { recursive: true, mode: 0o700 });
      if (this.#entries.length === 0) {
        rmSync(this.#file, { force: true });
        return;
      }
      const temp = `${this.#file}.tmp`;
      writeFileSync(temp, JSON.stringify(this.#entries), { mode: 0o600 });
      renameSync(temp, this.#file);
    } catch (error) {
      createLogger('child').warn('could not write the pid file', { file: this.#file, error });
    }
  }
}

function parseEntries(text: string): PidEntry[] {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) return [];
  const out: PidEntry[] = [];
  for (const item of data as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { pid, pgid, root, args } = item as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof pgid !== 'number' || !Number.isInteger(pid) || pid <= 1) continue;
    out.push({ pid, pgid, root: typeof root === 'number' ? root : pid, args: typeof args === 'string' ? args : null });
  }
  return out;
}
