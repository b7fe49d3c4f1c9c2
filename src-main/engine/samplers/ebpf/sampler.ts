// The privileged Linux sampler: netmon-capture (a small root or capability-holding helper, built from
// netmon-capture.c and netmon-capture.bpf.c in this folder) counts every TCP and UDP payload byte in the
// kernel, per socket and, for UDP, per peer, with the process that uses the socket. Unlike the `ss`
// sampler it sees UDP/QUIC and connections far shorter than an interval, and passes up the first bytes
// of packets that name a destination (DNS answers, TLS ClientHellos, QUIC Initials).
//
// How the pieces fit:
// - One long-lived helper, run with `--on-request`: each interval we read the interface counters first
//   and then ask for a snapshot (snapshot-request.ts), so that any skew goes the way the pipeline
//   expects (flows may hold bytes the interfaces count only next time, never the reverse; see the
//   Linux sampler). The helper's files under /proc/PID/net are read, not ours: they describe the
//   network namespace it measures, which is ours except in tests.
// - Counters are cumulative per key, kept in a FlowBook. A key not in the previous snapshot is new: all
//   its bytes are new (the helper counts from when it started). A released socket comes once as
//   `closed` with its final counters, after it has been quiet for a moment.
// - When the helper dies and restarts, its counters start again at zero; the last counters of each
//   key are carried and added to the new helper's (`Carry`), so the delta engine never sees a counter
//   go down, and a carried key is repeated until the new helper lists it. The same holds across a
//   restart of netmon itself: the sockets a resumed run carries (`resumeSockets`) are listed from the
//   first sample with zero counters (this helper's terms) until the helper lists them.
// - Owners: owners.ts. Traffic that stays on this machine is left out, as in the Linux sampler; its
//   packet starts are kept: a DNS answer from a local resolver (127.0.0.53) still names addresses.
import { createLineSplitter } from '../../line-splitter.js';
import { createLogger, type Logger } from '../../log.js';
import type { Clock, FlowCounter, PayloadEvent, RemoteEndpoint, ResumedSocket, Sample, Sampler, SamplerHealth } from '../../types.js';
import { systemClock } from '../../types.js';
import { FlowBook } from '../kit/flow-book.js';
import { samplerHealth } from '../kit/health.js';
import { IntervalLoop } from '../kit/interval-loop.js';
import { ifaceTotals, NetViewReader, type NetView } from '../kit/net-view.js';
import { StderrDigest, type StderrTranscript } from '../kit/stderr-digest.js';
import { PidRegistry, RestartingChild, type BackoffOptions, type ChildExit, type GroupChild, type SpawnSpec } from '../process/index.js';
import { isLoopbackAddress, ProcReader } from '../linux/proc.js';
import { defaultHelperPath, describeHelperExit } from './helper-path.js';
import { HelperOwners, type OwnerOf } from './owners.js';
import { CAPTURE_PROTOCOL_VERSION, captureFlowId, payloadEvent, SnapshotAssembler, type CaptureFlow, type CaptureLosses, type CaptureSnapshot } from './protocol.js';
import { Carry, SnapshotRequests } from './snapshot-request.js';

export { defaultHelperPath, helperPathFrom } from './helper-path.js';

/** Longest helper line read; a longer one is dropped with its snapshot. */
const MAX_HELPER_LINE_CHARS = 64 * 1024;

/** Options of the eBPF sampler. */
export interface EbpfSamplerOptions {
  /** The helper executable. Default `defaultHelperPath()`. */
  helperPath?: string;
  /**
   * Put before the helper's command line: e.g. `['sudo', '-n']`, or in tests
   * `['nsenter', '--net=/run/netns/NAME']` to measure another network namespace. Default none.
   */
  launcher?: readonly string[];
  /** Sampling interval, ms. Default 5000. */
  intervalMs?: number;
  clock?: Clock;
  /** Root of the proc filesystem (owners). Default `/proc`. */
  procRoot?: string;
  /** `ss`, to find the owner of a socket the kernel hooks never saw used (see owners.ts); null: never. Default `ss`. */
  ssPath?: string | null;
  /** Restart delays of the helper. Default 1 s doubling to 60 s. */
  backoff?: BackoffOptions;
  /** How long a snapshot may take before the helper is declared stuck and restarted. Default 10 s. */
  snapshotTimeoutMs?: number;
  /** `stop()` takes one last sample before it stops the helper. Default true. */
  finalSampleOnStop?: boolean;
  /** Where the helper's pid file lives (`ebpf.pids.json`), reaped at the next start; null: none. */
  stateDir?: string | null;
  logger?: Logger;
}

