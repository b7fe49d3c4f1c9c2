// The unprivileged Linux sampler: once per interval one `ss -tinpeHO` (every TCP socket with its owner,
// cookie and tcp_info counters) and /proc/net/dev (interface totals); in between, a long-lived
// `ss -E -tineHO` that prints each TCP socket as it is destroyed, with its final counters, so that a
// connection shorter than an interval is still counted.
//
// How the pieces fit (see also ss-parse.ts for what the counters mean):
// - Flows are keyed by socket cookie and are cumulative. A cookie absent from the previous successful
//   poll is a socket born since: `newSincePrevious` tells the delta engine to count it whole.
// - Owners come from `users:` and /proc, and stick to the cookie: an orphan (closed by its process, still
//   sending its last data) and a close event (which never names an owner) keep the owner we saw. A
//   socket nobody could be tied to (another user's, when we are not root) gets an owner with pid 0 and
//   its uid and cgroup; a close event of a socket no poll ever saw has owner null (unattributed).
// - A cookie missing from a poll is repeated with its last counters until its close event arrives (or
//   `vanishedFlowTtlMs` passes): the delta engine settles a close against the last counters it saw,
//   and a flow it had dropped would be counted whole, twice. The event can come a moment after the
//   poll that no longer lists the socket, or much later: a connection reset by the peer leaves the
//   kernel's tables at once, but is destroyed (and reported) only when its process closes it.
// - Sockets whose far end is this machine (loopback, or one of our own addresses) are left out: their
//   bytes go over `lo`, which the interface totals exclude, so counting them would attribute more than
//   the interfaces carried.
// - UDP is not here: the kernel's socket diagnostics keep no byte counters for UDP sockets, so UDP and
//   QUIC bytes only show in the interface totals, as unattributed.
import { accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import path from 'node:path';
import { createLogger, type Logger } from '../../log.js';
import type { Clock, FlowCounter, ProcessInfo, RemoteEndpoint, Sample, Sampler, SamplerHealth, SamplerState } from '../../types.js';
import { systemClock } from '../../types.js';
import { RestartingChild, runOnce, spawnInGroup, terminateTree, type BackoffOptions, type ChildExit, type GroupChild, type PidRegistry, type SpawnSpec } from '../child.js';
import { isLoopbackAddress, parseFibTrieLocal, parseIfInet6, parseNetDev, ProcReader, type NetDevTotals } from './proc.js';
import { parseSsLine, parseSsOutput, payloadBytes, type SsSocket } from './ss-parse.js';

/** Arguments of the per-interval poll: TCP, tcp_info, numeric, owners, details (cookie, uid), no header, one line each. */
export const SS_POLL_ARGS: readonly string[] = ['-tinpeHO'];
/**
 * Arguments of the cheap poll: the same without `-p`. Finding owners makes ss walk every process's
 * file descriptors (about 4× the cost here, far more on a desktop), and it is only needed for sockets
 * not seen before; a poll that finds one is followed at once by a full one.
 */
export const SS_QUICK_POLL_ARGS: readonly string[] = ['-tineHO'];
/** Arguments of the close-event stream: no `-p` (a destroyed socket has no owner to find). */
export const SS_EVENT_ARGS: readonly string[] = ['-E', '-tineHO'];

/** Said wherever the Linux sampler's coverage is explained (doctor, status). */
export const UDP_FACT =
  "UDP has no per-socket byte counters in the kernel's socket diagnostics: UDP/QUIC bytes are counted only in interface totals and appear as unattributed";

/** The largest `ss` output we read (about 80 000 sockets). */
const MAX_POLL_BYTES = 64 * 1024 * 1024;

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
  /** Records the close-event stream's pid so that a later start can reap it after a crash. */
  registry?: PidRegistry | null;
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

interface KnownFlow {
  owner: ProcessInfo | null;
  remote: RemoteEndpoint;
  bytesIn: number;
  bytesOut: number;
  /** Listed by the latest successful poll. */
  listed: boolean;
  /** Monotonic time of the last poll that listed it. */
  lastListedMs: number;
}

interface PollResult {
  sockets: SsSocket[];
  malformed: number;
  malformedSamples: string[];
}

type EventStreamState = 'starting' | 'up' | 'down' | 'stopped';

/** The Linux sampler: `ss` polls + close events + /proc, no privileges needed. */
export class LinuxSampler implements Sampler {
  readonly name = 'linux';
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #ssPath: string;
  readonly #procRoot: string;
  readonly #pollTimeoutMs: number;
  readonly #finalSampleOnStop: boolean;
  readonly #vanishedTtlMs: number;
  readonly #log: Logger;
  readonly #proc: ProcReader;
  readonly #events: RestartingChild;
  readonly #stdbufPath: string | null;
  readonly #setprivPath: string | null;

  #onSample: ((sample: Sample) => void) | null = null;
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #tickDone: Promise<void> = Promise.resolve();
  #pollChild: GroupChild | null = null;

  readonly #known = new Map<string, KnownFlow>();
  #pendingClosed: SsSocket[] = [];
  #successfulPolls = 0;

  #pollProblem: string | null = null;
  #ifaceProblem: string | null = null;
  #eventState: EventStreamState = 'starting';
  #eventProblem: string | null = null;
  #malformed = 0;
  #lastSampleAt: number | null = null;
  #lastPollMs: number | null = null;
  #lastFlows = 0;
  #lastClosed = 0;
  #lastVanished = 0;
  #closedUnjoined = 0;
  readonly #stderrSeen = new Set<string>();
  readonly #eventStderr = new WeakMap<GroupChild, () => string>();

  constructor(options: LinuxSamplerOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#clock = options.clock ?? systemClock;
    this.#ssPath = options.ssPath ?? 'ss';
    this.#procRoot = options.procRoot ?? '/proc';
    this.#stdbufPath = findExecutable(options.stdbufPath === undefined ? 'stdbuf' : options.stdbufPath);
    this.#setprivPath = findExecutable(options.setprivPath === undefined ? 'setpriv' : options.setprivPath);
    this.#pollTimeoutMs = options.pollTimeoutMs ?? Math.max(10_000, 2 * this.#intervalMs);
    this.#finalSampleOnStop = options.finalSampleOnStop ?? true;
    this.#vanishedTtlMs = options.vanishedFlowTtlMs ?? 30 * 60_000;
    this.#log = options.logger ?? createLogger('sampler:linux');
    this.#proc = new ProcReader(this.#procRoot);
    this.#events = new RestartingChild({
      name: 'ss close-event stream',
      spec: () => eventStreamSpec(this.#ssPath, this.#stdbufPath, this.#setprivPath),
      onSpawn: (child) => this.#attachEventStream(child),
      onExit: (exit, child, delay) => this.#eventStreamEnded(exit, child, delay),
      backoff: options.eventBackoff ?? { initialMs: 1000, maxMs: 30_000 },
      resetAfterMs: 30_000,
      registry: options.registry ?? null,
      clock: this.#clock,
      logger: this.#log,
    });
  }

  start(onSample: (sample: Sample) => void): void {
    if (this.#running) return;
    this.#running = true;
    this.#onSample = onSample;
    // A restart starts over: the first poll is a baseline again.
    this.#known.clear();
    this.#pendingClosed = [];
    this.#successfulPolls = 0;
    this.#eventState = 'starting';
    this.#events.start();
    this.#schedule(0);
  }

  /** Stops; unless `finalSampleOnStop` is false, emits one last sample first (see the option). */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tickDone;
    if (this.#finalSampleOnStop && this.#successfulPolls > 0) {
      await this.#tick(true).catch((error: unknown) => this.#log.error('final sample failed', { error }));
    }
    const poll = this.#pollChild;
    await Promise.all([this.#events.stop(), poll !== null && poll.pid !== null ? terminateTree(poll.pid, { logger: this.#log }) : Promise.resolve()]);
    this.#eventState = 'stopped';
    this.#onSample = null;
  }

  health(): SamplerHealth {
    let state: SamplerState;
    let reason: string | null = null;
    if (!this.#running) {
      state = 'stopped';
    } else if (this.#pollProblem !== null) {
      state = 'failing';
      reason = this.#pollProblem;
    } else if (this.#eventState === 'down') {
      state = 'degraded';
      reason = `close events unavailable (${this.#eventProblem ?? 'the ss -E stream stopped'}): short-lived connections may be missed`;
    } else if (this.#ifaceProblem !== null) {
      state = 'degraded';
      reason = this.#ifaceProblem;
    } else if (this.#successfulPolls === 0) {
      state = 'starting';
    } else {
      state = 'running';
    }
    return {
      sampler: this.name,
      state,
      reason,
      restarts: this.#events.restarts,
      malformedLines: this.#malformed,
      lastSampleAt: this.#lastSampleAt,
      details: {
        intervalMs: this.#intervalMs,
        ssPath: this.#ssPath,
        closeEvents: this.#eventState,
        closeEventsLineBuffered: this.#stdbufPath !== null,
        lastPollMs: this.#lastPollMs,
        flows: this.#lastFlows,
        awaitingCloseEvent: this.#lastVanished,
        closedLastSample: this.#lastClosed,
        closedWithoutOwner: this.#closedUnjoined,
        processesCached: this.#proc.size,
        seesAllOwners: process.getuid?.() === 0,
        udp: 'interface totals only',
      },
    };
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

  /** One poll and one sample; `final` is the last one, taken by `stop()`. */
  async #tick(final: boolean): Promise<void> {
    // The interface counters are read BEFORE the socket dump and the close events, so that any skew
    // always goes one way: the flows may hold bytes the interfaces count only in the next sample, never
    // the reverse. The pipeline settles that surplus against the next remainder (see attribute's carry);
    // the reverse order would store such bytes twice, once as unattributed and once under their app.
    const [netDev, localAddresses] = await Promise.all([this.#readNetDev(), this.#readLocalAddresses()]);
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
    if (!this.#running && !final) return;

    // Sockets worth a flow: connected, with counters, and leaving this machine.
    const counted: { socket: SsSocket; remote: RemoteEndpoint }[] = [];
    for (const socket of poll?.sockets ?? []) {
      const remote = remoteOf(socket, localAddresses);
      if (remote !== null && socket.hasTcpInfo) counted.push({ socket, remote });
    }
    const owners = await this.#resolveOwners(counted.map((c) => c.socket));
    if (!this.#running && !final) return;

    // Everything below is synchronous: close events that arrive meanwhile belong to the next sample.
    const closedNow = this.#pendingClosed;
    this.#pendingClosed = [];
    const closedCookies = new Set(closedNow.map((s) => s.cookie));
    const flows: FlowCounter[] = [];
    const counting = this.#successfulPolls > 0;

    if (poll !== null) {
      this.#malformed += poll.malformed;
      if (poll.malformed > 0) this.#log.warn('skipped unreadable ss lines', { count: poll.malformed, first: poll.malformedSamples[0] });
      const now = this.#clock.mono();
      for (const known of this.#known.values()) known.listed = false;
      for (const { socket, remote } of counted) {
        const id = flowId(socket.cookie);
        const previous = this.#known.get(id);
        const owner = owners.get(socket.cookie) ?? previous?.owner ?? null;
        const bytes = payloadBytes(socket);
        this.#known.set(id, { owner, remote, ...bytes, listed: true, lastListedMs: now });
        // Closed between the dump and now: its close event below carries the final counters.
        if (closedCookies.has(socket.cookie)) continue;
        const flow: FlowCounter = { id, owner, remote, ...bytes };
        if (counting && previous === undefined) flow.newSincePrevious = true;
        flows.push(flow);
      }
      for (const [id, known] of this.#known) {
        if (!known.listed && now - known.lastListedMs > this.#vanishedTtlMs) this.#known.delete(id);
      }
    }

    const closed: FlowCounter[] = [];
    let unjoined = 0;
    for (const socket of closedNow) {
      const id = flowId(socket.cookie);
      const known = this.#known.get(id);
      this.#known.delete(id);
      const remote = remoteOf(socket, localAddresses);
      if (remote === null) continue;
      const flow: FlowCounter = { id, owner: known?.owner ?? null, remote, ...payloadBytes(socket) };
      if (known === undefined) {
        unjoined += 1;
        if (counting) flow.newSincePrevious = true;
      }
      closed.push(flow);
    }

    // Vanished but not yet closed: repeat the last counters (see the header comment). A failed poll
    // repeats every flow: no news is not a reset.
    let vanished = 0;
    for (const [id, known] of this.#known) {
      if (poll !== null && known.listed) continue;
      if (!known.listed) vanished += 1;
      flows.push({ id, owner: known.owner, remote: known.remote, bytesIn: known.bytesIn, bytesOut: known.bytesOut });
    }

    if (poll !== null) this.#successfulPolls += 1;
    this.#proc.sweep();
    this.#lastFlows = flows.length;
    this.#lastVanished = vanished;
    this.#lastClosed = closed.length;
    this.#closedUnjoined = unjoined;
    const sample: Sample = {
      wallMs: this.#clock.now(),
      monoMs: this.#clock.mono(),
      mode: 'cumulative',
      flows,
      closed,
      iface: netDev === null ? null : { bytesIn: netDev.bytesIn, bytesOut: netDev.bytesOut },
    };
    this.#lastSampleAt = sample.wallMs;
    this.#onSample?.(sample);
  }

  /** Whether a poll lists a counted socket this sampler has never seen, whose owner must be found. */
  #hasNewSockets(poll: PollResult, localAddresses: ReadonlySet<string>): boolean {
    return poll.sockets.some((socket) => socket.hasTcpInfo && remoteOf(socket, localAddresses) !== null && !this.#known.has(flowId(socket.cookie)));
  }

  async #poll(args: readonly string[]): Promise<PollResult> {
    const child = spawnInGroup({ command: this.#ssPath, args: [...args] });
    this.#pollChild = child;
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let tooBig = false;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_POLL_BYTES) {
        tooBig = true;
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    let timer: NodeJS.Timeout | null = null;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#pollTimeoutMs);
    });
    try {
      const exit = await Promise.race([child.closed, timedOut]);
      if (exit === 'timeout') {
        if (child.pid !== null) await terminateTree(child.pid, { logger: this.#log });
        throw new Error(`ss did not answer within ${Math.round(this.#pollTimeoutMs / 1000)} s`);
      }
      this.#logStderr(stderr);
      if (exit.error !== null) throw new Error(describeSpawnError(exit.error, this.#ssPath));
      if (exit.code !== 0) throw new Error(`ss exited with ${exit.code ?? exit.signal ?? 'an error'}: ${firstLine(stderr) ?? 'no message'}`);
      if (tooBig) throw new Error(`ss printed more than ${MAX_POLL_BYTES} bytes`);
      return parseSsOutput(Buffer.concat(chunks).toString('utf8'));
    } finally {
      if (timer !== null) clearTimeout(timer);
      this.#pollChild = null;
    }
  }

  /** The owner of each socket listed with `users:` (or seen before): sticky, and read from /proc. */
  async #resolveOwners(sockets: SsSocket[]): Promise<Map<string, ProcessInfo | null>> {
    const owners = new Map<string, ProcessInfo | null>();
    // One /proc read per process per poll, however many sockets it holds.
    const byPid = new Map<number, Promise<ProcessInfo | null>>();
    const processOf = (pid: number): Promise<ProcessInfo | null> => {
      let pending = byPid.get(pid);
      if (pending === undefined) {
        pending = this.#proc.process(pid);
        byPid.set(pid, pending);
      }
      return pending;
    };
    await Promise.all(
      sockets.map(async (socket) => {
        const previous = this.#known.get(flowId(socket.cookie))?.owner ?? null;
        if (socket.users.length === 0) {
          // An orphan keeps the owner we saw; a socket we could never tie to a process keeps its uid.
          owners.set(socket.cookie, previous ?? uidOwner(socket));
          return;
        }
        // A socket shared after fork(): stay with the process we already chose while it holds it.
        const keep = previous !== null && previous.pid > 0 ? socket.users.find((u) => u.pid === previous.pid) : undefined;
        const user = keep ?? socket.users.reduce((a, b) => (b.pid < a.pid ? b : a));
        const info = await processOf(user.pid);
        owners.set(socket.cookie, info ?? { pid: user.pid, name: user.name, uid: socket.uid, cgroup: socket.cgroup ?? undefined });
      }),
    );
    return owners;
  }

  async #readNetDev(): Promise<NetDevTotals | null> {
    try {
      const totals = parseNetDev(await readFile(path.join(this.#procRoot, 'net', 'dev'), 'utf8'));
      if (totals === null) throw new Error('no interface lines');
      this.#ifaceProblem = null;
      return totals;
    } catch (error) {
      const message = `interface counters unreadable (${path.join(this.#procRoot, 'net', 'dev')}: ${error instanceof Error ? error.message : String(error)})`;
      if (this.#ifaceProblem !== message) this.#log.warn(message);
      this.#ifaceProblem = message;
      return null;
    }
  }

  async #readLocalAddresses(): Promise<Set<string>> {
    const read = (file: string): Promise<string> => readFile(path.join(this.#procRoot, 'net', file), 'utf8').catch(() => '');
    const [fib, inet6] = await Promise.all([read('fib_trie'), read('if_inet6')]);
    return new Set([...parseFibTrieLocal(fib), ...parseIfInet6(inet6)]);
  }

  #attachEventStream(child: GroupChild): void {
    this.#eventState = 'up';
    this.#eventProblem = null;
    let rest = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) this.#eventLine(line);
    });
    child.stdout.on('end', () => {
      if (rest !== '') this.#eventLine(rest);
      rest = '';
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (stderr.length < 4096) stderr += text;
      this.#logStderr(text);
    });
    // Kept for the exit handler: the reason the stream ended is usually on its stderr.
    this.#eventStderr.set(child, () => stderr);
  }

  #eventLine(line: string): void {
    if (line.trim() === '') return;
    const socket = parseSsLine(line);
    if (socket === null) {
      this.#malformed += 1;
      this.#log.warn('skipped an unreadable close event', { line: line.slice(0, 200) });
      return;
    }
    if (socket.hasTcpInfo) this.#pendingClosed.push(socket);
  }

  #eventStreamEnded(exit: ChildExit, child: GroupChild, delayMs: number): void {
    const stderr = this.#eventStderr.get(child)?.() ?? '';
    this.#eventStderr.delete(child);
    let problem: string;
    if (exit.error !== null) problem = describeSpawnError(exit.error, child.spec.command);
    else if (exit.code === 127) problem = `${this.#ssPath} not found`;
    else problem = `ss -E exited with ${exit.code ?? exit.signal ?? 'an error'}${firstLine(stderr) === null ? '' : `: ${firstLine(stderr)}`}`;
    this.#eventState = 'down';
    this.#eventProblem = problem;
    this.#log.warn('close-event stream ended; restarting', { problem, inMs: delayMs });
  }

  #logStderr(text: string): void {
    for (const line of text.split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '' || this.#stderrSeen.has(trimmed)) continue;
      // Each distinct message once: ss repeats e.g. "Failed to find cgroup2 mount" on every run.
      if (this.#stderrSeen.size < 50) this.#stderrSeen.add(trimmed);
      this.#log.warn('ss said', { message: trimmed });
    }
  }
}

/** `name` if it is an executable path, or the first executable `name` on PATH; null if none. */
function findExecutable(name: string | null): string | null {
  if (name === null) return null;
  const candidates = name.includes('/') ? [name] : (process.env['PATH'] ?? '').split(':').filter((d) => d !== '').map((d) => path.join(d, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** `[setpriv --pdeathsig TERM --] [stdbuf -oL] ss -E -tineHO`. */
function eventStreamSpec(ssPath: string, stdbufPath: string | null, setprivPath: string | null): SpawnSpec {
  const argv = [ssPath, ...SS_EVENT_ARGS];
  if (stdbufPath !== null) argv.unshift(stdbufPath, '-oL');
  if (setprivPath !== null) argv.unshift(setprivPath, '--pdeathsig', 'TERM', '--');
  const [command, ...args] = argv as [string, ...string[]];
  return { command, args };
}

function flowId(cookie: string): string {
  return `sk:${cookie}`;
}

/** The far end of a socket worth counting, or null for listeners and for traffic that stays on this machine. */
function remoteOf(socket: SsSocket, localAddresses: ReadonlySet<string>): RemoteEndpoint | null {
  const { remote, local } = socket;
  if (remote.family === null || remote.port === null || remote.port === 0) return null;
  if (isLoopbackAddress(remote.address) || isLoopbackAddress(local.address) || localAddresses.has(remote.address)) return null;
  return { protocol: remote.family === 4 ? 'tcp4' : 'tcp6', address: remote.address, port: remote.port };
}

/** The owner of a socket no process could be found for: its uid (and cgroup), pid 0. */
export function uidOwner(socket: Pick<SsSocket, 'uid' | 'cgroup'>): ProcessInfo {
  const owner: ProcessInfo = { pid: 0, name: `(uid ${socket.uid})`, uid: socket.uid };
  if (socket.cgroup !== null) owner.cgroup = socket.cgroup;
  return owner;
}

function describeSpawnError(error: NodeJS.ErrnoException, command: string): string {
  if (error.code === 'ENOENT') return `${command} not found (install iproute2, or set the ss path)`;
  if (error.code === 'EACCES') return `${command} is not executable`;
  return `${command} could not start: ${error.message}`;
}

function firstLine(text: string): string | null {
  const line = text.split('\n').find((l) => l.trim() !== '');
  return line === undefined ? null : line.trim();
}

/** What `netmon doctor` says about the Linux sampler on this machine. */
export interface LinuxCapabilities {
  /** `ss -tinpeHO` ran and printed socket lines we can read. */
  ssWorks: boolean;
  ssVersion: string | null;
  ssProblem: string | null;
  /** A TCP connection closed on loopback was reported by `ss -E` with its counters. */
  closeEvents: boolean;
  closeEventsProblem: string | null;
  /** Running as root: the owners of every user's sockets are visible. */
  privileged: boolean;
  otherUsersOwnersVisible: boolean;
  /** Plain statements for the user, including the UDP limitation. */
  facts: string[];
}

/** Options of `linuxCapabilities`. */
export interface LinuxCapabilitiesOptions {
  ssPath?: string;
  stdbufPath?: string | null;
  setprivPath?: string | null;
  /** How long to wait for the test connection's close event. Default 3000 ms. */
  timeoutMs?: number;
}

/** Checks, for real, what the Linux sampler can do here: ss, close events, owners of other users' sockets. */
export async function linuxCapabilities(options: LinuxCapabilitiesOptions = {}): Promise<LinuxCapabilities> {
  const ssPath = options.ssPath ?? 'ss';
  const stdbufPath = findExecutable(options.stdbufPath === undefined ? 'stdbuf' : options.stdbufPath);
  const setprivPath = findExecutable(options.setprivPath === undefined ? 'setpriv' : options.setprivPath);
  const timeoutMs = options.timeoutMs ?? 3000;
  const privileged = process.getuid?.() === 0;

  const version = await runQuick(ssPath, ['-V'], timeoutMs);
  const poll = await runQuick(ssPath, [...SS_POLL_ARGS], timeoutMs);
  let ssProblem: string | null = null;
  if (poll.error !== null) ssProblem = poll.error;
  else if (poll.code !== 0) ssProblem = `ss exited with ${poll.code}: ${firstLine(poll.stderr) ?? 'no message'}`;
  else if (parseSsOutput(poll.stdout).malformed > 0) ssProblem = 'ss printed lines this version of netmon cannot read';

  const events = ssProblem === null ? await probeCloseEvents(eventStreamSpec(ssPath, stdbufPath, setprivPath), timeoutMs) : { ok: false, problem: 'ss does not work' };
  const facts = [
    UDP_FACT,
    privileged
      ? 'Running as root: every socket is tied to its process.'
      : "Not running as root: other users' sockets are counted under their uid, not their process.",
  ];
  if (!events.ok) facts.push('Without close events, connections shorter than one interval are missed (their bytes show as unattributed).');
  return {
    ssWorks: ssProblem === null,
    ssVersion: version.code === 0 ? (firstLine(version.stdout) ?? null) : null,
    ssProblem,
    closeEvents: events.ok,
    closeEventsProblem: events.ok ? null : events.problem,
    privileged,
    otherUsersOwnersVisible: privileged,
    facts,
  };
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error: string | null;
}

async function runQuick(command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  const r = await runOnce(command, args, { timeoutMs, maxStdout: 1_000_000 });
  const error = r.timedOut ? `${command} did not answer within ${timeoutMs} ms` : r.spawnError === null ? null : describeSpawnError(r.spawnError, command);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, error };
}

/** Starts `ss -E`, closes a loopback connection, and waits for its close event. */
async function probeCloseEvents(spec: SpawnSpec, timeoutMs: number): Promise<{ ok: boolean; problem: string }> {
  const child = spawnInGroup(spec);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const server = createServer((socket) => socket.end('x'));
  try {
    // Give ss time to subscribe; if it cannot, it exits at once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (child.hasExited()) {
      const exit = await child.closed;
      if (exit.error !== null) return { ok: false, problem: describeSpawnError(exit.error, spec.command) };
      return { ok: false, problem: `ss -E exited with ${exit.code ?? exit.signal ?? 'an error'}: ${firstLine(stderr) ?? 'no message'}` };
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve, reject) => {
      const client = connect(port, '127.0.0.1');
      client.on('error', reject);
      client.on('data', () => undefined);
      client.on('close', () => resolve());
    });
    const deadline = Date.now() + timeoutMs;
    const wanted = `:${port} `;
    while (Date.now() < deadline) {
      if (stdout.split('\n').some((line) => line.includes(wanted) && parseSsLine(line) !== null)) return { ok: true, problem: '' };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { ok: false, problem: `no close event within ${timeoutMs} ms${firstLine(stderr) === null ? '' : ` (${firstLine(stderr)})`}` };
  } catch (error) {
    return { ok: false, problem: `loopback test connection failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    server.close();
    if (child.pid !== null && !child.hasExited()) await terminateTree(child.pid, { graceMs: 500 });
  }
}
