// The macOS sampler: per-process (or per-connection) byte counters from `nettop`, interface totals from
// `netstat -ibn`.
//
// Two ways to run nettop, chosen by what it costs (its own CPU time, measured):
// - streaming: one long-lived `nettop -L 0 -s N -d …` under a pseudo-terminal (piped output is
//   block-buffered: tens of seconds of silence). A frame is complete when the next header arrives, so a
//   sample is one interval late; it is stamped with the time its header arrived.
// - polling: one `nettop -L 1 …` per interval, cumulative counters; exits by itself, so no pty is needed.
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
//
// CPU budget and hysteresis (strategy `auto`): while streaming, the CPU time of nettop's process tree is
// read every `cpuCheckMs` (`ps`, injectable). After `expensiveChecks` readings in a row above the budget
// the sampler switches to polling; polls then run no more often than their own duration / budget allows
// (wall time of a poll bounds its CPU time), within `maxPollIntervalMs`. After `probeAfterMs` it tries
// streaming again, on probation: if either of the first `expensiveChecks` readings is above
// `lowWaterFraction` × budget it goes straight back to polling and the wait doubles (up to `probeMaxMs`);
// if they pass, the wait is reset. The band between low water and budget keeps it from flapping.
//
// Failures: a child that dies is restarted with exponential backoff; no complete frame for `stallIntervals`
// intervals kills and restarts it (its unfinished frame is dropped and counted as malformed); usage text
// (nettop exits 0 printing its usage on a flag it does not know) or repeated exits before a first frame
// make the health `failing`, with a reason a user can act on. Children run in their own process group and
// are killed as a whole tree; their pids go into `stateDir/nettop.pids.json` so that the next start reaps
// what a crash left running.
import { createLogger, type Logger } from '../../log.js';
import { systemClock, type Clock, type FlowCounter, type InterfaceTotals, type Sample, type Sampler, type SamplerHealth } from '../../types.js';
import {
  PidRegistry,
  RestartingChild,
  psProcessTable,
  spawnInGroup,
  terminateTree,
  treeCpuSeconds,
  Backoff,
  type ChildExit,
  type GroupChild,
  type ProcessTableReader,
  type SpawnSpec,
} from '../child.js';
import { ConnectionFlows, processFlows } from './flows.js';
import { netstatInterfaceReader, type InterfaceReader } from './netstat.js';
import { NettopParser, type MalformedKind, type NettopFrame } from './parse.js';

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

/** CPU seconds used so far by the process tree rooted at `pid`; null when unknown. */
export type CpuReader = (pid: number) => Promise<number | null>;

/** A CpuReader from the process table (`ps`): the pid's own time plus its descendants'. */
export function processTreeCpuReader(processTable: ProcessTableReader = psProcessTable()): CpuReader {
  return async (pid) => treeCpuSeconds(await processTable(), pid);
}

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

const DEFAULT_TIMING: NettopTiming = {
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
  /** Run without `-P` and emit one flow per connection (with its remote). Default false. */
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
  /** Where the pid file lives (e.g. the data folder); null: no stray reaping. Default null. */
  stateDir?: string | null;
  /** Default: `ps`. */
  cpuReader?: CpuReader;
  /** Default: `ps`. Used to find and kill a child's whole tree. */
  processTable?: ProcessTableReader;
  /** Interface totals; default `netstat -ibn` on macOS, none (iface null) elsewhere. */
  interfaceReader?: InterfaceReader | null;
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  timing?: Partial<NettopTiming>;
}

interface Stamp {
  wallMs: number;
  monoMs: number;
  iface: Promise<InterfaceTotals | null>;
}

interface StreamRun {
  child: GroupChild;
  parser: NettopParser;
  frames: number;
  stamp: Stamp | null;
  lastProgressMono: number;
  output: OutputTrace;
}

/** What a child printed besides frames: kept to explain a failure. */
interface OutputTrace {
  usage: string[];
  stderr: string[];
  logged: number;
}

const USAGE_PATTERN = /usage:|illegal option|invalid option|unrecognized option|unknown option/i;

