// Why a nettop child gave no data, in words a user can act on: it could not start, it printed its
// usage text (this macOS rejects a flag; nettop then exits 0), or it exited, before or after frames.
import type { Readable } from 'node:stream';
import type { Logger } from '../../log.js';
import { describeStartError, USAGE_PATTERN, usageReason } from '../kit/describe-child.js';
import type { StderrDigest, StderrTranscript } from '../kit/stderr-digest.js';
import type { ChildExit } from '../process/index.js';
import { nettopSubject } from './command.js';
import type { MalformedKind } from './frame.js';

/** What one nettop child printed besides frames: kept to explain a failure. */
export interface OutputTrace {
  usage: string[];
  stderr: StderrTranscript;
  /** Unreadable stdout lines logged so far (the first 20 are). */
  logged: number;
}

/** A new trace whose stderr goes through the sampler's digest: read from `stream`, or pushed by the caller. */
export function outputTrace(digest: StderrDigest, stream?: Readable): OutputTrace {
  const usage: string[] = [];
  const onLine = (line: string): void => {
    if (USAGE_PATTERN.test(line) && usage.length < 20) usage.push(line);
  };
  return { usage, stderr: stream === undefined ? digest.transcript(onLine) : digest.read(stream, onLine), logged: 0 };
}

/** Notes an unreadable stdout line: usage text is kept, the first few are logged. */
export function noteMalformed(output: OutputTrace, kind: MalformedKind, line: string, log: Logger): void {
  if (kind === 'usage' && output.usage.length < 20) output.usage.push(line);
  if (output.logged < 20) log.debug('skipped a line of nettop output', { kind, line: line.slice(0, 200) });
  output.logged += 1;
}

/** The explanation, and whether the child ended before its first frame without a clearer cause. */
export interface Explained {
  failing: boolean;
  reason: string;
  /** Counts toward `failingAfter` (exits before a first frame in a row). */
  fruitless: boolean;
}

/** Why a child ended after `frames` frames; `fruitlessBefore` such exits came just before it. */
export function explainExit(exit: ChildExit, frames: number, output: OutputTrace, argv: readonly string[], executable: string, fruitlessBefore: number, failingAfter: number): Explained {
  if (exit.error !== null) return { failing: true, reason: describeStartError(exit.error, nettopSubject(executable)), fruitless: false };
  if (output.usage.length > 0) return { failing: true, reason: usageReason(output.usage, argv), fruitless: false };
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`;
  if (frames > 0) return { failing: false, reason: `nettop ${how} after ${frames} frame${frames === 1 ? '' : 's'}`, fruitless: false };
  const fruitless = fruitlessBefore + 1;
  const recent = output.stderr.recent(3);
  const said = recent.length > 0 ? `; it said: ${recent.join(' | ')}` : '';
  if (fruitless >= failingAfter) return { failing: true, reason: `nettop ${how} ${fruitless} times in a row without printing a frame${said}`, fruitless: true };
  return { failing: false, reason: `nettop ${how} before its first frame${said}`, fruitless: true };
}
