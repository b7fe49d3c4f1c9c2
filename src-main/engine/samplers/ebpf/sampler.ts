// The privileged Linux sampler: netmon-capture (a small root or capability-holding helper, built from
// netmon-capture.c and netmon-capture.bpf.c in this folder) counts every TCP and UDP payload byte in the
// kernel, per socket and, for UDP, per peer, with the process that uses the socket. Unlike the `ss`
// sampler it sees UDP/QUIC and connections far shorter than an interval, and passes up the first bytes
// of packets that name a destination (DNS answers, TLS ClientHellos, QUIC Initials).
//
// How the pieces fit:
// - One long-lived helper, run with `--on-request`: each interval we read the interface counters first
//   and then ask for a snapshot (a line on its stdin), so that any skew goes the way the pipeline
//   expects (flows may hold bytes the interfaces count only next time, never the reverse; see the
//   Linux sampler). The helper's files under /proc/PID/net are read, not ours: they describe the
//   network namespace it measures, which is ours except in tests.
// - Counters are cumulative per key. A key not in the previous snapshot is new: all its bytes are new
//   (the helper counts from when it started). A released socket comes once as `closed` with its final
//   counters, after it has been quiet for a moment (an orphaned TCP socket still sends its queue).
// - When the helper dies and restarts, its counters start again at zero; the last counters of each
//   key are kept and added to the new helper's, so the delta engine never sees a counter go down.
// - Owners come from the kernel (the tgid that created, connected or addressed the socket) and are
//   completed from /proc while the process lives. A socket the hooks never saw used (older than the
//   helper, or accepted by a server) is looked up once by cookie in `ss -p` (the same cookies), run
//   through the same launcher so it sees the same namespace; failing that it is shown under its uid,
//   like a stranger's socket in the Linux sampler. The kernel's `comm` is the calling thread's name;
//   /proc gives the process's.
// - Traffic that stays on this machine (loopback, or to one of our own addresses) is left out, as in the
//   Linux sampler: the interface totals exclude it. Its packet starts are kept: a DNS answer from a
//   local resolver (127.0.0.53) still names addresses.
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '../../log.js';
import type { Clock, FlowCounter, PayloadEvent, ProcessInfo, RemoteEndpoint, Sample, Sampler, SamplerHealth, SamplerState } from '../../types.js';
import { systemClock } from '../../types.js';
import { RestartingChild, spawnInGroup, terminateTree, type BackoffOptions, type ChildExit, type GroupChild, type PidRegistry, type SpawnSpec } from '../child.js';
import { isLoopbackAddress, parseFibTrieLocal, parseIfInet6, parseNetDev, ProcReader, type NetDevTotals } from '../linux/proc.js';
import { parseSsOutput } from '../linux/ss-parse.js';
import { CAPTURE_PROTOCOL_VERSION, captureFlowId, SnapshotAssembler, type CaptureFlow, type CaptureLosses, type CapturePayload, type CaptureSnapshot } from './protocol.js';

/** Said wherever the eBPF sampler's coverage is explained (doctor, status). */
export const EBPF_UDP_FACT = 'udp: counted per socket (and per peer), with its process';

/** The helper of this install: `dist/helper/netmon-capture` next to the compiled engine. */
export function defaultHelperPath(): string {
  return helperPathFrom(path.dirname(fileURLToPath(import.meta.url)));
}

/**
 * The helper for an engine module in `moduleDir`: this file is dist/src-main/engine/samplers/ebpf/ (tsc)
 * or inside dist/bundle (vite), so walk up to the `dist` folder either way; from the sources (vitest),
 * the repository's dist. In the packaged app the engine runs from resources/app.asar and the helper is
 * unpacked beside it (electron-builder.yml asarUnpack): an executable cannot run from inside the archive.
 */
export function helperPathFrom(moduleDir: string): string {
  let dir = moduleDir;
  for (let i = 0; i < 8; i++) {
    if (path.basename(dir) === 'dist') return path.join(dir, 'helper', 'netmon-capture').replace(/([/\\])app\.asar([/\\])/, '$1app.asar.unpacked$2');
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(moduleDir, '../../../../dist/helper/netmon-capture');
}

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
  /** `ss`, to find the owner of a socket the kernel hooks never saw used (see the header); null: never. Default `ss`. */
  ssPath?: string | null;
  /** Restart delays of the helper. Default 1 s doubling to 60 s. */
  backoff?: BackoffOptions;
  /** How long a snapshot may take before the helper is declared stuck and restarted. Default 10 s. */
  snapshotTimeoutMs?: number;
  /** `stop()` takes one last sample before it stops the helper. Default true. */
  finalSampleOnStop?: boolean;
  /** Records the helper's pid so that a later start can reap it after a crash. */
  registry?: PidRegistry | null;
  logger?: Logger;
}