/** Reads nettop per interval and emits samples; see the header comment for how and why. */
export class NettopSampler implements Sampler {
  readonly name = 'nettop';
  private readonly executable: string;
  private readonly intervalMs: number;
  private readonly intervalS: number;
  private readonly perConnection: boolean;
  private readonly deltas: boolean;
  private readonly externalOnly: boolean;
  private readonly budget: number;
  private readonly strategy: NettopStrategy;
  private readonly pty: PtyWrapper | null;
  private readonly cpuReader: CpuReader;
  private readonly processTable: ProcessTableReader;
  private readonly interfaceReader: InterfaceReader | null;
  private readonly env: NodeJS.ProcessEnv;
  private readonly clock: Clock;
  private readonly timing: NettopTiming;
  private readonly registry: PidRegistry | null;
  private readonly log: Logger = createLogger('sampler:nettop');
  private readonly connectionFlows = new ConnectionFlows();

  private onSample: ((sample: Sample) => void) | null = null;
  private started = false;
  private stopped = false;
  private mode: 'streaming' | 'polling' = 'streaming';
  private stream: RestartingChild | null = null;
  private run: StreamRun | null = null;
  private pollChild: GroupChild | null = null;
  private readonly pollBackoff: Backoff;
  private pollEveryMs: number;
  private timers = new Set<NodeJS.Timeout>();
  /** A switch from streaming to polling in flight: `stop` waits for its kill. */
  private switching: Promise<void> | null = null;
  private emitChain: Promise<void> = Promise.resolve();

  // CPU watch and hysteresis
  private cpuBase: { pid: number; cpu: number; mono: number } | null = null;
  private cpuShare: number | null = null;
  private expensiveStreak = 0;
  private probation = 0;
  private probeWaitMs: number;
  private probeAtMono: number | null = null;

  // health
  private restartCount = 0;
  private malformedDone = 0;
  private lastSampleAt: number | null = null;
  private fruitless = 0;
  private failure: string | null = null;
  private trouble: string | null = null;
  private cpuReason: string | null = null;

  constructor(options: NettopSamplerOptions = {}) {
    this.executable = options.executable ?? '/usr/bin/nettop';
    this.intervalS = options.intervalS ?? 5;
    this.intervalMs = this.intervalS * 1000;
    this.perConnection = options.perConnection ?? false;
    this.deltas = options.deltas ?? true;
    this.externalOnly = options.externalOnly ?? true;
    this.budget = options.cpuBudget ?? 0.05;
    this.strategy = options.strategy ?? 'auto';
    this.pty = options.ptyWrapper !== undefined ? options.ptyWrapper : process.platform === 'darwin' ? bsdScriptPty : null;
    this.processTable = options.processTable ?? psProcessTable();
    this.cpuReader = options.cpuReader ?? processTreeCpuReader(this.processTable);
    this.interfaceReader =
      options.interfaceReader !== undefined ? options.interfaceReader : process.platform === 'darwin' ? netstatInterfaceReader() : null;
    this.env = { ...process.env, ...options.env };
    this.clock = options.clock ?? systemClock;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.registry = options.stateDir === undefined || options.stateDir === null ? null : new PidRegistry(options.stateDir, 'nettop');
    this.pollBackoff = new Backoff({ initialMs: this.timing.backoffInitialMs, maxMs: this.timing.backoffMaxMs });
    this.pollEveryMs = this.intervalMs;
    this.probeWaitMs = this.timing.probeAfterMs;
    if (!(this.intervalS > 0)) throw new Error(`nettop interval must be positive, got ${this.intervalS}`);
    if (!(this.budget > 0)) throw new Error(`nettop CPU budget must be positive, got ${this.budget}`);
  }

  /** The argv of the streaming child (before any pty wrapper). */
  streamingCommand(): string[] {
    return [this.executable, ...nettopArgs({ ...this.argOptions(), samples: 0, intervalS: this.intervalS, deltas: this.deltas })];
  }

