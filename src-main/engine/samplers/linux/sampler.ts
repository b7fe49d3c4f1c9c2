// The unprivileged Linux sampler: once per interval one `ss -tinpeHO` (every TCP socket with its owner,
// cookie and tcp_info counters) and /proc/net/dev (interface totals); in between, a long-lived
// `ss -E -tineHO` that prints each TCP socket as it is destroyed, with its final counters, so that a
// connection shorter than an interval is still counted (event-stream.ts).
//
// How the pieces fit (see also ss-parse.ts for what the counters mean):
// - Flows are keyed by socket cookie and are cumulative, kept in a FlowBook (kit/flow-book.ts): a cookie
//   absent from the previous successful poll is a socket born since (`newSincePrevious`).
// - Owners come from `users:` and /proc, and stick to the cookie (owners.ts); a close event (which never
//   names an owner) gets the owner the book holds; one no poll ever saw has owner null (unattributed).
// - A cookie missing from a poll is repeated with its last counters until its close event arrives (or
//   `vanishedFlowTtlMs` passes). The event can come a moment after the poll that no longer lists the
//   socket, or much later: a connection reset by the peer leaves the kernel's tables at once, but is
//   destroyed (and reported) only when its process closes it.
// - Sockets whose far end is this machine (loopback, or one of our own addresses) are left out: their
//   bytes go over `lo`, which the interface totals exclude.
// - UDP is not here: the kernel's socket diagnostics keep no byte counters for UDP sockets, so UDP and
//   QUIC bytes only show in the interface totals, as unattributed.
import { createLogger, type Logger } from '../../log.js';
import type { Clock, FlowCounter, RemoteEndpoint, Sample, Sampler, SamplerHealth } from '../../types.js';
import { systemClock } from '../../types.js';
import { FlowBook } from '../kit/flow-book.js';
import { samplerHealth } from '../kit/health.js';
import { IntervalLoop } from '../kit/interval-loop.js';
import { ifaceTotals, NetViewReader } from '../kit/net-view.js';
import { StderrDigest } from '../kit/stderr-digest.js';
import { findExecutable, PidRegistry, terminateTree, type BackoffOptions, type GroupChild } from '../process/index.js';
import { CloseEvents } from './event-stream.js';
import { resolveOwners } from './owners.js';
import { ProcReader } from './proc.js';
import { flowId, pollSs, remoteOf, SS_POLL_ARGS, SS_QUICK_POLL_ARGS, type PollResult } from './ss-command.js';
import { payloadBytes, type SsSocket } from './ss-parse.js';

/** Options of the Linux sampler. */
export interface LinuxSamplerOptions {
  /** Sampling interval, ms. Default 5000. */
  intervalMs?: number;
  clock?: Clock;
  /** The `ss` executable (a setting). Default `ss` on PATH. */
  ssPath?: string;
  /** Root of the proc filesystem. Default `/proc`. */
  procRoot?: string;
  /**
   * `stdbuf`, to make the close-event stream line-buffered: ss never flushes its output, so through a
   * pipe events would arrive in 4 KB batches and the last ones be lost when it is stopped. null runs ss
   * directly. Default `stdbuf` (coreutils); if it is not found, ss runs directly.
   */
  stdbufPath?: string | null;
  /**
   * `setpriv`, to give the close-event stream a parent-death signal: were we killed without a chance to
   * stop it, ss -E would otherwise wait for the next socket event to notice. null: none. Default
   * `setpriv` (util-linux), skipped if not found.
   */
  setprivPath?: string | null;
  /** Where the close-event stream's pid file lives (`linux.pids.json`), reaped at the next start; null: none. */
  stateDir?: string | null;
  /**
   * `stop()` takes one last sample before it kills the children, so the bytes since the previous
   * sample (and close events still pending) are not lost at shutdown. Default true.
   */
  finalSampleOnStop?: boolean;
  /** How long one poll may take before it is killed. Default max(10 s, 2 × interval). */
  pollTimeoutMs?: number;
  /** Restart delays of the close-event stream. Default 1 s doubling to 30 s. */
  eventBackoff?: BackoffOptions;
  /** How long a socket missing from the polls is repeated while its close event is awaited. Default 30 min. */
  vanishedFlowTtlMs?: number;
  logger?: Logger;
}