type HelperState = 'starting' | 'up' | 'down' | 'stopped';

/** How long a key carried over from an ended helper is repeated while the new one does not list it. */
const CARRY_TTL_MS = 10 * 60_000;

const NO_LOSSES: CaptureLosses = { flowMapFull: 0, flowMapFullBytes: 0, ownerMapFull: 0, packetStartsLost: 0 };

/** The eBPF sampler: every TCP/UDP byte per socket with its process, through the netmon-capture helper. */
export class EbpfSampler implements Sampler {
  readonly name = 'ebpf';
  readonly #helperPath: string;
  readonly #launcher: readonly string[];
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #snapshotTimeoutMs: number;
  readonly #finalSampleOnStop: boolean;
  readonly #log: Logger;
  readonly #proc: ProcReader;
  readonly #net: NetViewReader;
  readonly #owners: HelperOwners;
  readonly #child: RestartingChild;
  readonly #loop: IntervalLoop;
  readonly #stderr: StderrDigest;
  readonly #requests = new SnapshotRequests();
  readonly #book = new FlowBook(CARRY_TTL_MS);
  readonly #carry = new Carry();

  #onSample: ((sample: Sample) => void) | null = null;
  #started = false;
  #assembler = new SnapshotAssembler();
  #malformedBefore = 0;
  #helperState: HelperState = 'starting';
  #helperProblem: string | null = null;
  #helperPid: number | null = null;
  #helperStderr: StderrTranscript | null = null;
  #samples = 0;
  #losses: CaptureLosses = NO_LOSSES;
  #lossesBase: CaptureLosses = NO_LOSSES;
  #lastSampleAt: number | null = null;
  #lastFlows = 0;
  #lastClosed = 0;
  #lastPayloads = 0;
  #lastSnapshotMs: number | null = null;
  /** Sockets carried over by a resumed run, put in the book at the first snapshot. */
  #resumed: readonly ResumedSocket[] = [];