  /** The argv of one poll. */
  pollingCommand(): string[] {
    return [this.executable, ...nettopArgs({ ...this.argOptions(), samples: 1, intervalS: null, deltas: false })];
  }

  private argOptions(): Pick<NettopArgOptions, 'perConnection' | 'externalOnly'> {
    return { perConnection: this.perConnection, externalOnly: this.externalOnly };
  }

  start(onSample: (sample: Sample) => void): void {
    if (this.started) throw new Error('NettopSampler already started');
    this.started = true;
    this.onSample = onSample;
    void this.boot();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const stream = this.stream;
    this.stream = null;
    if (stream !== null) await stream.stop();
    if (this.switching !== null) await this.switching;
    this.retireRun(false);
    const poll = this.pollChild;
    if (poll !== null && poll.pid !== null) {
      await terminateTree(poll.pid, { graceMs: this.timing.killGraceMs, processTable: this.processTable, logger: this.log });
    }
    await this.emitChain;
    this.log.info('stopped', { restarts: this.restartCount, malformedLines: this.malformedCount() });
  }

  health(): SamplerHealth {
    const state = this.stopped
      ? 'stopped'
      : this.failure !== null
        ? 'failing'
        : this.trouble !== null || this.cpuReason !== null
          ? 'degraded'
          : this.lastSampleAt === null
            ? 'starting'
            : 'running';
    return {
      sampler: this.name,
      state,
      reason: this.failure ?? this.trouble ?? this.cpuReason,
      restarts: this.restartCount,
      malformedLines: this.malformedCount(),
      lastSampleAt: this.lastSampleAt,
      details: {
        mode: this.mode,
        strategy: this.strategy,
        childCpuShare: this.cpuShare,
        cpuBudget: this.budget,
        deltas: this.deltas,
        perConnection: this.perConnection,
        intervalS: this.intervalS,
        pid: this.mode === 'streaming' ? (this.run?.child.pid ?? null) : null,
        pollEveryS: this.mode === 'polling' ? this.pollEveryMs / 1000 : null,
        nextStreamingTryInS: this.mode === 'polling' && this.probeAtMono !== null ? Math.max(0, Math.round((this.probeAtMono - this.clock.mono()) / 1000)) : null,
        interfaceCounters: this.interfaceReader !== null,
      },
    };
  }