interface Known {
  owner: ProcessInfo | null;
  remote: RemoteEndpoint;
  bytesIn: number;
  bytesOut: number;
  /** The snapshot of the current helper that last listed it; 0: not yet listed by this helper. */
  seenIn: number;
  /** Monotonic time it was carried over from a helper that ended, until the new one lists it. */
  carriedAt: number | null;
}

interface Pending {
  resolve: (snapshot: CaptureSnapshot | null) => void;
}

type HelperState = 'starting' | 'up' | 'down' | 'stopped';

/** How long a key carried over from an ended helper is repeated while the new one does not list it. */
const CARRY_TTL_MS = 10 * 60_000;

/** The eBPF sampler: every TCP/UDP byte per socket with its process, through the netmon-capture helper. */
export class EbpfSampler implements Sampler {
  readonly name = 'ebpf';
  readonly #helperPath: string;
  readonly #launcher: readonly string[];
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #procRoot: string;
  readonly #ssPath: string | null;
  /** Cookies already looked up in `ss` (found or not): each is asked once. */
  readonly #lookedUp = new Set<string>();
  #ssProblem: string | null = null;
  readonly #snapshotTimeoutMs: number;
  readonly #finalSampleOnStop: boolean;
  readonly #log: Logger;
  readonly #proc: ProcReader;
  readonly #child: RestartingChild;

  #onSample: ((sample: Sample) => void) | null = null;
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #tickDone: Promise<void> = Promise.resolve();

  #assembler = new SnapshotAssembler();
  #malformedBefore = 0;
  #pending: Pending | null = null;
  #helperState: HelperState = 'starting';
  #helperProblem: string | null = null;
  #helperPid: number | null = null;
  /** Snapshots answered by the current helper; 0 right after a (re)start. */
  #helperSnapshots = 0;
  #samples = 0;

  readonly #known = new Map<string, Known>();
  /** Counters of the previous helper, added to the current one's (see the header comment). */
  #carry = new Map<string, { bytesIn: number; bytesOut: number }>();
  /** Owners of recently closed keys: a key that comes back (late bytes of an orphan) keeps its owner. */
  #recentOwners = new Map<string, { owner: ProcessInfo | null; at: number }>();

  #losses: CaptureLosses = { flowMapFull: 0, flowMapFullBytes: 0, ownerMapFull: 0, packetStartsLost: 0 };
  #lossesBase: CaptureLosses = { flowMapFull: 0, flowMapFullBytes: 0, ownerMapFull: 0, packetStartsLost: 0 };
  #ifaceProblem: string | null = null;
  #lastSampleAt: number | null = null;
  #lastFlows = 0;
  #lastClosed = 0;
  #lastPayloads = 0;
  #lastSnapshotMs: number | null = null;
  #stderrTail = '';
  readonly #stderrSeen = new Set<string>();