  constructor(options: EbpfSamplerOptions = {}) {
    this.#helperPath = options.helperPath ?? defaultHelperPath();
    this.#launcher = options.launcher ?? [];
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#clock = options.clock ?? systemClock;
    this.#snapshotTimeoutMs = options.snapshotTimeoutMs ?? 10_000;
    this.#finalSampleOnStop = options.finalSampleOnStop ?? true;
    this.#log = options.logger ?? createLogger('sampler:ebpf');
    this.#proc = new ProcReader(options.procRoot ?? '/proc');
    this.#net = new NetViewReader(options.procRoot ?? '/proc', this.#log);
    this.#owners = new HelperOwners({ proc: this.#proc, ssPath: options.ssPath === undefined ? 'ss' : options.ssPath, launcher: this.#launcher, logger: this.#log });
    this.#stderr = new StderrDigest(this.#log, 'netmon-capture said');
    this.#child = new RestartingChild({
      name: 'netmon-capture',
      spec: () => this.#spec(),
      onSpawn: (child) => this.#attach(child),
      onExit: (exit, child, delay) => this.#ended(exit, child, delay),
      backoff: options.backoff ?? { initialMs: 1000, maxMs: 60_000 },
      resetAfterMs: 60_000,
      registry: options.stateDir === undefined || options.stateDir === null ? null : new PidRegistry(options.stateDir, 'ebpf'),
      clock: this.#clock,
      logger: this.#log,
    });
    this.#loop = new IntervalLoop({ intervalMs: this.#intervalMs, clock: this.#clock, log: this.#log, tick: (final) => this.#tick(final) });
  }

  start(onSample: (sample: Sample) => void): void {
    if (this.#started) throw new Error('EbpfSampler already started');
    this.#started = true;
    this.#onSample = onSample;
    this.#helperState = 'starting';
    this.#child.start();
    this.#loop.start(this.#intervalMs);
  }

  resumeSockets(sockets: readonly ResumedSocket[]): void {
    if (this.#started) throw new Error('EbpfSampler: resumeSockets() comes before start()');
    this.#resumed = sockets;
  }

  /** Stops; unless `finalSampleOnStop` is false, emits one last sample first. */
  async stop(): Promise<void> {
    if (!this.#loop.running) return;
    await this.#loop.stop(() => this.#finalSampleOnStop && this.#helperState === 'up');
    await this.#child.stop();
    this.#requests.answer(null);
    this.#helperState = 'stopped';
    this.#onSample = null;
  }

  health(): SamplerHealth {
    const losses = this.#losses;
    return samplerHealth({
      sampler: this.name,
      running: this.#loop.running,
      sampled: this.#samples > 0,
      problems: [
        this.#helperState !== 'down' ? null : ['failing', this.#helperProblem ?? 'netmon-capture stopped'],
        losses.flowMapFull === 0 ? null : ['degraded', `${losses.flowMapFull} connections were not counted (${losses.flowMapFullBytes} bytes): the kernel's flow table was full`],
        this.#net.problem === null ? null : ['degraded', this.#net.problem],
      ],
      restarts: this.#child.restarts,
      malformedLines: this.#malformedBefore + this.#assembler.malformed,
      lastSampleAt: this.#lastSampleAt,
      details: {
        intervalMs: this.#intervalMs,
        helperPath: this.#helperPath,
        helper: this.#helperState,
        helperPid: this.#helperPid,
        lastSnapshotMs: this.#lastSnapshotMs,
        flows: this.#lastFlows,
        closedLastSample: this.#lastClosed,
        packetStartsLastSample: this.#lastPayloads,
        connectionsNotCounted: losses.flowMapFull,
        bytesNotCounted: losses.flowMapFullBytes,
        ownersNotRecorded: losses.ownerMapFull,
        packetStartsLost: losses.packetStartsLost,
        processesCached: this.#proc.size,
        ownerLookup: this.#owners.lookup,
        udp: 'counted per socket',
      },
    });
  }

  #spec(): SpawnSpec {
    const argv: string[] = [...this.#launcher, this.#helperPath, '--on-request'];
    const [command, ...args] = argv as [string, ...string[]];
    return { command, args };
  }

  async #tick(final: boolean): Promise<void> {
    const child = this.#child.current;
    if (child === null || this.#helperState !== 'up' || child.pid === null) return;
    // Interface counters first (see the header comment).
    const view = await this.#net.read(await this.#net.dirOf(child.pid));
    const started = this.#clock.mono();
    const snapshot = await this.#requests.ask(child, final, this.#snapshotTimeoutMs, () => {
      this.#log.warn('netmon-capture did not answer; restarting it', { timeoutMs: this.#snapshotTimeoutMs });
      void this.#child.restart('no snapshot in time').catch((error: unknown) => this.#log.error('restart failed', { error }));
    });
    if (snapshot === null) return;
    this.#lastSnapshotMs = Math.round(this.#clock.mono() - started);
    if (!this.#loop.running && !final) return;
    const resumed = this.#resumed.map((s) => ({ socket: s, key: resumedKey(s) }));
    this.#resumed = [];
    const ownerOf = await this.#owners.resolve([...snapshot.flows, ...snapshot.closed, ...resumed.map((r) => r.key)], view.localAddresses, (id) => this.#book.owner(id));
    // Carried sockets the helper has not seen move: held with zero counters, so the delta engine keeps
    // (and counts at once) the share the resume gave them; the helper's own counts add from there.
    for (const { socket, key } of resumed) this.#book.hold(socket.id, socket.owner ?? ownerOf(key, socket.id, undefined), socket.remote, { bytesIn: 0, bytesOut: 0 }, this.#clock.mono());
    this.#emit(snapshot, ownerOf, view);
  }

  #emit(snapshot: CaptureSnapshot, ownerOf: OwnerOf, view: NetView): void {
    const now = this.#clock.mono();
    const counter = (f: CaptureFlow): { id: string; remote: RemoteEndpoint; owner: ReturnType<OwnerOf>; bytes: { bytesIn: number; bytesOut: number } } | null => {
      if (isLoopbackAddress(f.address) || view.localAddresses.has(f.address)) return null;
      const id = captureFlowId(f);
      return { id, remote: { protocol: `${f.protocol}${f.family}`, address: f.address, port: f.port }, owner: ownerOf(f, id, this.#book.owner(id)), bytes: this.#carry.add(id, f) };
    };
    const flows: FlowCounter[] = [];
    const closed: FlowCounter[] = [];
    this.#book.beginRound();
    for (const f of snapshot.flows) {
      const c = counter(f);
      if (c !== null) flows.push(this.#book.list(c.id, c.owner, c.remote, c.bytes, null));
    }
    for (const f of snapshot.closed) {
      const c = counter(f);
      if (c === null) continue;
      closed.push(this.#book.close(c.id, c.remote, c.bytes, c.owner).flow);
      this.#carry.closed(c.id, c.bytes);
      this.#owners.closed(c.id, f.cookie, c.owner, now);
    }
    // A key carried over from an ended helper, which the new one has not seen move yet, is repeated
    // with its last counters: dropped and listed again later, it would count whole, twice. Other keys
    // the helper no longer lists (never expected) are forgotten.
    const held = this.#book.held(now);
    flows.push(...held.flows);
    for (const id of held.forgotten) this.#carry.delete(id);
    this.#owners.sweep(now);
    this.#book.endRound();
    this.#carry.endRound();
    this.#noteLosses(snapshot.losses);

    const payloads: PayloadEvent[] = snapshot.payloads.map(payloadEvent);
    this.#samples += 1;
    this.#lastFlows = flows.length;
    this.#lastClosed = closed.length;
    this.#lastPayloads = payloads.length;
    const sample: Sample = { wallMs: this.#clock.now(), monoMs: this.#clock.mono(), mode: 'cumulative', flows, closed, iface: ifaceTotals(view.netDev), interfaces: view.netDev?.interfaces, payloads };
    this.#lastSampleAt = sample.wallMs;
    this.#onSample?.(sample);
  }

  /** The helper's losses are counted from its start: added to those of the helpers before it. */
  #noteLosses(losses: CaptureLosses): void {
    if (losses.flowMapFull > this.#losses.flowMapFull - this.#lossesBase.flowMapFull) {
      this.#log.warn('the kernel flow table was full: connections not counted', { connections: losses.flowMapFull, bytes: losses.flowMapFullBytes });
    }
    this.#losses = {
      flowMapFull: this.#lossesBase.flowMapFull + losses.flowMapFull,
      flowMapFullBytes: this.#lossesBase.flowMapFullBytes + losses.flowMapFullBytes,
      ownerMapFull: this.#lossesBase.ownerMapFull + losses.ownerMapFull,
      packetStartsLost: this.#lossesBase.packetStartsLost + losses.packetStartsLost,
    };
  }

  #attach(child: GroupChild): void {
    // A new helper counts from zero: what the previous one counted is carried over (header comment).
    this.#carry.set(this.#book.counters());
    this.#book.holdAll(this.#clock.mono());
    this.#lossesBase = { ...this.#losses };
    this.#helperState = 'up';
    this.#helperProblem = null;
    this.#helperPid = child.pid;
    this.#malformedBefore += this.#assembler.malformed;
    this.#assembler = new SnapshotAssembler();
    this.#helperStderr = this.#stderr.read(child.stderr);
    // Bounded lines (the longest the protocol has is a payload line: 2 × 8 KiB of hex and a header).
    const splitter = createLineSplitter(MAX_HELPER_LINE_CHARS, (line) => this.#line(line), (start) => {
      this.#assembler.reset();
      this.#log.warn('skipped an over-long line from netmon-capture', { start: start.slice(0, 80) });
    });
    child.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
  }

  #line(line: string): void {
    const before = this.#assembler.malformed;
    const snapshot = this.#assembler.push(line);
    if (this.#assembler.malformed > before) this.#log.warn('skipped an unreadable line from netmon-capture', { line: line.slice(0, 200) });
    const version = this.#assembler.version;
    if (version !== null && version.version !== CAPTURE_PROTOCOL_VERSION && this.#helperProblem === null) {
      this.#helperProblem = `netmon-capture speaks protocol ${version.version}, this netmon reads ${CAPTURE_PROTOCOL_VERSION}: rebuild it (npm run build:helper)`;
      this.#log.error(this.#helperProblem);
    }
    // The helper is ready: the first sample (the delta engine's baseline) is taken at once rather than an
    // interval later, so that the bytes moved meanwhile count. Only while no tick is running.
    if (version !== null && this.#samples === 0 && this.#loop.waiting && line.startsWith('V\t')) this.#loop.now();
    if (snapshot !== null) this.#requests.answer(snapshot);
  }

  #ended(exit: ChildExit, child: GroupChild, delayMs: number): void {
    this.#requests.answer(null);
    this.#assembler.reset();
    this.#helperState = 'down';
    this.#helperProblem = describeHelperExit(exit, child.spec.command, this.#helperPath, this.#helperStderr?.last ?? null);
    this.#log.warn('netmon-capture ended; restarting', { problem: this.#helperProblem, inMs: delayMs });
  }
}

/** A carried socket as the helper would report one it saw no process use (the owner is looked up by cookie). */
function resumedKey(s: ResumedSocket): CaptureFlow {
  return { cookie: s.cookie, protocol: 'tcp', family: s.family, address: s.remote.address, port: s.remote.port, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0, pid: 0, uid: s.uid, comm: null };
}
