// The one runner for short commands (an `ss` poll, a nettop `-L 1`, `ss -V`, `netmon-capture --check`,
// an owner lookup): its own process group, stdout capped in bytes, stderr capped, the whole tree killed
// at the time limit or on abort. `runChecked` is the same with "it must exit 0", failures worded by
// kit/describe-child.
import type { Logger } from '../../log.js';
import { describeExit, describeStartError, describeTimeout, describeTooBig, type ChildSubject } from '../kit/describe-child.js';
import type { ProcessTableReader } from './ps-table.js';
import { spawnInGroup, type GroupChild } from './spawn.js';
import { terminateTree } from './terminate-tree.js';

/** Options of `runOnce`. */
export interface RunOnceOptions {
  timeoutMs: number;
  /** Bytes of stdout kept: whole chunks while fewer are kept; past it `truncated` is set. Default 1 MB. */
  maxStdout?: number;
  /** Characters of stderr kept. Default 4096. */
  maxStderr?: number;
  env?: NodeJS.ProcessEnv | undefined;
  /** Each chunk of stdout as it arrives, instead of collecting it (then `stdout` is empty). */
  onStdout?: (chunk: Buffer) => void;
  /** Each chunk of stderr as it arrives (for a digest), besides collecting it. */
  onStderr?: (text: string) => void;
  /** Told the child once started, e.g. so that a stop elsewhere can kill it. */
  onSpawn?: (child: GroupChild) => void;
  /** Ends the run early: the tree is killed and `aborted` set. */
  signal?: AbortSignal;
  /** SIGTERM to SIGKILL at the time limit. Default 500 ms. */
  killGraceMs?: number;
  processTable?: ProcessTableReader;
  logger?: Logger;
}

/** How a short command run by `runOnce` ended, and what it printed (each stream capped). */
export interface RunOnceResult {
  /** Exit status, or null when it was killed, timed out or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Why it could not be started (not found, not executable), or null. */
  spawnError: NodeJS.ErrnoException | null;
  /** It did not end within the time allowed; its whole group was killed. */
  timedOut: boolean;
  /** It printed more than `maxStdout` bytes; what is in `stdout` is the start. */
  truncated: boolean;
  /** Ended through `signal`; its whole group was killed. */
  aborted: boolean;
}

/** Runs a short command in its own process group and collects its output. Never throws. */
export async function runOnce(command: string, args: readonly string[], options: RunOnceOptions): Promise<RunOnceResult> {
  const child = spawnInGroup({ command, args, env: options.env });
  options.onSpawn?.(child);
  const maxStdout = options.maxStdout ?? 1_000_000;
  const maxStderr = options.maxStderr ?? 4096;
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  let stderr = '';
  let done = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (done) return;
    if (options.onStdout !== undefined) {
      options.onStdout(chunk);
      return;
    }
    total += chunk.length;
    if (kept < maxStdout) {
      chunks.push(chunk);
      kept += chunk.length;
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (done) return;
    const text = chunk.toString('utf8');
    if (stderr.length < maxStderr) stderr += text;
    options.onStderr?.(text);
  });
  let timer: NodeJS.Timeout | null = null;
  let onAbort: (() => void) | null = null;
  const cut = new Promise<'timeout' | 'abort'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    if (options.signal !== undefined) {
      onAbort = () => resolve('abort');
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  const exit = await Promise.race([child.closed, cut]);
  if (timer !== null) clearTimeout(timer);
  if (onAbort !== null) options.signal?.removeEventListener('abort', onAbort);
  const base = { stdout: Buffer.concat(chunks).toString('utf8'), stderr, truncated: total > maxStdout };
  if (exit === 'timeout' || exit === 'abort') {
    done = true;
    if (child.pid !== null && !child.hasExited()) {
      await terminateTree(child.pid, { graceMs: options.killGraceMs ?? 500, processTable: options.processTable, logger: options.logger });
    }
    return { code: null, signal: null, ...base, spawnError: null, timedOut: exit === 'timeout', aborted: exit === 'abort' };
  }
  done = true;
  return { code: exit.code, signal: exit.signal, ...base, spawnError: exit.error, timedOut: false, aborted: false };
}

/** Options of `runChecked`: those of `runOnce`, and how the command is named in errors. */
export interface RunCheckedOptions extends RunOnceOptions {
  /** What to say when it cannot start; default `{ command }`. */
  subject?: ChildSubject;
  /** The command as named in "… exited with" and "… did not answer"; default the command. */
  what?: string;
}

/** Runs a short command that must exit 0 within its limits; returns its stdout, else throws a worded Error. */
export async function runChecked(command: string, args: readonly string[], options: RunCheckedOptions): Promise<string> {
  const result = await runOnce(command, args, options);
  const what = options.what ?? command;
  if (result.timedOut) throw new Error(describeTimeout(what, options.timeoutMs));
  if (result.aborted) throw new Error(`${what} was stopped`);
  if (result.spawnError !== null) throw new Error(describeStartError(result.spawnError, options.subject ?? { command }));
  if (result.code !== 0) throw new Error(describeExit(what, result, result.stderr));
  if (result.truncated) throw new Error(describeTooBig(what, options.maxStdout ?? 1_000_000));
  return result.stdout;
}