  private malformedCount(): number {
    return this.malformedDone + (this.run?.parser.malformedLines ?? 0);
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  private async boot(): Promise<void> {
    if (this.registry !== null) {
      const reaped = await this.registry.reapStrays(this.processTable, this.log);
      if (reaped > 0) this.log.warn('reaped stray nettop processes from an earlier run', { count: reaped });
    }
    if (this.stopped) return;
    this.log.info('starting', { strategy: this.strategy, command: this.streamingCommand().join(' '), budget: this.budget });
    if (this.strategy === 'polling') this.enterPolling();
    else this.enterStreaming(false);
  }

  // ---- streaming ------------------------------------------------------------------------------------

  private enterStreaming(probe: boolean): void {
    this.mode = 'streaming';
    this.probation = probe ? this.timing.expensiveChecks : 0;
    this.expensiveStreak = 0;
    this.cpuBase = null;
    this.probeAtMono = null;
    if (probe) {
      // On probation: `cpuCheck` sends it back to polling at the first reading above low water, and
      // clears this reason once the first readings pass.
      this.cpuReason = `trying streaming again after it used ${percent(this.cpuShare ?? 0)} of a core (budget ${percent(this.budget)})`;
      this.log.info('trying streaming again', { budget: this.budget });
    }
    const stream = new RestartingChild({
      name: 'nettop',
      spec: () => this.streamSpec(),
      onSpawn: (child) => this.attach(child),
      onExit: (exit, child, delay) => this.streamExited(exit, child, delay),
      backoff: { initialMs: this.timing.backoffInitialMs, maxMs: this.timing.backoffMaxMs },
      resetAfterMs: this.timing.backoffResetAfterMs,
      registry: this.registry,
      processTable: this.processTable,
      killGraceMs: this.timing.killGraceMs,
      clock: this.clock,
      logger: this.log,
    });
    this.stream = stream;
    stream.start();
    this.watchdog(stream);
    this.cpuWatch(stream);
  }

  private streamSpec(): SpawnSpec {
    const [command, ...args] = this.streamingCommand() as [string, ...string[]];
    const spec = this.pty === null ? { command, args } : this.pty(command, args);
    return { ...spec, env: this.env };
  }

  private attach(child: GroupChild): void {
    this.retireRun(false);
    const output: OutputTrace = { usage: [], stderr: [], logged: 0 };
    const run: StreamRun = {
      child,
      frames: 0,
      stamp: null,
      lastProgressMono: this.clock.mono(),
      output,
      parser: new NettopParser({
        onFrameStart: () => {
          run.stamp = this.stampNow();
          run.lastProgressMono = run.stamp.monoMs;
        },
        onFrame: (frame) => this.streamFrame(run, frame),
        onMalformed: (kind, line) => this.noteMalformed(output, kind, line),
      }),
    };
    this.run = run;
    this.cpuBase = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (this.run === run) run.parser.push(chunk);
    });
    this.readStderr(child, output);
    if (child.pid !== null) {
      const pid = child.pid;
      this.log.info('nettop started', { pid, mode: 'streaming' });
      // The pty wrapper's grandchild appears a moment later: record it for stray reaping once it is there.
      for (const delay of [300, 2000]) this.later(delay, () => void this.observe(pid));
    }
  }

  private async observe(pid: number): Promise<void> {
    if (this.registry === null) return;
    const table = await this.processTable().catch(() => null);
    if (table !== null && this.run?.child.pid === pid) this.registry.observe(pid, table);
  }

  /** Ends the current streaming run's parsing: `complete` takes its last frame as whole, else drops it. */
  private retireRun(complete: boolean): void {
    const run = this.run;
    if (run === null) return;
    if (complete) run.parser.end();
    else run.parser.discard();
    this.malformedDone += run.parser.malformedLines;
    this.run = null;
  }

  private streamFrame(run: StreamRun, frame: NettopFrame): void {
    if (this.run !== run || this.stopped) return;
    run.frames += 1;
    const stamp = run.stamp ?? this.stampNow();
    run.stamp = null;
    const mode = this.deltas && frame.index > 0 ? 'delta' : 'cumulative';
    this.fruitless = 0;
    this.failure = null;
    this.trouble = null;
    this.emit(stamp, mode, this.flowsOf(frame, mode));
  }

  private streamExited(exit: ChildExit, child: GroupChild, delayMs: number): void {
    const run = this.run;
    if (run === null || run.child !== child) return;
    // End of input: the frame in progress is complete unless cut off mid-line.
    run.parser.end();
    const frames = run.frames;
    this.retireRun(false);
    this.restartCount += 1;
    const explained = this.explainFailure(exit, frames, run.output, this.streamingCommand());
    const after = `restarting in ${formatSeconds(delayMs)}`;
    if (explained.failing) this.failure = `${explained.reason}; ${after}`;
    else this.trouble = `${explained.reason}; ${after}`;
    this.log.warn('nettop exited', { code: exit.code, signal: exit.signal, frames, restartInMs: delayMs, reason: explained.reason });
  }

  private watchdog(stream: RestartingChild): void {
    const tick = Math.max(50, Math.min(1000, this.intervalMs / 4));
    this.later(tick, () => {
      if (this.stream !== stream) return;
      const run = this.run;
      if (run !== null && !run.child.hasExited() && stream.current === run.child) {
        const limit = this.timing.stallIntervals * this.intervalMs + (run.frames === 0 ? this.timing.startGraceMs : 0);
        const silentMs = this.clock.mono() - run.lastProgressMono;
        if (silentMs > limit) {
          this.retireRun(false); // its unfinished frame is stale: dropped, counted as partial
          this.restartCount += 1;
          this.trouble = `nettop stalled: no complete frame for ${formatSeconds(silentMs)}; restarted`;
          this.log.warn('nettop stalled; restarting', { silentMs, pid: run.child.pid });
          void stream.restart('stall').then(() => this.watchdog(stream));
          return;
        }
      }
      this.watchdog(stream);
    });
  }

  private cpuWatch(stream: RestartingChild): void {
    this.later(this.timing.cpuCheckMs, () => void this.cpuCheck(stream));
  }

  private async cpuCheck(stream: RestartingChild): Promise<void> {
    if (this.stream !== stream) return;
    const run = this.run;
    const pid = run?.child.pid ?? null;
    if (run === null || pid === null || run.child.hasExited() || run.frames === 0) {
      this.cpuWatch(stream);
      return;
    }
    const cpu = await this.cpuReader(pid).catch(() => null);
    if (this.stream !== stream || this.run !== run) {
      if (this.stream === stream) this.cpuWatch(stream);
      return;
    }
    const mono = this.clock.mono();
    const base = this.cpuBase;
    if (cpu !== null) this.cpuBase = { pid, cpu, mono };
    if (cpu === null || base === null || base.pid !== pid || mono <= base.mono) {
      this.cpuWatch(stream);
      return;
    }
    const share = Math.max(0, cpu - base.cpu) / ((mono - base.mono) / 1000);
    this.cpuShare = share;
    if (this.strategy !== 'auto') {
      this.cpuWatch(stream);
      return;
    }
    if (this.probation > 0) {
      if (share > this.budget * this.timing.lowWaterFraction) {
        this.probeWaitMs = Math.min(this.timing.probeMaxMs, this.probeWaitMs * 2);
        await this.switchToPolling(share, stream);
        return;
      }
      this.probation -= 1;
      if (this.probation === 0) {
        this.probeWaitMs = this.timing.probeAfterMs;
        this.cpuReason = null;
        this.log.info('streaming is within budget again', { share, budget: this.budget });
      }
    } else {
      this.expensiveStreak = share > this.budget ? this.expensiveStreak + 1 : 0;
      if (this.expensiveStreak >= this.timing.expensiveChecks) {
        await this.switchToPolling(share, stream);
        return;
      }
    }
    this.cpuWatch(stream);
  }

  private switchToPolling(share: number, stream: RestartingChild): Promise<void> {
    this.stream = null; // stops the watchdog and the CPU watch of this stream
    this.probeAtMono = this.clock.mono() + this.probeWaitMs;
    this.cpuReason = `streaming nettop used ${percent(share)} of a core (budget ${percent(this.budget)}): polling instead, trying streaming again in ${formatSeconds(this.probeWaitMs)}`;
    this.log.warn('nettop too expensive; switching to polling', { share, budget: this.budget, retryInMs: this.probeWaitMs });
    const switching = stream.stop().then(() => {
      this.switching = null;
      if (this.stopped) return;
      // The frame in progress was printed whole before the kill (nettop prints a frame, then sleeps).
      this.retireRun(true);
      this.enterPolling();
    });
    this.switching = switching;
    return switching;
  }

  // ---- polling --------------------------------------------------------------------------------------

  private enterPolling(): void {
    this.mode = 'polling';
    this.pollBackoff.reset();
    this.later(0, () => void this.poll());
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.mode !== 'polling') return;
    if (this.strategy === 'auto' && this.probeAtMono !== null && this.clock.mono() >= this.probeAtMono) {
      this.enterStreaming(true);
      return;
    }
    const stamp = this.stampNow();
    const result = await this.pollOnce();
    if (this.stopped) return;
    const elapsed = this.clock.mono() - stamp.monoMs;
    let delay: number;
    if (result.frame !== null) {
      this.pollBackoff.reset();
      this.fruitless = 0;
      this.failure = null;
      this.trouble = null;
      this.emit(stamp, 'cumulative', this.flowsOf(result.frame, 'cumulative'));
      // A poll's wall time bounds its CPU time: space polls so that they stay within the budget.
      this.pollEveryMs = Math.min(this.timing.maxPollIntervalMs, Math.max(this.intervalMs, elapsed / this.budget));
      delay = Math.max(0, this.pollEveryMs - elapsed);
    } else {
      this.restartCount += 1;
      delay = this.pollBackoff.next();
      const explained = result.explained ?? { failing: false, reason: 'nettop printed no frame' };
      const text = `${explained.reason}; next poll in ${formatSeconds(delay)}`;
      if (explained.failing) this.failure = text;
      else this.trouble = text;
      this.log.warn('nettop poll failed', { reason: explained.reason, retryInMs: delay });
    }
    this.later(delay, () => void this.poll());
  }

  private async pollOnce(): Promise<{ frame: NettopFrame | null; explained: { failing: boolean; reason: string } | null }> {
    const [command, ...args] = this.pollingCommand() as [string, ...string[]];
    const child = spawnInGroup({ command, args, env: this.env });
    this.pollChild = child;
    const output: OutputTrace = { usage: [], stderr: [], logged: 0 };
    const frames: NettopFrame[] = [];
    const parser = new NettopParser({ onFrame: (f) => frames.push(f), onMalformed: (kind, line) => this.noteMalformed(output, kind, line) });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => parser.push(chunk));
    this.readStderr(child, output);
    // Not recorded for stray reaping: a one-shot nettop exits by itself, and is killed at its timeout.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== null) void terminateTree(child.pid, { graceMs: this.timing.killGraceMs, processTable: this.processTable, logger: this.log });
    }, this.timing.pollTimeoutMs);
    const exit = await child.exited;
    await child.closed;
    clearTimeout(timer);
    this.pollChild = null;
    if (timedOut) parser.discard();
    else parser.end();
    this.malformedDone += parser.malformedLines;
    if (timedOut) {
      return { frame: null, explained: { failing: false, reason: `nettop -L 1 took longer than ${formatSeconds(this.timing.pollTimeoutMs)} and was killed` } };
    }
    const frame = frames.at(-1) ?? null;
    if (frame !== null) return { frame, explained: null };
    return { frame: null, explained: this.explainFailure(exit, 0, output, this.pollingCommand()) };
  }

  // ---- shared ---------------------------------------------------------------------------------------

  private stampNow(): Stamp {
    const read = this.interfaceReader;
    return {
      wallMs: this.clock.now(),
      monoMs: this.clock.mono(),
      iface: read === null ? Promise.resolve(null) : read().catch(() => null),
    };
  }

  private flowsOf(frame: NettopFrame, mode: 'cumulative' | 'delta'): FlowCounter[] {
    return this.perConnection ? this.connectionFlows.flows(frame, mode) : processFlows(frame);
  }

  /** Emits in frame order even though interface counters are read asynchronously. */
  private emit(stamp: Stamp, mode: 'cumulative' | 'delta', flows: FlowCounter[]): void {
    this.emitChain = this.emitChain.then(async () => {
      const iface = await stamp.iface;
      if (this.stopped || this.onSample === null) return;
      this.lastSampleAt = stamp.wallMs;
      try {
        this.onSample({ wallMs: stamp.wallMs, monoMs: stamp.monoMs, mode, flows, closed: [], iface });
      } catch (error) {
        this.log.error('sample consumer threw', { error });
      }
    });
  }

  private readStderr(child: GroupChild, output: OutputTrace): void {
    child.stderr.setEncoding('utf8');
    let carry = '';
    child.stderr.on('data', (chunk: string) => {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.replace(/\r$/, '');
        if (line.trim().length === 0) continue;
        output.stderr.push(line);
        if (output.stderr.length > 20) output.stderr.shift();
        if (USAGE_PATTERN.test(line) && output.usage.length < 20) output.usage.push(line);
        if (output.logged < 20) this.log.warn('nettop stderr', { pid: child.pid, line });
        else if (output.logged === 20) this.log.warn('nettop stderr: further lines not logged', { pid: child.pid });
        output.logged += 1;
      }
    });
  }

  private noteMalformed(output: OutputTrace, kind: MalformedKind, line: string): void {
    if (kind === 'usage' && output.usage.length < 20) output.usage.push(line);
    if (output.logged < 20) this.log.debug('skipped a line of nettop output', { kind, line: line.slice(0, 200) });
    output.logged += 1;
  }

  private explainFailure(exit: ChildExit, frames: number, output: OutputTrace, argv: string[]): { failing: boolean; reason: string } {
    if (exit.error !== null) {
      const code = exit.error.code ?? 'error';
      const reason =
        code === 'ENOENT'
          ? `nettop not found at ${this.executable}`
          : code === 'EACCES'
            ? `nettop at ${this.executable} cannot be run (permission denied)`
            : `nettop at ${this.executable} could not be started: ${exit.error.message}`;
      return { failing: true, reason };
    }
    if (output.usage.length > 0) return { failing: true, reason: usageReason(output.usage, argv) };
    const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`;
    if (frames > 0) return { failing: false, reason: `nettop ${how} after ${frames} frame${frames === 1 ? '' : 's'}` };
    this.fruitless += 1;
    const said = output.stderr.length > 0 ? `; it said: ${output.stderr.slice(-3).join(' | ')}` : '';
    if (this.fruitless >= this.timing.failingAfter) {
      return { failing: true, reason: `nettop ${how} ${this.fruitless} times in a row without printing a frame${said}` };
    }
    return { failing: false, reason: `nettop ${how} before its first frame${said}` };
  }
}

/** Which of nettop's flags a usage text complains about, in words. */
export function usageReason(usageLines: readonly string[], argv: readonly string[]): string {
  const text = usageLines.join('\n');
  const flag =
    /illegal option -- (\S)/.exec(text)?.[1] ??
    /invalid option -- '?([^'\s])'?/.exec(text)?.[1] ??
    /(?:unrecognized|unknown) option[:\s]+'?(-{0,2}[^'\s]+)'?/.exec(text)?.[1] ??
    null;
  const ran = argv.map((a) => (a.includes('/') ? (a.split('/').at(-1) ?? a) : a)).join(' ');
  const named = flag === null ? null : flag.startsWith('-') ? flag : `-${flag}`;
  return named !== null
    ? `nettop printed its usage text instead of data: this macOS does not accept flag ${named} (ran: ${ran})`
    : `nettop printed its usage text instead of data: this macOS does not accept one of the flags of: ${ran}`;
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

/** nettop's arguments: `[-P] -L n [-s N] [-d] -x -n [-t external] -J bytes_in,bytes_out`. */
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
    'bytes_in,bytes_out',
  ];
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

/** What `checkNettop` found: a frame (how many flows, how long it took), or why not. */
export type NettopCheck =
  | { ok: true; flows: number; ms: number; malformedLines: number; interfaceCounters: boolean }
  | { ok: false; reason: string };

/**
 * Runs one poll of nettop (as `netmon doctor` would) and reports whether it printed a usable frame.
 * Gives up after `timeoutMs` (default 15 s); never throws.
 */
export function checkNettop(options: NettopSamplerOptions & { timeoutMs?: number } = {}): Promise<NettopCheck> {
  const sampler = new NettopSampler({ ...options, strategy: 'polling', stateDir: null });
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    let watch: NodeJS.Timeout | null = null;
    const finish = (result: NettopCheck): void => {
      if (done) return;
      done = true;
      if (watch !== null) clearTimeout(watch);
      void sampler.stop().then(() => resolve(result));
    };
    const deadline = started + (options.timeoutMs ?? 15_000);
    const look = (): void => {
      const health = sampler.health();
      if (health.state === 'failing') finish({ ok: false, reason: health.reason ?? 'nettop is failing' });
      else if (performance.now() > deadline) finish({ ok: false, reason: health.reason ?? 'nettop printed no frame in time' });
      else watch = setTimeout(look, 50);
    };
    sampler.start((sample) => {
      const health = sampler.health();
      finish({ ok: true, flows: sample.flows.length, ms: Math.round(performance.now() - started), malformedLines: health.malformedLines, interfaceCounters: sample.iface !== null });
    });
    look();
  });
}
