// Streaming nettop: one long-lived `nettop -L 0 -s N [-d] …` under a pseudo-terminal, kept running by a
// RestartingChild. A frame is complete when the next header arrives, so a sample is one interval late;
// it is stamped with the time its header arrived. Its interface counters are read ahead of it: a quarter
// interval (at most 250 ms) before the next frame is due (`#armPreRead`). Read when the frame arrives, they
// would run ahead of nettop's rows (nettop read its sockets before printing, netstat reads later), and the
// bytes of that moment were counted twice whenever traffic stopped: attribution carries a surplus of the
// rows over the interfaces forward to later remainders (a lag is settled), but a remainder stored
// before the rows catch up stays (a lead is not). Measured with the nettop stand-in on real traffic:
// 1–5 % too much over 3 s of traffic (tests/integration/nettop-netns.test.ts). A frame that comes before
// its reading is stamped with one read at once, as before. No complete frame for `stallIntervals` intervals kills
// and restarts the child (its unfinished frame is dropped and counted as malformed). Every `cpuCheckMs`
// the CPU share of the child's tree is measured and handed to the sampler (the budget, budget.ts).
import { Timers } from '../kit/timers.js';
import { psProcessTable, RestartingChild, treeCpuSeconds, type ChildExit, type GroupChild, type PidRegistry, type ProcessTableReader, type SpawnSpec } from '../process/index.js';
import { explainExit, noteMalformed, outputTrace, type Explained, type OutputTrace } from './explain.js';
import type { NettopFrame } from './frame.js';
import type { InterfaceReading } from './netstat.js';
import type { ModeContext } from './options.js';
import { NettopParser } from './parse.js';

/** CPU seconds used so far by the process tree rooted at `pid`; null when unknown. */
export type CpuReader = (pid: number) => Promise<number | null>;

/** A CpuReader from the process table (`ps`): the pid's own time plus its descendants'. */
export function processTreeCpuReader(processTable: ProcessTableReader = psProcessTable()): CpuReader {
  return async (pid) => treeCpuSeconds(await processTable(), pid);
}

/** When a frame's sample was taken. */
export interface Stamp {
  wallMs: number;
  monoMs: number;
  /** The interface counters, read from the same moment. */
  iface: Promise<InterfaceReading | null>;
}

/** What the stream needs from the sampler, and tells it. */
export interface StreamOptions extends ModeContext {
  spec: () => SpawnSpec;
  argv: () => readonly string[];
  executable: string;
  registry: PidRegistry | null;
  cpuReader: CpuReader;
  onExit: (explained: Explained, delayMs: number, exit: ChildExit, frames: number) => void;
  onStall: (silentMs: number) => void;
  /** A CPU reading of the stream's tree, as a share of one core. */
  onCpuShare: (share: number) => void;
}

interface Run {
  child: GroupChild;
  parser: NettopParser;
  frames: number;
  stamp: Stamp | null;
  lastProgressMono: number;
  output: OutputTrace;
  /** The interface counters read ahead of the next frame, and which arming read them. */
  preRead: Promise<InterfaceReading | null> | null;
  preArm: number;
}

/** How long before a frame is due its interface counters are read: a quarter interval, at most this. */
export const PRE_READ_MAX_MS = 250;

/** One streaming episode (until the sampler switches to polling or stops). */
export class NettopStream {
  readonly #o: StreamOptions;
  readonly #child: RestartingChild;
  readonly #timers = new Timers();
  #run: Run | null = null;
  #stopped = false;
  #malformed = 0;
  #cpuBase: { pid: number; cpu: number; mono: number } | null = null;

