// Starting a sampler's child: each in its own process group, stdin held open.
//
// - Own process group (`detached: true`): a signal to `-pgid` reaches the child and everything it forked,
//   and a Ctrl-C in our terminal does not reach the child behind our back.
// - stdin stays an open pipe for the child's whole life: some tools (nettop) spin a core at end of file.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** What to run. */
export interface SpawnSpec {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
}

/** How a child ended. `error` is set when it could not be started at all (ENOENT, EACCES). */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error: NodeJS.ErrnoException | null;
}

/** A child running in its own process group: its pid is the group id. */
export interface GroupChild {
  /** Pid and process group id; null when the child could not be started. */
  readonly pid: number | null;
  readonly spec: SpawnSpec;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Held open, never ended by us: see the header comment. */
  readonly stdin: Writable;
  /** Resolves when the child process has exited (its output may still be draining). */
  readonly exited: Promise<ChildExit>;
  /** Resolves when its output streams are closed too (after `exited`), or 2 s after it, whichever first. */
  readonly closed: Promise<ChildExit>;
  /** Whether `exited` has resolved. */
  hasExited(): boolean;
}

/** Starts `spec` in a new process group with stdin, stdout and stderr as pipes. Never throws. */
export function spawnInGroup(spec: SpawnSpec): GroupChild {
  const proc = spawn(spec.command, [...spec.args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  });
  let exitedFlag = false;
  let startError: NodeJS.ErrnoException | null = null;
  // Writing to a child that died raises EPIPE on stdin: expected, not an error of ours.
  proc.stdin.on('error', () => undefined);
  const exited = new Promise<ChildExit>((resolve) => {
    proc.once('error', (error: NodeJS.ErrnoException) => {
      if (proc.pid === undefined) {
        startError = error;
        exitedFlag = true;
        resolve({ code: null, signal: null, error });
      }
    });
    proc.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal, error: null });
    });
  });
  const closed = new Promise<ChildExit>((resolve) => {
    proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal, error: startError }));
    void exited.then((exit) => {
      const timer = setTimeout(() => resolve(exit), 2000);
      timer.unref();
    });
  });
  return {
    pid: proc.pid ?? null,
    spec,
    stdout: proc.stdout,
    stderr: proc.stderr,
    stdin: proc.stdin,
    exited,
    closed,
    hasExited: () => exitedFlag,
  };
}