/** The Linux sampler: `ss` polls + close events + /proc, no privileges needed. */
export class LinuxSampler implements Sampler {
  readonly name = 'linux';
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #ssPath: string;
  readonly #pollTimeoutMs: number;
  readonly #finalSampleOnStop: boolean;
  readonly #log: Logger;
  readonly #proc: ProcReader;
  readonly #net: NetViewReader;
  readonly #events: CloseEvents;
  readonly #loop: IntervalLoop;
  readonly #stderr: StderrDigest;
  readonly #book: FlowBook;
  readonly #lineBuffered: boolean;

  #onSample: ((sample: Sample) => void) | null = null;
  #started = false;
  #pollChild: GroupChild | null = null;
  #pollProblem: string | null = null;
  #malformed = 0;
  #lastSampleAt: number | null = null;
  #lastPollMs: number | null = null;
  #lastFlows = 0;
  #lastClosed = 0;
  #lastVanished = 0;
  #closedUnjoined = 0;

  constructor(options: LinuxSamplerOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#clock = options.clock ?? systemClock;
    this.#ssPath = options.ssPath ?? 'ss';
    const procRoot = options.procRoot ?? '/proc';
    const stdbufPath = findExecutable(options.stdbufPath === undefined ? 'stdbuf' : options.stdbufPath);
    const setprivPath = findExecutable(options.setprivPath === undefined ? 'setpriv' : options.setprivPath);
    this.#lineBuffered = stdbufPath !== null;
    this.#pollTimeoutMs = options.pollTimeoutMs ?? Math.max(10_000, 2 * this.#intervalMs);
    this.#finalSampleOnStop = options.finalSampleOnStop ?? true;
    this.#book = new FlowBook(options.vanishedFlowTtlMs ?? 30 * 60_000);
    this.#log = options.logger ?? createLogger('sampler:linux');
    this.#proc = new ProcReader(procRoot);
    this.#net = new NetViewReader(procRoot, this.#log);
    this.#stderr = new StderrDigest(this.#log, 'ss said');
    this.#events = new CloseEvents({
      ssPath: this.#ssPath,
      stdbufPath,
      setprivPath,
      backoff: options.eventBackoff ?? { initialMs: 1000, maxMs: 30_000 },
      registry: options.stateDir === undefined || options.stateDir === null ? null : new PidRegistry(options.stateDir, 'linux'),
      stderr: this.#stderr,
      clock: this.#clock,
      logger: this.#log,
    });
    this.#loop = new IntervalLoop({ intervalMs: this.#intervalMs, clock: this.#clock, log: this.#log, tick: (final) => this.#tick(final) });
  }

  start(onSample: (sample: Sample) => void): void {
    if (this.#started) throw new Error('LinuxSampler already started');
    this.#started = true;
    this.#onSample = onSample;
    this.#events.start();
    this.#loop.start(0);
  }

  /** Stops; unless `finalSampleOnStop` is false, emits one last sample first (see the option). */
  async stop(): Promise<void> {
    if (!this.#loop.running) return;
    await this.#loop.stop(() => this.#finalSampleOnStop && this.#book.counting);
    const poll = this.#pollChild;
    await Promise.all([this.#events.stop(), poll !== null && poll.pid !== null ? terminateTree(poll.pid, { logger: this.#log }) : Promise.resolve()]);
    this.#onSample = null;
  }

  health(): SamplerHealth {
    return samplerHealth({
      sampler: this.name,
      running: this.#loop.running,
      sampled: this.#book.counting,
      problems: [
        this.#pollProblem === null ? null : ['failing', this.#pollProblem],
        this.#events.state !== 'down' ? null : ['degraded', `close events unavailable (${this.#events.problem ?? 'the ss -E stream stopped'}): short-lived connections may be missed`],
        this.#net.problem === null ? null : ['degraded', this.#net.problem],
      ],
      restarts: this.#events.restarts,
      malformedLines: this.#malformed + this.#events.malformed,
      lastSampleAt: this.#lastSampleAt,
      details: {
        intervalMs: this.#intervalMs,
        ssPath: this.#ssPath,
        closeEvents: this.#events.state,
        closeEventsLineBuffered: this.#lineBuffered,
        lastPollMs: this.#lastPollMs,
        flows: this.#lastFlows,
        awaitingCloseEvent: this.#lastVanished,
        closedLastSample: this.#lastClosed,
        closedWithoutOwner: this.#closedUnjoined,
        processesCached: this.#proc.size,
        seesAllOwners: process.getuid?.() === 0,
        udp: 'interface totals only',
      },
    });
  }

  /** One poll and one sample; `final` is the last one, taken by `stop()`. */
  async #tick(final: boolean): Promise<void> {
    // The interface counters are read BEFORE the socket dump and the close events, so that any skew
    // always goes one way: the flows may hold bytes the interfaces count only in the next sample, never
    // the reverse. The pipeline settles that surplus against the next remainder (see attribute's carry);
    // the reverse order would store such bytes twice, once as unattributed and once under their app.
    const { netDev, localAddresses } = await this.#net.read();
    const pollStart = this.#clock.mono();
    let poll: PollResult | null = null;
    try {
      poll = await this.#poll(SS_QUICK_POLL_ARGS);
      if (this.#hasNewSockets(poll, localAddresses)) poll = await this.#poll(SS_POLL_ARGS);
      this.#pollProblem = null;
      this.#lastPollMs = Math.round(this.#clock.mono() - pollStart);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.#pollProblem !== message) this.#log.error('ss poll failed', { error: message });
      this.#pollProblem = message;
    }
    if (!this.#loop.running && !final) return;

    // Sockets worth a flow: connected, with counters, and leaving this machine.
    const counted: { socket: SsSocket; remote: RemoteEndpoint }[] = [];
    for (const socket of poll?.sockets ?? []) {
      const remote = remoteOf(socket, localAddresses);
      if (remote !== null && socket.hasTcpInfo) counted.push({ socket, remote });
    }
    const owners = await resolveOwners(
      counted.map((c) => c.socket),
      this.#proc,
      (cookie) => this.#book.owner(flowId(cookie)) ?? null,
    );
    if (!this.#loop.running && !final) return;

    // Everything below is synchronous: close events that arrive meanwhile belong to the next sample.
    const closedNow = this.#events.take();
    const closedCookies = new Set(closedNow.map((s) => s.cookie));
    const flows: FlowCounter[] = [];
    const now = this.#clock.mono();

    if (poll !== null) {
      this.#malformed += poll.malformed;
      if (poll.malformed > 0) this.#log.warn('skipped unreadable ss lines', { count: poll.malformed, first: poll.malformedSamples[0] });
      this.#book.beginRound();
      for (const { socket, remote } of counted) {
        const id = flowId(socket.cookie);
        const owner = owners.get(socket.cookie) ?? this.#book.owner(id) ?? null;
        const flow = this.#book.list(id, owner, remote, payloadBytes(socket), now);
        // Closed between the dump and now: its close event below carries the final counters.
        if (!closedCookies.has(socket.cookie)) flows.push(flow);
      }
    }

    const closed: FlowCounter[] = [];
    let unjoined = 0;
    for (const socket of closedNow) {
      const id = flowId(socket.cookie);
      const remote = remoteOf(socket, localAddresses);
      if (remote === null) {
        this.#book.forget(id);
        continue;
      }
      const { flow, joined } = this.#book.close(id, remote, payloadBytes(socket));
      if (!joined) unjoined += 1;
      closed.push(flow);
    }

    // Vanished but not yet closed: repeat the last counters (see the header comment). A failed poll
    // repeats every flow: no news is not a reset.
    const held = this.#book.held(now, poll === null);
    flows.push(...held.flows);

    if (poll !== null) this.#book.endRound();
    this.#proc.sweep();
    this.#lastFlows = flows.length;
    this.#lastVanished = held.vanished;
    this.#lastClosed = closed.length;
    this.#closedUnjoined = unjoined;
    const sample: Sample = { wallMs: this.#clock.now(), monoMs: this.#clock.mono(), mode: 'cumulative', flows, closed, iface: ifaceTotals(netDev), interfaces: netDev?.interfaces };
    this.#lastSampleAt = sample.wallMs;
    this.#onSample?.(sample);
  }

  /** Whether a poll lists a counted socket this sampler has never seen, whose owner must be found. */
  #hasNewSockets(poll: PollResult, localAddresses: ReadonlySet<string>): boolean {
    return poll.sockets.some((socket) => socket.hasTcpInfo && remoteOf(socket, localAddresses) !== null && !this.#book.has(flowId(socket.cookie)));
  }

  #poll(args: readonly string[]): Promise<PollResult> {
    return pollSs(args, {
      ssPath: this.#ssPath,
      timeoutMs: this.#pollTimeoutMs,
      stderr: this.#stderr.transcript(),
      onSpawn: (child) => (this.#pollChild = child),
      logger: this.#log,
    });
  }
}