  constructor(options: StreamOptions) {
    this.#o = options;
    this.#child = new RestartingChild({
      name: 'nettop',
      spec: options.spec,
      onSpawn: (child) => this.#attach(child),
      onExit: (exit, child, delay) => this.#exited(exit, child, delay),
      backoff: { initialMs: options.timing.backoffInitialMs, maxMs: options.timing.backoffMaxMs },
      resetAfterMs: options.timing.backoffResetAfterMs,
      registry: options.registry,
      processTable: options.processTable,
      killGraceMs: options.timing.killGraceMs,
      clock: options.clock,
      logger: options.log,
    });
  }

  /** The streaming child's pid, while one runs. */
  get pid(): number | null {
    return this.#run?.child.pid ?? null;
  }

  /** Unreadable lines of this episode's children. */
  get malformedLines(): number {
    return this.#malformed + (this.#run?.parser.malformedLines ?? 0);
  }

  start(): void {
    this.#child.start();
    this.#watchdog();
    this.#cpuWatch();
  }

  /** Kills the child; `complete` takes the frame in progress as whole (nettop prints a frame, then sleeps), else drops it. */
  async stop(complete: boolean): Promise<void> {
    this.#stopped = true;
    this.#timers.close();
    await this.#child.stop();
    this.#retire(complete);
  }

  #attach(child: GroupChild): void {
    this.#retire(false);
    const output = outputTrace(this.#o.stderr, child.stderr);
    const run: Run = {
      child,
      frames: 0,
      stamp: null,
      preRead: null,
      preArm: 0,
      lastProgressMono: this.#o.clock.mono(),
      output,
      parser: new NettopParser({
        onFrameStart: () => {
          const early = run.preRead;
          run.preRead = null;
          run.stamp = this.#o.stamp(early ?? undefined);
          run.lastProgressMono = run.stamp.monoMs;
          this.#armPreRead(run);
        },
        onFrame: (frame) => this.#frame(run, frame),
        onMalformed: (kind, line) => noteMalformed(output, kind, line, this.#o.log),
      }),
    };
    this.#run = run;
    this.#cpuBase = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (this.#run === run) run.parser.push(chunk);
    });
    if (child.pid !== null) this.#o.log.info('nettop started', { pid: child.pid, mode: 'streaming' });
  }

  /** Ends the current run's parsing: `complete` takes its last frame as whole, else drops it. */
  #retire(complete: boolean): void {
    const run = this.#run;
    if (run === null) return;
    if (complete) run.parser.end();
    else run.parser.discard();
    this.#malformed += run.parser.malformedLines;
    this.#run = null;
  }

  #frame(run: Run, frame: NettopFrame): void {
    if (this.#run !== run || this.#stopped) return;
    run.frames += 1;
    const stamp = run.stamp ?? this.#o.stamp();
    run.stamp = null;
    this.#o.onFrame(stamp, frame);
  }

  /** Reads the interface counters a little before the next frame is due, for its stamp. */
  #armPreRead(run: Run): void {
    run.preArm += 1;
    const arm = run.preArm;
    const lead = Math.min(PRE_READ_MAX_MS, this.#o.intervalMs / 4);
    this.#timers.later(this.#o.intervalMs - lead, () => {
      if (this.#run !== run || run.preArm !== arm) return;
      run.preRead = this.#o.readInterfaces();
    });
  }

  #exited(exit: ChildExit, child: GroupChild, delayMs: number): void {
    const run = this.#run;
    if (run === null || run.child !== child) return;
    // End of input: the frame in progress is complete unless cut off mid-line.
    run.parser.end();
    const frames = run.frames;
    this.#retire(false);
    this.#o.onExit(explainExit(exit, frames, run.output, this.#o.argv(), this.#o.executable, this.#o.fruitless(), this.#o.timing.failingAfter), delayMs, exit, frames);
  }

  #watchdog(): void {
    const tick = Math.max(50, Math.min(1000, this.#o.intervalMs / 4));
    this.#timers.later(tick, () => {
      const run = this.#run;
      if (run !== null && !run.child.hasExited() && this.#child.current === run.child) {
        const limit = this.#o.timing.stallIntervals * this.#o.intervalMs + (run.frames === 0 ? this.#o.timing.startGraceMs : 0);
        const silentMs = this.#o.clock.mono() - run.lastProgressMono;
        if (silentMs > limit) {
          this.#retire(false); // its unfinished frame is stale: dropped, counted as partial
          this.#o.onStall(silentMs);
          this.#o.log.warn('nettop stalled; restarting', { silentMs, pid: run.child.pid });
          void this.#child.restart('stall').then(() => this.#watchdog());
          return;
        }
      }
      this.#watchdog();
    });
  }

  #cpuWatch(): void {
    this.#timers.later(this.#o.timing.cpuCheckMs, () => void this.#cpuCheck());
  }

  async #cpuCheck(): Promise<void> {
    const run = this.#run;
    const pid = run?.child.pid ?? null;
    if (run === null || pid === null || run.child.hasExited() || run.frames === 0) {
      this.#cpuWatch();
      return;
    }
    const cpu = await this.#o.cpuReader(pid).catch(() => null);
    if (this.#stopped) return;
    if (this.#run !== run) {
      this.#cpuWatch();
      return;
    }
    const mono = this.#o.clock.mono();
    const base = this.#cpuBase;
    if (cpu !== null) this.#cpuBase = { pid, cpu, mono };
    if (cpu !== null && base !== null && base.pid === pid && mono > base.mono) {
      this.#o.onCpuShare(Math.max(0, cpu - base.cpu) / ((mono - base.mono) / 1000));
    }
    this.#cpuWatch();
  }
}
