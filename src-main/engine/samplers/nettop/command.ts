// How nettop is run: its path, its arguments, and the pseudo-terminal it streams under (piped output is
// block-buffered: tens of seconds of silence).
//
// Why `-d` when streaming (option `deltas`, default on): nettop then reports the bytes of each interval
// itself. A process born between two frames has its first interval's bytes counted (the delta engine
// takes a first sight in a cumulative sample as a baseline, so without `-d` every short-lived process,
// a `curl` or a `git fetch`, would vanish), and there is no per-process counter to drop when sockets
// close. The cost: a frame lost (stall, kill) loses its interval, where cumulative counters would carry
// the bytes to the next frame. Frames are rarely lost and the interface totals still count those bytes,
// so -d wins. The first frame of every `-d` stream is cumulative: it is emitted as a `cumulative` sample
// (a baseline), the rest as `delta` samples. Polls are always cumulative.
//
// `-t external` (option `externalOnly`, default on) keeps loopback traffic out of nettop's counters, as
// it is out of the interface totals they are reconciled with (a local proxy would otherwise count twice).
import type { ChildSubject } from '../kit/describe-child.js';
import type { SpawnSpec } from '../process/index.js';

/** Where macOS keeps nettop. */
export const NETTOP_PATH = '/usr/bin/nettop';

/** nettop as named in failures. */
export function nettopSubject(executable: string): ChildSubject {
  return { command: executable, notFound: `nettop not found at ${executable}` };
}

/** Wraps a command so that it runs under a pseudo-terminal (nettop block-buffers into a pipe). */
export type PtyWrapper = (command: string, args: readonly string[]) => SpawnSpec;

/** macOS `script`: `script -q /dev/null CMD ARGS…`. */
export const bsdScriptPty: PtyWrapper = (command, args) => ({ command: '/usr/bin/script', args: ['-q', '/dev/null', command, ...args] });

/** util-linux `script` (for tests on Linux): `script -q -e -E never -c 'CMD ARGS…' /dev/null`. */
export const utilLinuxScriptPty: PtyWrapper = (command, args) => ({
  command: 'script',
  args: ['-q', '-e', '-E', 'never', '-c', [command, ...args].map(shellQuote).join(' '), '/dev/null'],
});

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What a nettop command line is made of. */
export interface NettopArgOptions {
  perConnection: boolean;
  externalOnly: boolean;
  /** `-L`: 0 streams forever, 1 is one frame. */
  samples: number;
  /** `-s` in seconds, for streams; null to leave it out. */
  intervalS: number | null;
  deltas: boolean;
}

/**
 * nettop's arguments: `[-P] -L n [-s N] [-d] -x -n [-t external] -J bytes_in,bytes_out[,interface]`. Per
 * connection the interface column comes too: each connection row then says which interface it used, so
 * a tunnel's apps are told from its provider (engine/network).
 */
export function nettopArgs(options: NettopArgOptions): string[] {
  return [
    ...(options.perConnection ? [] : ['-P']),
    '-L',
    String(options.samples),
    ...(options.intervalS === null ? [] : ['-s', String(options.intervalS)]),
    ...(options.deltas ? ['-d'] : []),
    '-x',
    '-n',
    ...(options.externalOnly ? ['-t', 'external'] : []),
    '-J',
    options.perConnection ? 'bytes_in,bytes_out,interface' : 'bytes_in,bytes_out',
  ];
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}
