// The macOS sampler: per-connection (or, with `perConnection: false`, per-process `-P`) byte counters
// from `nettop`, interface totals from `netstat -ibn`.
//
// Per connection is the default: each connection row says its remote address and interface, so the
// browser extension's `ip` field joins to a browser's connections (exact per-site bytes, as on Linux) and
// a tunnel's apps are told from its provider. The process rows stay the authority for totals (flows.ts).
// `-P` stays selectable (config `nettop_per_connection: false`) for a machine where per-connection output
// costs too much; the CPU budget (budget.ts) applies to either.
//
// Two ways to run nettop, chosen by what it costs (its own CPU time, measured; the policy is budget.ts):
// - streaming (stream.ts): one long-lived `nettop -L 0 -s N -d …` under a pseudo-terminal;
// - polling (poll.ts): one `nettop -L 1 …` per interval, cumulative counters; polls then run no more
//   often than their own duration / budget allows (wall time of a poll bounds its CPU time), within
//   `maxPollIntervalMs`.
//
// Why `-d` when streaming and `-t external`: command.ts.
//
// Failures: a child that dies is restarted with exponential backoff; usage text (nettop exits 0 printing
// its usage on a flag it does not know) or repeated exits before a first frame make the health
// `failing`, with a reason a user can act on (explain.ts). Children run in their own process group and
// are killed as a whole tree; their pids go into `stateDir/nettop.pids.json` so that the next start
// reaps what a crash left running.
import { createLogger, type Logger } from '../../log.js';
import { systemClock, type Clock, type FlowCounter, type Sample, type Sampler, type SamplerHealth } from '../../types.js';
import { samplerHealth } from '../kit/health.js';
import { StderrDigest } from '../kit/stderr-digest.js';
import { PidRegistry, psProcessTable, psStartTimes, type ProcessTableReader } from '../process/index.js';
import { budgetStep, initialBudget, type BudgetEvent, type BudgetPolicy, type BudgetState } from './budget.js';
import { bsdScriptPty, formatSeconds, NETTOP_PATH, nettopArgs, percent, type NettopArgOptions, type PtyWrapper } from './command.js';
import { ConnectionFlows, processFlows } from './flows.js';
import { netstatInterfaceReader, type InterfaceReader, type InterfaceReading } from './netstat.js';
import type { NettopFrame } from './frame.js';
import type { Explained } from './explain.js';
import { DEFAULT_TIMING, type ModeContext, type NettopSamplerOptions, type NettopStrategy, type NettopTiming } from './options.js';
import { OwnerStartTimes } from './owners.js';
import { NettopPoller } from './poll.js';
import { NettopStream, processTreeCpuReader, type CpuReader, type Stamp } from './stream.js';

export { bsdScriptPty, nettopArgs, utilLinuxScriptPty, type NettopArgOptions, type PtyWrapper } from './command.js';
export { processTreeCpuReader, type CpuReader } from './stream.js';
export type { NettopSamplerOptions, NettopStrategy, NettopTiming } from './options.js';


/** Reads nettop per interval and emits samples; see the header comment for how and why. */
export class NettopSampler implements Sampler {
  readonly name = 'nettop';
  readonly #executable: string;
  readonly #intervalMs: number;
  readonly #intervalS: number;
  readonly #perConnection: boolean;
  readonly #deltas: boolean;
  readonly #externalOnly: boolean;
  readonly #budget: number;
  readonly #strategy: NettopStrategy;
  readonly #pty: PtyWrapper | null;
  readonly #cpuReader: CpuReader;
  readonly #processTable: ProcessTableReader;
  readonly #interfaceReader: InterfaceReader | null;
  readonly #startTimes: OwnerStartTimes | null;
  readonly #env: NodeJS.ProcessEnv;
  readonly #clock: Clock;
  readonly #timing: NettopTiming;
  readonly #policy: BudgetPolicy;
  readonly #registry: PidRegistry | null;
  readonly #log: Logger = createLogger('sampler:nettop');
  readonly #stderr = new StderrDigest(this.#log, 'nettop said');
  readonly #connectionFlows = new ConnectionFlows();

