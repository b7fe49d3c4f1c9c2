// Runs the real `netmon` command (the compiled build: `npm test` builds first) in child processes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NETMON = path.join(REPO, 'bin', 'netmon.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `netmon ARGS` to completion. */
export function netmon(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [NETMON, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A row of `netmon report --json` by app. */
export interface ReportRow {
  app: string;
  bytesIn: number;
  bytesOut: number;
}

/** What `netmon report --by app --json` stored over the last `since` in `dataDir` (the command must succeed). */
export function reportRows(dataDir: string, since = '1h'): ReportRow[] {
  const report = netmon(['report', '--by', 'app', '--json', '--since', since, '--data-dir', dataDir]);
  expect(report.code, report.stderr).toBe(0);
  return (JSON.parse(report.stdout) as { rows: ReportRow[] }).rows;
}

/** A running `netmon serve`, with its URL once it printed it. */
export interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `argv` (a whole command line, e.g. `ip netns exec … node netmon.js serve …`) and waits for the served URL. */
export function startServe(argv: string[], timeoutMs = 20_000): Promise<Served> {
  const [command, ...args] = argv as [string, ...string[]];
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      exitSignal = signal;
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`)), timeoutMs);
    const check = (): void => {
      const match = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (match === null) return;
      clearTimeout(timer);
      resolve({
        child,
        url: match[1] ?? '',
        stdout: () => out,
        // The signal that ended the process, if one did, is part of what it said.
        stderr: () => (exitSignal === null ? err : `${err}\n[ended by ${exitSignal}]`),
        stop: async () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before serving\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

/** `node bin/netmon.js` as an argv, for startServe. */
export function netmonArgv(args: string[]): string[] {
  return [process.execPath, NETMON, ...args];
}
