// One nettop poll: `nettop -L 1 …` run to its end (it exits by itself, so no pty is needed), its frame
// parsed as it streams in, killed at the time limit. Not recorded for stray reaping: it ends by itself.
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from '../../log.js';
import type { StderrDigest } from '../kit/stderr-digest.js';
import { runOnce, type GroupChild, type ProcessTableReader } from '../process/index.js';
import { formatSeconds } from './command.js';
import { explainExit, noteMalformed, outputTrace, type Explained } from './explain.js';
import { NettopParser, type NettopFrame } from './parse.js';

/** What a poll needs. */
export interface PollSpec {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  killGraceMs: number;
  processTable: ProcessTableReader;
  stderr: StderrDigest;
  log: Logger;
  /** Told the running child (null once it ended), so that a stop can kill it. */
  onChild: (child: GroupChild | null) => void;
  /** Exits before a first frame just before this one, and how many make the health `failing`. */
  fruitless: number;
  failingAfter: number;
}

/** A poll's frame, or why there is none; and how many unreadable lines it printed. */
export interface PollOutcome {
  frame: NettopFrame | null;
  explained: Explained | null;
  malformedLines: number;
}

/** Runs one poll. Never throws. */
export async function pollNettop(spec: PollSpec): Promise<PollOutcome> {
  const [command, ...args] = spec.argv as [string, ...string[]];
  const output = outputTrace(spec.stderr);
  const frames: NettopFrame[] = [];
  const parser = new NettopParser({ onFrame: (f) => frames.push(f), onMalformed: (kind, line) => noteMalformed(output, kind, line, spec.log) });
  const decoder = new StringDecoder('utf8');
  const run = await runOnce(command, args, {
    timeoutMs: spec.timeoutMs,
    env: spec.env,
    onStdout: (chunk) => parser.push(decoder.write(chunk)),
    onStderr: (text) => output.stderr.push(text),
    onSpawn: spec.onChild,
    killGraceMs: spec.killGraceMs,
    processTable: spec.processTable,
    logger: spec.log,
  });
  spec.onChild(null);
  output.stderr.end();
  if (run.timedOut) {
    parser.discard();
    const reason = `nettop -L 1 took longer than ${formatSeconds(spec.timeoutMs)} and was killed`;
    return { frame: null, explained: { failing: false, reason, fruitless: false }, malformedLines: parser.malformedLines };
  }
  parser.push(decoder.end());
  parser.end();
  const frame = frames.at(-1) ?? null;
  if (frame !== null) return { frame, explained: null, malformedLines: parser.malformedLines };
  const exit = { code: run.code, signal: run.signal, error: run.spawnError };
  return { frame: null, explained: explainExit(exit, 0, output, spec.argv, command, spec.fruitless, spec.failingAfter), malformedLines: parser.malformedLines };
}