  constructor(options: EbpfSamplerOptions = {}) {
    this.#helperPath = options.helperPath ?? defaultHelperPath();
    this.#launcher = options.launcher ?? [];
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#clock = options.clock ?? systemClock;
    this.#procRoot = options.procRoot ?? '/proc';
    this.#ssPath = options.ssPath === undefined ? 'ss' : options.ssPath;
    this.#snapshotTimeoutMs = options.snapshotTimeoutMs ?? 10_000;
    this.#finalSampleOnStop = options.finalSampleOnStop ?? true;
    this.#log = options.logger ?? createLogger('sampler:ebpf');
    this.#proc = new ProcReader(this.#procRoot);
    this.#child = new RestartingChild({
      name: 'netmon-capture',
      spec: () => this.#spec(),
      onSpawn: (child) => this.#attach(child),
      onExit: (exit, child, delay) => this.#ended(exit, child, delay),
      backoff: options.backoff ?? { initialMs: 1000, maxMs: 60_000 },
      resetAfterMs: 60_000,
      registry: options.registry ?? null,
      clock: this.#clock,
      logger: this.#log,
    });
  }

  start(onSample: (sample: Sample) => void): void {
    if (this.#running) return;
    this.#running = true;
    this.#onSample = onSample;
    this.#known.clear();
    this.#carry.clear();
    this.#recentOwners.clear();
    this.#samples = 0;
    this.#helperState = 'starting';
    this.#child.start();
    this.#schedule(this.#intervalMs);
  }

  /** Stops; unless `finalSampleOnStop` is false, emits one last sample first. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tickDone;
    if (this.#finalSampleOnStop && this.#helperState === 'up') {
      await this.#tick(true).catch((error: unknown) => this.#log.error('final sample failed', { error }));
    }
    await this.#child.stop();
    this.#answer(null);
    this.#helperState = 'stopped';
    this.#onSample = null;
  }

  health(): SamplerHealth {
    let state: SamplerState;
    let reason: string | null = null;
    if (!this.#running) {
      state = 'stopped';
    } else if (this.#helperState === 'down') {
      state = 'failing';
      reason = this.#helperProblem ?? 'netmon-capture stopped';
    } else if (this.#losses.flowMapFull > 0) {
      state = 'degraded';
      reason = `${this.#losses.flowMapFull} connections were not counted (${this.#losses.flowMapFullBytes} bytes): the kernel's flow table was full`;
    } else if (this.#ifaceProblem !== null) {
      state = 'degraded';
      reason = this.#ifaceProblem;
    } else if (this.#samples === 0) {
      state = 'starting';
    } else {
      state = 'running';
    }
    return {
      sampler: this.name,
      state,
      reason,
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
        connectionsNotCounted: this.#losses.flowMapFull,
        bytesNotCounted: this.#losses.flowMapFullBytes,
        ownersNotRecorded: this.#losses.ownerMapFull,
        packetStartsLost: this.#losses.packetStartsLost,
        processesCached: this.#proc.size,
        ownerLookup: this.#ssPath === null ? 'off' : (this.#ssProblem ?? 'ss'),
        udp: 'counted per socket',
      },
    };
  }

  #spec(): SpawnSpec {
    const argv = [...this.#launcher, this.#helperPath, '--on-request'];
    const [command, ...args] = argv as [string, ...string[]];
    return { command, args };
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const started = this.#clock.mono();
      this.#tickDone = this.#tick(false)
        .catch((error: unknown) => this.#log.error('sample failed', { error }))
        .finally(() => this.#schedule(Math.max(0, this.#intervalMs - (this.#clock.mono() - started))));
    }, delayMs);
  }

  async #tick(final: boolean): Promise<void> {
    const child = this.#child.current;
    if (child === null || this.#helperState !== 'up' || child.pid === null) return;
    // Interface counters first (see the header comment).
    const netDir = await this.#netDir(child.pid);
    const [netDev, localAddresses] = await Promise.all([this.#readNetDev(netDir), this.#readLocalAddresses(netDir)]);
    const started = this.#clock.mono();
    const snapshot = await this.#request(child, final);
    if (snapshot === null) return;
    this.#lastSnapshotMs = Math.round(this.#clock.mono() - started);
    if (!this.#running && !final) return;
    const all = [...snapshot.flows, ...snapshot.closed];
    const found = await this.#lookUpOwners(all, localAddresses);
    const owners = await this.#owners([...all.map((f) => f.pid), ...found.values()]);
    this.#emit(snapshot, owners, found, localAddresses, netDev);
  }

  /** Asks the helper for a snapshot; null when it died or did not answer in time (then it is restarted). */
  #request(child: GroupChild, final: boolean): Promise<CaptureSnapshot | null> {
    this.#answer(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.#pending?.resolve !== done) return;
        this.#pending = null;
        resolve(null);
        this.#log.warn('netmon-capture did not answer; restarting it', { timeoutMs: this.#snapshotTimeoutMs });
        void this.#child.restart('no snapshot in time').catch((error: unknown) => this.#log.error('restart failed', { error }));
      }, this.#snapshotTimeoutMs);
      const done = (snapshot: CaptureSnapshot | null): void => {
        clearTimeout(timer);
        resolve(snapshot);
      };
      this.#pending = { resolve: done };
      child.stdin.write(final ? 'final\n' : '\n');
    });
  }

  #answer(snapshot: CaptureSnapshot | null): void {
    const pending = this.#pending;
    this.#pending = null;
    pending?.resolve(snapshot);
  }

  /** The helper's view of the network: /proc/PID/net when readable, else our own. */
  async #netDir(pid: number): Promise<string> {
    const theirs = path.join(this.#procRoot, String(pid), 'net');
    try {
      await access(path.join(theirs, 'dev'), constants.R_OK);
      return theirs;
    } catch {
      return path.join(this.#procRoot, 'net');
    }
  }

  async #readNetDev(netDir: string): Promise<NetDevTotals | null> {
    const file = path.join(netDir, 'dev');
    try {
      const totals = parseNetDev(await readFile(file, 'utf8'));
      if (totals === null) throw new Error('no interface lines');
      this.#ifaceProblem = null;
      return totals;
    } catch (error) {
      const message = `interface counters unreadable (${file}: ${error instanceof Error ? error.message : String(error)})`;
      if (this.#ifaceProblem !== message) this.#log.warn(message);
      this.#ifaceProblem = message;
      return null;
    }
  }

  async #readLocalAddresses(netDir: string): Promise<Set<string>> {
    const read = (file: string): Promise<string> => readFile(path.join(netDir, file), 'utf8').catch(() => '');
    const [fib, inet6] = await Promise.all([read('fib_trie'), read('if_inet6')]);
    return new Set([...parseFibTrieLocal(fib), ...parseIfInet6(inet6)]);
  }

  /**
   * Owners (pid by cookie) of sockets reported without one that were never looked up, from `ss -p` run
   * through the launcher. A failure costs only the owner: it is logged once and the uid is shown.
   */
  async #lookUpOwners(flows: readonly CaptureFlow[], localAddresses: ReadonlySet<string>): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (this.#ssPath === null) return found;
    const wanted = new Set<'tcp' | 'udp'>();
    const cookies = new Set<string>();
    for (const f of flows) {
      if (f.pid !== 0 || this.#lookedUp.has(f.cookie) || isLoopbackAddress(f.address) || localAddresses.has(f.address)) continue;
      const known = this.#known.get(captureFlowId(f))?.owner;
      if (known !== undefined && known !== null && known.pid > 0) continue;
      wanted.add(f.protocol);
      cookies.add(f.cookie);
    }
    if (cookies.size === 0) return found;
    // Closed cookies leave the set; one whose close never came must not make it grow without end.
    if (this.#lookedUp.size > 100_000) this.#lookedUp.clear();
    for (const cookie of cookies) this.#lookedUp.add(cookie);
    for (const protocol of wanted) {
      const argv = [...this.#launcher, this.#ssPath, protocol === 'tcp' ? '-tanpeHO' : '-uanpeHO'];
      try {
        const text = await runForOutput(argv, 5000);
        for (const socket of parseSsOutput(text).sockets) {
          if (!cookies.has(socket.cookie) || socket.users.length === 0) continue;
          found.set(socket.cookie, socket.users.reduce((a, b) => (b.pid < a.pid ? b : a)).pid);
        }
        this.#ssProblem = null;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (this.#ssProblem !== message) this.#log.warn('could not look up socket owners with ss', { error: message });
        this.#ssProblem = message;
      }
    }
    return found;
  }

  /** Each pid's details from /proc, once per snapshot; null for a process already gone. */
  async #owners(reported: readonly number[]): Promise<Map<number, ProcessInfo | null>> {
    const pids = new Set(reported.filter((pid) => pid > 0));
    const out = new Map<number, ProcessInfo | null>();
    await Promise.all([...pids].map(async (pid) => out.set(pid, await this.#proc.process(pid))));
    this.#proc.sweep();
    return out;
  }

  #ownerOf(flow: CaptureFlow, id: string, details: ReadonlyMap<number, ProcessInfo | null>, found: ReadonlyMap<string, number>): ProcessInfo {
    if (flow.pid > 0) {
      const info = details.get(flow.pid) ?? null;
      if (info !== null) return info;
      // Gone already (a short-lived process): what we knew before, if it was this pid, or the kernel's word.
      const previous = this.#known.get(id)?.owner ?? this.#recentOwners.get(id)?.owner ?? null;
      if (previous !== null && previous.pid === flow.pid) return previous;
      return { pid: flow.pid, name: flow.comm ?? `(pid ${flow.pid})`, uid: flow.uid };
    }
    const viaSs = found.get(flow.cookie);
    const info = viaSs === undefined ? null : (details.get(viaSs) ?? null);
    if (info !== null) return info;
    const previous = this.#known.get(id)?.owner ?? this.#recentOwners.get(id)?.owner ?? null;
    if (previous !== null) return previous;
    return { pid: 0, name: `(uid ${flow.uid})`, uid: flow.uid };
  }

  #emit(snapshot: CaptureSnapshot, details: ReadonlyMap<number, ProcessInfo | null>, found: ReadonlyMap<string, number>, localAddresses: ReadonlySet<string>, netDev: NetDevTotals | null): void {
    const counting = this.#samples > 0;
    const snapshotNo = this.#helperSnapshots;
    const flows: FlowCounter[] = [];
    const closed: FlowCounter[] = [];
    const nowMono = this.#clock.mono();

    const counter = (f: CaptureFlow): { id: string; flow: FlowCounter; isNew: boolean } | null => {
      if (isLoopbackAddress(f.address) || localAddresses.has(f.address)) return null;
      const id = captureFlowId(f);
      const carry = this.#carry.get(id);
      const remote: RemoteEndpoint = { protocol: `${f.protocol}${f.family}`, address: f.address, port: f.port };
      const owner = this.#ownerOf(f, id, details, found);
      const flow: FlowCounter = { id, owner, remote, bytesIn: f.bytesIn + (carry?.bytesIn ?? 0), bytesOut: f.bytesOut + (carry?.bytesOut ?? 0) };
      return { id, flow, isNew: !this.#known.has(id) };
    };

    for (const f of snapshot.flows) {
      const c = counter(f);
      if (c === null) continue;
      if (counting && c.isNew) c.flow.newSincePrevious = true;
      flows.push(c.flow);
      this.#known.set(c.id, { owner: c.flow.owner, remote: c.flow.remote as RemoteEndpoint, bytesIn: c.flow.bytesIn, bytesOut: c.flow.bytesOut, seenIn: snapshotNo, carriedAt: null });
    }
    for (const f of snapshot.closed) {
      const c = counter(f);
      if (c === null) continue;
      if (counting && c.isNew) c.flow.newSincePrevious = true;
      closed.push(c.flow);
      this.#known.delete(c.id);
      this.#carry.delete(c.id);
      this.#recentOwners.set(c.id, { owner: c.flow.owner, at: nowMono });
      this.#lookedUp.delete(f.cookie);
    }
    // A key carried over from an ended helper, which the new one has not seen move yet, is repeated
    // with its last counters: dropped and listed again later, it would count whole, twice. Other keys
    // the helper no longer lists (never expected) are forgotten.
    const closedIds = new Set(closed.map((f) => f.id));
    for (const [id, known] of this.#known) {
      if (known.seenIn === snapshotNo) continue;
      if (known.carriedAt !== null && nowMono - known.carriedAt < CARRY_TTL_MS && !closedIds.has(id)) {
        flows.push({ id, owner: known.owner, remote: known.remote, bytesIn: known.bytesIn, bytesOut: known.bytesOut });
      } else {
        this.#known.delete(id);
        this.#carry.delete(id);
      }
    }
    for (const [id, recent] of this.#recentOwners) if (nowMono - recent.at > 60_000) this.#recentOwners.delete(id);

    const payloads: PayloadEvent[] = snapshot.payloads.map(payloadEvent);
    const losses = snapshot.losses;
    if (losses.flowMapFull > this.#losses.flowMapFull - this.#lossesBase.flowMapFull) {
      this.#log.warn('the kernel flow table was full: connections not counted', { connections: losses.flowMapFull, bytes: losses.flowMapFullBytes });
    }
    this.#losses = {
      flowMapFull: this.#lossesBase.flowMapFull + losses.flowMapFull,
      flowMapFullBytes: this.#lossesBase.flowMapFullBytes + losses.flowMapFullBytes,
      ownerMapFull: this.#lossesBase.ownerMapFull + losses.ownerMapFull,
      packetStartsLost: this.#lossesBase.packetStartsLost + losses.packetStartsLost,
    };

    this.#samples += 1;
    this.#lastFlows = flows.length;
    this.#lastClosed = closed.length;
    this.#lastPayloads = payloads.length;
    const sample: Sample = {
      wallMs: this.#clock.now(),
      monoMs: this.#clock.mono(),
      mode: 'cumulative',
      flows,
      closed,
      iface: netDev === null ? null : { bytesIn: netDev.bytesIn, bytesOut: netDev.bytesOut },
      payloads,
    };
    this.#lastSampleAt = sample.wallMs;
    this.#onSample?.(sample);
  }

  #attach(child: GroupChild): void {
    // A new helper counts from zero: what the previous one counted is carried over (header comment).
    const now = this.#clock.mono();
    for (const [id, known] of this.#known) {
      this.#carry.set(id, { bytesIn: known.bytesIn, bytesOut: known.bytesOut });
      known.seenIn = 0;
      known.carriedAt = now;
    }
    this.#lossesBase = { ...this.#losses };
    this.#helperState = 'up';
    this.#helperProblem = null;
    this.#helperPid = child.pid;
    this.#helperSnapshots = 0;
    this.#malformedBefore += this.#assembler.malformed;
    this.#assembler = new SnapshotAssembler();
    this.#stderrTail = '';
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) this.#line(line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.#stderrTail = (this.#stderrTail + text).slice(-2048);
      for (const line of text.split('\n')) {
        const trimmed = line.trim();
        if (trimmed === '' || this.#stderrSeen.has(trimmed)) continue;
        if (this.#stderrSeen.size < 50) this.#stderrSeen.add(trimmed);
        this.#log.warn('netmon-capture said', { message: trimmed });
      }
    });
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
    if (version !== null && this.#samples === 0 && this.#timer !== null && line.startsWith('V\t')) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#schedule(0);
    }
    if (snapshot !== null) {
      this.#helperSnapshots += 1;
      this.#answer(snapshot);
    }
  }

  #ended(exit: ChildExit, child: GroupChild, delayMs: number): void {
    this.#answer(null);
    this.#assembler.reset();
    this.#helperState = 'down';
    this.#helperProblem = describeExit(exit, child.spec.command, this.#helperPath, this.#stderrTail);
    this.#log.warn('netmon-capture ended; restarting', { problem: this.#helperProblem, inMs: delayMs });
  }
}