  #onSample: ((sample: Sample) => void) | null = null;
  #started = false;
  #stopped = false;
  #mode: 'streaming' | 'polling' = 'streaming';
  #stream: NettopStream | null = null;
  #poller: NettopPoller | null = null;
  /** A switch from streaming to polling in flight: `stop` waits for its kill. */
  #switching: Promise<void> | null = null;
  #emitChain: Promise<void> = Promise.resolve();

  #budgetState: BudgetState;
  #cpuShare: number | null = null;
  #probeAtMono: number | null = null;

  #restartCount = 0;
  #malformedDone = 0;
  #lastSampleAt: number | null = null;
  #fruitless = 0;
  #failure: string | null = null;
  #trouble: string | null = null;
  #cpuReason: string | null = null;

  constructor(options: NettopSamplerOptions = {}) {
    this.#executable = options.executable ?? NETTOP_PATH;
    this.#intervalS = options.intervalS ?? 5;
    this.#intervalMs = this.#intervalS * 1000;
    this.#perConnection = options.perConnection ?? true;
    this.#deltas = options.deltas ?? true;
    this.#externalOnly = options.externalOnly ?? true;
    this.#budget = options.cpuBudget ?? 0.05;
    this.#strategy = options.strategy ?? 'auto';
    this.#pty = options.ptyWrapper !== undefined ? options.ptyWrapper : process.platform === 'darwin' ? bsdScriptPty : null;
    this.#processTable = options.processTable ?? psProcessTable();
    this.#cpuReader = options.cpuReader ?? processTreeCpuReader(this.#processTable);
    this.#interfaceReader = options.interfaceReader !== undefined ? options.interfaceReader : process.platform === 'darwin' ? netstatInterfaceReader() : null;
    const startTimes = options.startTimes !== undefined ? options.startTimes : process.platform === 'darwin' ? psStartTimes() : null;
    this.#startTimes = startTimes === null ? null : new OwnerStartTimes(startTimes);
    this.#env = { ...process.env, ...options.env };
    this.#clock = options.clock ?? systemClock;
    this.#timing = { ...DEFAULT_TIMING, ...options.timing };
    const t = this.#timing;
    this.#policy = { budget: this.#budget, expensiveChecks: t.expensiveChecks, lowWaterFraction: t.lowWaterFraction, probeAfterMs: t.probeAfterMs, probeMaxMs: t.probeMaxMs };
    this.#budgetState = initialBudget(this.#policy);
    this.#registry = options.stateDir === undefined || options.stateDir === null ? null : new PidRegistry(options.stateDir, 'nettop');
    if (!(this.#intervalS > 0)) throw new Error(`nettop interval must be positive, got ${this.#intervalS}`);
    if (!(this.#budget > 0)) throw new Error(`nettop CPU budget must be positive, got ${this.#budget}`);
  }

  /** The argv of the streaming child (before any pty wrapper). */
  streamingCommand(): string[] {
    return [this.#executable, ...nettopArgs({ ...this.#argOptions(), samples: 0, intervalS: this.#intervalS, deltas: this.#deltas })];
  }

  /** The argv of one poll. */
  pollingCommand(): string[] {
    return [this.#executable, ...nettopArgs({ ...this.#argOptions(), samples: 1, intervalS: null, deltas: false })];
  }

  #argOptions(): Pick<NettopArgOptions, 'perConnection' | 'externalOnly'> {
    return { perConnection: this.#perConnection, externalOnly: this.#externalOnly };
  }

  start(onSample: (sample: Sample) => void): void {
    if (this.#started) throw new Error('NettopSampler already started');
    this.#started = true;
    this.#onSample = onSample;
    this.#log.info('starting', { strategy: this.#strategy, command: this.streamingCommand().join(' '), budget: this.#budget });
    if (this.#strategy === 'polling') this.#enterPolling();
    else this.#enterStreaming(false);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const stream = this.#stream;
    this.#stream = null;
    if (stream !== null) await this.#endStream(stream, false);
    if (this.#switching !== null) await this.#switching;
    await this.#poller?.stop();
    await this.#emitChain;
    this.#log.info('stopped', { restarts: this.#restartCount, malformedLines: this.#malformedCount() });
  }

  health(): SamplerHealth {
    return samplerHealth({
      sampler: this.name,
      running: !this.#stopped,
      sampled: this.#lastSampleAt !== null,
      problems: [
        this.#failure === null ? null : ['failing', this.#failure],
        this.#trouble === null ? null : ['degraded', this.#trouble],
        this.#cpuReason === null ? null : ['degraded', this.#cpuReason],
      ],
      restarts: this.#restartCount,
      malformedLines: this.#malformedCount(),
      lastSampleAt: this.#lastSampleAt,
      details: {
        mode: this.#mode,
        strategy: this.#strategy,
        childCpuShare: this.#cpuShare,
        cpuBudget: this.#budget,
        deltas: this.#deltas,
        perConnection: this.#perConnection,
        intervalS: this.#intervalS,
        pid: this.#mode === 'streaming' ? (this.#stream?.pid ?? null) : null,
        pollEveryS: this.#mode === 'polling' ? (this.#poller?.everyMs ?? this.#intervalMs) / 1000 : null,
        nextStreamingTryInS: this.#mode === 'polling' && this.#probeAtMono !== null ? Math.max(0, Math.round((this.#probeAtMono - this.#clock.mono()) / 1000)) : null,
        interfaceCounters: this.#interfaceReader !== null,
      },
    });
  }

  #malformedCount(): number {
    return this.#malformedDone + (this.#stream?.malformedLines ?? 0);
  }

  #budgetStep(event: BudgetEvent): 'stay' | 'poll' | 'passed' {
    const { state, action } = budgetStep(this.#budgetState, event, this.#policy);
    this.#budgetState = state;
    return action;
  }

  // ---- streaming ------------------------------------------------------------------------------------

  #enterStreaming(probe: boolean): void {
    this.#mode = 'streaming';
    this.#budgetStep({ type: 'stream', probe });
    this.#probeAtMono = null;
    if (probe) {
      // On probation: the budget sends it back to polling at the first reading above low water, and
      // this reason is cleared once the first readings pass.
      this.#cpuReason = `trying streaming again after it used ${percent(this.#cpuShare ?? 0)} of a core (budget ${percent(this.#budget)})`;
      this.#log.info('trying streaming again', { budget: this.#budget });
    }
    const stream: NettopStream = new NettopStream({
      spec: () => {
        const [command, ...args] = this.streamingCommand() as [string, ...string[]];
        return { ...(this.#pty === null ? { command, args } : this.#pty(command, args)), env: this.#env };
      },
      argv: () => this.streamingCommand(),
      ...this.#context(),
      executable: this.#executable,
      registry: this.#registry,
      cpuReader: this.#cpuReader,
      onFrame: (stamp, frame) => {
        const mode = this.#deltas && frame.index > 0 ? 'delta' : 'cumulative';
        this.#succeeded();
        this.#emit(stamp, mode, this.#flowsOf(frame, mode));
      },
      onExit: (explained, delayMs, exit, frames) => {
        this.#failed(explained, `restarting in ${formatSeconds(delayMs)}`);
        this.#log.warn('nettop exited', { code: exit.code, signal: exit.signal, frames, restartInMs: delayMs, reason: explained.reason });
      },
      onStall: (silentMs) => {
        this.#restartCount += 1;
        this.#trouble = `nettop stalled: no complete frame for ${formatSeconds(silentMs)}; restarted`;
      },
      onCpuShare: (share) => this.#cpuReading(share, stream),
    });
    this.#stream = stream;
    stream.start();
  }

  #cpuReading(share: number, stream: NettopStream): void {
    this.#cpuShare = share;
    if (this.#strategy !== 'auto' || this.#stream !== stream) return;
    const action = this.#budgetStep({ type: 'reading', share });
    if (action === 'passed') {
      this.#cpuReason = null;
      this.#log.info('streaming is within budget again', { share, budget: this.#budget });
    } else if (action === 'poll') {
      this.#switchToPolling(share, stream);
    }
  }

  #switchToPolling(share: number, stream: NettopStream): void {
    this.#stream = null;
    const waitMs = this.#budgetState.probeWaitMs;
    this.#probeAtMono = this.#clock.mono() + waitMs;
    this.#cpuReason = `streaming nettop used ${percent(share)} of a core (budget ${percent(this.#budget)}): polling instead, trying streaming again in ${formatSeconds(waitMs)}`;
    this.#log.warn('nettop too expensive; switching to polling', { share, budget: this.#budget, retryInMs: waitMs });
    // The frame in progress was printed whole before the kill (nettop prints a frame, then sleeps).
    this.#switching = this.#endStream(stream, true).then(() => {
      this.#switching = null;
      if (!this.#stopped) this.#enterPolling();
    });
  }

  async #endStream(stream: NettopStream, complete: boolean): Promise<void> {
    await stream.stop(complete);
    this.#malformedDone += stream.malformedLines;
  }

  // ---- polling --------------------------------------------------------------------------------------

  #enterPolling(): void {
    this.#mode = 'polling';
    const poller: NettopPoller = new NettopPoller({
      ...this.#context(),
      argv: this.pollingCommand(),
      env: this.#env,
      budget: this.#budget,
      probeDue: () => this.#strategy === 'auto' && this.#probeAtMono !== null && this.#clock.mono() >= this.#probeAtMono,
      onProbe: () => {
        if (this.#poller === poller) this.#poller = null;
        if (!this.#stopped) this.#enterStreaming(true);
      },
      onFrame: (stamp, frame) => {
        this.#succeeded();
        this.#emit(stamp, 'cumulative', this.#flowsOf(frame, 'cumulative'));
      },
      onFailure: (explained, delayMs) => {
        this.#failed(explained, `next poll in ${formatSeconds(delayMs)}`);
        this.#log.warn('nettop poll failed', { reason: explained.reason, retryInMs: delayMs });
      },
      onMalformedLines: (count) => (this.#malformedDone += count),
    });
    this.#poller = poller;
    poller.start();
  }

  // ---- shared ---------------------------------------------------------------------------------------

  /** What both modes (streaming, polling) are given. */
  #context(): Omit<ModeContext, 'onFrame'> {
    return {
      intervalMs: this.#intervalMs,
      timing: this.#timing,
      processTable: this.#processTable,
      stderr: this.#stderr,
      clock: this.#clock,
      log: this.#log,
      stamp: (iface) => this.#stampNow(iface),
      readInterfaces: () => this.#readInterfaces(),
      fruitless: () => this.#fruitless,
    };
  }

  /** A child or a poll that gave no frame: counted, and said in the health with what happens next. */
  #failed(explained: Explained, next: string): void {
    this.#restartCount += 1;
    if (explained.fruitless) this.#fruitless += 1;
    const text = `${explained.reason}; ${next}`;
    if (explained.failing) this.#failure = text;
    else this.#trouble = text;
  }

  #succeeded(): void {
    this.#fruitless = 0;
    this.#failure = null;
    this.#trouble = null;
  }

  /** Now, with the interface counters read at once (asynchronously: `#emit` waits for them), or the reading given. */
  #stampNow(iface?: Promise<InterfaceReading | null>): Stamp {
    return { wallMs: this.#clock.now(), monoMs: this.#clock.mono(), iface: iface ?? this.#readInterfaces() ?? Promise.resolve(null) };
  }

  #readInterfaces(): Promise<InterfaceReading | null> | null {
    const read = this.#interfaceReader;
    return read === null ? null : read().catch(() => null);
  }

  #flowsOf(frame: NettopFrame, mode: 'cumulative' | 'delta'): FlowCounter[] {
    return this.#perConnection ? this.#connectionFlows.flows(frame, mode) : processFlows(frame);
  }

  /** Emits in frame order even though interface counters and start times are read asynchronously. */
  #emit(stamp: Stamp, mode: 'cumulative' | 'delta', flows: FlowCounter[]): void {
    this.#emitChain = this.#emitChain.then(async () => {
      const reading = await stamp.iface;
      const owned = this.#startTimes === null ? flows : await this.#startTimes.stamp(flows);
      if (this.#stopped || this.#onSample === null) return;
      this.#lastSampleAt = stamp.wallMs;
      try {
        // Per interface too: without them the tunnel stage would take the sum of every interface (en0 and
        // a VPN's utun) as the network total, counting tunnelled bytes twice.
        const iface = reading === null ? null : { bytesIn: reading.bytesIn, bytesOut: reading.bytesOut };
        this.#onSample({ wallMs: stamp.wallMs, monoMs: stamp.monoMs, mode, flows: owned, closed: [], iface, interfaces: reading?.interfaces });
      } catch (error) {
        this.#log.error('sample consumer threw', { error });
      }
    });
  }
}
