// The NettopSampler's options and their defaults, and what its two modes (stream.ts, poll.ts) share.
import type { Logger } from '../../log.js';
import type { Clock } from '../../types.js';
import type { StderrDigest } from '../kit/stderr-digest.js';
import type { ProcessTableReader, StartTimeReader } from '../process/index.js';
import type { NettopFrame } from './frame.js';
import type { PtyWrapper } from './command.js';
import type { InterfaceReader, InterfaceReading } from './netstat.js';
import type { CpuReader, Stamp } from './stream.js';

/** Timings of the NettopSampler; all have defaults suited to a 5 s interval. */
export interface NettopTiming {
  /** A streaming child with no complete frame for this many intervals is restarted. Default 3. */
  stallIntervals: number;
  /** Extra time a new child gets for its first frame. Default 2000 ms. */
  startGraceMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** A child that ran this long resets the backoff. Default 60 s. */
  backoffResetAfterMs: number;
  /** How often the streaming child's CPU time is read. Default 10 s. */
  cpuCheckMs: number;
  /** Readings above budget in a row that switch to polling (and probation length). Default 2. */
  expensiveChecks: number;
  /** Probation passes only at or below this fraction of the budget. Default 0.75. */
  lowWaterFraction: number;
  /** First wait before trying streaming again. Default 5 min. */
  probeAfterMs: number;
  /** Longest wait before trying streaming again. Default 1 h. */
  probeMaxMs: number;
  /** A poll running longer is killed. Default 30 s. */
  pollTimeoutMs: number;
  /** Polls are never further apart than this, whatever they cost. Default 60 s. */
  maxPollIntervalMs: number;
  killGraceMs: number;
  /** Children in a row that exit without a frame before the health turns `failing`. Default 3. */
  failingAfter: number;
}

export const DEFAULT_TIMING: NettopTiming = {
  stallIntervals: 3,
  startGraceMs: 2000,
  backoffInitialMs: 1000,
  backoffMaxMs: 60_000,
  backoffResetAfterMs: 60_000,
  cpuCheckMs: 10_000,
  expensiveChecks: 2,
  lowWaterFraction: 0.75,
  probeAfterMs: 5 * 60_000,
  probeMaxMs: 60 * 60_000,
  pollTimeoutMs: 30_000,
  maxPollIntervalMs: 60_000,
  killGraceMs: 2000,
  failingAfter: 3,
};

/** How the sampler runs nettop: adaptively, or always one way. */
export type NettopStrategy = 'auto' | 'streaming' | 'polling';

/** Options of the NettopSampler. */
export interface NettopSamplerOptions {
  /** nettop's path (a setting; tests point it at a replay). Default `/usr/bin/nettop`. */
  executable?: string;
  /** Seconds between samples; nettop's `-s` takes whole seconds. Default 5. */
  intervalS?: number;
  /** Run without `-P` and emit one flow per connection (with its remote and interface); false: `-P`, one flow per process. Default true. */
  perConnection?: boolean;
  /** Stream with `-d` (see the header comment). Default true. */
  deltas?: boolean;
  /** Pass `-t external` (no loopback). Default true. */
  externalOnly?: boolean;
  /** Fraction of one core nettop may use. Default 0.05. */
  cpuBudget?: number;
  /** Default `auto`: stream while cheap, poll when not. */
  strategy?: NettopStrategy;
  /** Pseudo-terminal for the streaming child; default `bsdScriptPty` on macOS, none elsewhere. */
  ptyWrapper?: PtyWrapper | null;
  /** Where the pid file lives (`nettop.pids.json`), reaped at the next start; null: no stray reaping. Default null. */
  stateDir?: string | null;
  /** Default: `ps`. */
  cpuReader?: CpuReader;
  /** Default: `ps`. Used to find and kill a child's whole tree. */
  processTable?: ProcessTableReader;
  /** Interface totals; default `netstat -ibn` on macOS, none (iface null) elsewhere. */
  interfaceReader?: InterfaceReader | null;
  /** Process start times for the owners (owners.ts); default `ps -o lstart` on macOS, none elsewhere. */
  startTimes?: StartTimeReader | null;
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  timing?: Partial<NettopTiming>;
}

/** What the sampler gives each mode (streaming, polling), and hears back from it. */
export interface ModeContext {
  intervalMs: number;
  timing: NettopTiming;
  processTable: ProcessTableReader;
  stderr: StderrDigest;
  clock: Clock;
  log: Logger;
  /** Now, with the interface counters read from the same moment, or the reading given (taken earlier). */
  stamp: (iface?: Promise<InterfaceReading | null>) => Stamp;
  /** Reads the interface counters now (null: no reader). */
  readInterfaces: () => Promise<InterfaceReading | null> | null;
  /** Exits before a first frame just before now (the sampler's count). */
  fruitless: () => number;
  onFrame: (stamp: Stamp, frame: NettopFrame) => void;
}