/** Runs `argv` to the end and returns its stdout; throws on a start failure, a non-zero exit or the timeout. */
async function runForOutput(argv: readonly string[], timeoutMs: number): Promise<string> {
  const [command, ...args] = argv as [string, ...string[]];
  const child = spawnInGroup({ command, args });
  const chunks: Buffer[] = [];
  let size = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= 64 * 1024 * 1024) chunks.push(chunk);
  });
  child.stderr.resume();
  let timer: NodeJS.Timeout | null = null;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const exit = await Promise.race([child.closed, timeout]);
  if (timer !== null) clearTimeout(timer);
  if (exit === 'timeout') {
    if (child.pid !== null) await terminateTree(child.pid, { graceMs: 500 });
    throw new Error(`${command} did not answer within ${timeoutMs} ms`);
  }
  if (exit.error !== null) throw new Error(`${command} could not start: ${exit.error.message}`);
  if (exit.code !== 0) throw new Error(`${argv.join(' ')} exited with ${exit.code ?? exit.signal ?? 'an error'}`);
  return Buffer.concat(chunks).toString('utf8');
}

function payloadEvent(p: CapturePayload): PayloadEvent {
  const event: PayloadEvent = {
    flowId: captureFlowId(p),
    wallMs: p.wallMs,
    direction: p.direction,
    protocol: p.protocol,
    remote: { address: p.address, port: p.port },
    bytes: p.bytes,
    truncated: p.bytes.length < p.length,
  };
  if (p.tcpSeq !== null) event.tcpSeq = p.tcpSeq;
  return event;
}

/** Why the helper stopped, in words a user can act on. */
export function describeExit(exit: ChildExit, command: string, helperPath: string, stderr: string): string {
  const said = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  if (exit.error !== null) {
    if (exit.error.code === 'ENOENT') return command === helperPath ? `netmon-capture is missing at ${helperPath}: build it with npm run build:helper` : `${command} not found`;
    if (exit.error.code === 'EACCES') return `${command} is not executable`;
    return `${command} could not start: ${exit.error.message}`;
  }
  if (said !== undefined) return said;
  return `netmon-capture died (${exit.code !== null ? `exit status ${exit.code}` : `signal ${exit.signal ?? 'unknown'}`})`;
}
