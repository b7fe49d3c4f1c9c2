// Polling nettop: one `nettop -L 1 …` per interval, run to its end (it exits by itself, so no pty is
// needed), its frame parsed as it streams in, killed at the time limit. Not recorded for stray reaping:
// it ends by itself. Polls run no more often than their own duration / budget allows (the wall time of a
// poll bounds its CPU time), within `maxPollIntervalMs`; a failed poll is retried with backoff.
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from '../../log.js';
import type { StderrDigest } from '../kit/stderr-digest.js';
import { Timers } from '../kit/timers.js';
import { Backoff, runOnce, terminateTree, type GroupChild, type ProcessTableReader } from '../process/index.js';
import { formatSeconds } from './command.js';
import { explainExit, noteMalformed, outputTrace, type Explained } from './explain.js';
import type { NettopFrame } from './frame.js';
import type { ModeContext } from './options.js';
import { NettopParser } from './parse.js';

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

/** What the poller needs from the sampler, and tells it. */
export interface PollerOptions extends ModeContext {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Fraction of one core nettop may use. */
  budget: number;
  /** Asked before each poll: true ends polling here (the sampler tries streaming again). */
  probeDue: () => boolean;
  onProbe: () => void;
  onFailure: (explained: Explained, delayMs: number) => void;
  onMalformedLines: (count: number) => void;
}

/** One polling episode (until streaming is tried again, or the sampler stops). */
export class NettopPoller {
  readonly #o: PollerOptions;
  readonly #timers = new Timers();
  readonly #backoff: Backoff;
  #child: GroupChild | null = null;
  #everyMs: number;

  constructor(options: PollerOptions) {
    this.#o = options;
    this.#backoff = new Backoff({ initialMs: options.timing.backoffInitialMs, maxMs: options.timing.backoffMaxMs });
    this.#everyMs = options.intervalMs;
  }

  /** The current spacing of polls. */
  get everyMs(): number {
    return this.#everyMs;
  }

  start(): void {
    this.#timers.later(0, () => void this.#poll());
  }

  /** No further poll; the one running is killed. */
  async stop(): Promise<void> {
    this.#timers.close();
    const child = this.#child;
    if (child !== null && child.pid !== null) {
      await terminateTree(child.pid, { graceMs: this.#o.timing.killGraceMs, processTable: this.#o.processTable, logger: this.#o.log });
    }
  }

  async #poll(): Promise<void> {
    const o = this.#o;
    if (o.probeDue()) {
      this.#timers.close();
      o.onProbe();
      return;
    }
    const stamp = o.stamp();
    const result = await pollNettop({
      argv: o.argv,
      env: o.env,
      timeoutMs: o.timing.pollTimeoutMs,
      killGraceMs: o.timing.killGraceMs,
      processTable: o.processTable,
      stderr: o.stderr,
      log: o.log,
      onChild: (child) => (this.#child = child),
      fruitless: o.fruitless(),
      failingAfter: o.timing.failingAfter,
    });
    o.onMalformedLines(result.malformedLines);
    const elapsed = o.clock.mono() - stamp.monoMs;
    let delay: number;
    if (result.frame !== null) {
      this.#backoff.reset();
      o.onFrame(stamp, result.frame);
      this.#everyMs = Math.min(o.timing.maxPollIntervalMs, Math.max(o.intervalMs, elapsed / o.budget));
      delay = Math.max(0, this.#everyMs - elapsed);
    } else {
      delay = this.#backoff.next();
      o.onFailure(result.explained ?? { failing: false, reason: 'nettop printed no frame', fruitless: false }, delay);
    }
    this.#timers.later(delay, () => void this.#poll());
  }
}
