// Types that flow through the engine's pipeline: sampler → delta engine → attribution → store.
// Everything here is plain data so that each stage stays a pure function of its input.

/** Wall and monotonic time, injected so tests can drive it. Both in milliseconds. */
export interface Clock {
  /** Wall clock (epoch ms): labels samples; may jump. */
  now(): number;
  /**
   * Monotonic clock (ms): measures intervals; never jumps. It stops while the machine sleeps on Linux;
   * Node's on macOS (mach_continuous_time) counts through a sleep, which the app corrects (engine/sleep.ts).
   */
  mono(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  mono: () => performance.now(),
};

export type Protocol = 'tcp4' | 'tcp6' | 'udp4' | 'udp6' | 'quic4' | 'quic6';

/** The far end of a connection, where the OS tells it. */
export interface RemoteEndpoint {
  protocol: Protocol;
  address: string;
  port: number;
}

/** What the OS told about the process that owns a counter. */
export interface ProcessInfo {
  pid: number;
  /** Name as the OS reports it (Linux `comm`, or nettop's label cut to 15 characters). */
  name: string;
  /** Executable path, where known (Linux `/proc/PID/exe`). */
  path?: string | undefined;
  /** Full command line, where known: tells Firefox's `-contentproc` children from the browser. */
  cmdline?: string | undefined;
  ppid?: number | undefined;
  /** Name of the parent process, where known: folds helpers into their application. */
  parentName?: string | undefined;
  /** Executable path of the parent process, where known. */
  parentPath?: string | undefined;
  /** cgroup path (Linux), e.g. `/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1234.scope`. */
  cgroup?: string | undefined;
  uid?: number | undefined;
  /** Process start time in the OS's own units (Linux: clock ticks since boot); tells a reused pid apart. */
  startTime?: number | undefined;
}

/** One byte counter as a sampler saw it: a socket (Linux, keyed by cookie) or a whole process (nettop). */
export interface FlowCounter {
  /** Unique identity of this counter for as long as it lives: socket cookie, or nettop's `name.pid`. */
  id: string;
  owner: ProcessInfo | null;
  remote?: RemoteEndpoint | undefined;
  /** The interface the flow's packets used (nettop's connection rows; Linux: the route's egress device). */
  iface?: string | undefined;
  /** This machine's end, where the sampler tells it: finds a local proxy's clients by its port. */
  local?: { address: string; port: number } | undefined;
  /** The socket's fwmark (Linux), where the sampler reads it: policy routing may send marked sockets elsewhere. */
  mark?: number | undefined;
  bytesIn: number;
  bytesOut: number;
  /**
   * True when the sampler knows this flow began after its previous sample (Linux: a socket cookie absent
   * from the previous successful poll), so all of its counters are new bytes, not a baseline.
   */
  newSincePrevious?: boolean | undefined;
  /**
   * A process's bytes beyond its listed sockets (nettop per connection: its "other sockets" flow), not one
   * socket: not continuous with an earlier run's, so a resumed run takes it as a baseline while the
   * baselines know its process (engine/resume/seed.ts).
   */
  remainder?: boolean | undefined;
}

/** Bytes counted by the network interfaces (all non-loopback interfaces summed). */
export interface InterfaceTotals {
  bytesIn: number;
  bytesOut: number;
}

/** One observation of the machine, emitted by a sampler once per interval. */
export interface Sample {
  /** Wall clock when taken (epoch ms). */
  wallMs: number;
  /** Monotonic clock when taken (ms). */
  monoMs: number;
  /**
   * `cumulative`: each flow's counters since the flow began (the delta engine subtracts).
   * `delta`: each flow's bytes since the previous sample (nettop `-d` after its first frame).
   */
  mode: 'cumulative' | 'delta';
  /** Counters of flows alive at this instant. */
  flows: FlowCounter[];
  /** Final cumulative counters of flows that ended since the previous sample (Linux close events). */
  closed: FlowCounter[];
  /** Cumulative interface counters at this instant, or null where the sampler could not read them. */
  iface: InterfaceTotals | null;
  /**
   * The same counters per interface (cumulative, by name), where the sampler reads them: tunnels are then
   * told from physical links, and the network total is the physical ones' sum (engine/network).
   */
  interfaces?: Record<string, InterfaceTotals> | undefined;
  /**
   * The first bytes of packets that can name a flow's destination (DNS answers, TLS ClientHellos, QUIC
   * Initials), seen since the previous sample; only the privileged (eBPF) sampler sends them. They are
   * parsed for names and dropped: never stored.
   */
  payloads?: PayloadEvent[] | undefined;
}

/** The start of one packet's L4 payload, passed up for naming (see `Sample.payloads`). */
export interface PayloadEvent {
  /** The `FlowCounter.id` of the flow the packet belongs to. */
  flowId: string;
  /** Wall time the packet was seen (epoch ms). */
  wallMs: number;
  direction: 'in' | 'out';
  protocol: 'tcp' | 'udp';
  /** The far end (for `in`, the packet's source; for `out`, its destination). */
  remote: { address: string; port: number };
  /** TCP only: the segment's sequence number, so a reassembler can order and de-duplicate. */
  tcpSeq?: number | undefined;
  /** The L4 payload from its first byte (possibly cut short: `truncated`). */
  bytes: Uint8Array;
  /** True when the packet's payload was longer than `bytes`. */
  truncated: boolean;
}

/** Bytes one flow moved in one interval (always ≥ 0). */
export interface FlowDelta {
  id: string;
  owner: ProcessInfo | null;
  remote?: RemoteEndpoint | undefined;
  /** The host name this flow went to, where the privileged sampler's packets named it (SNI, or DNS). */
  hostname?: string | undefined;
  /** The stored row's name when it is not a process's (a tunnel provider's overhead row, engine/network). */
  app?: string | undefined;
  /** The interface the flow's packets used, where the sampler knows it (see `FlowCounter.iface`). */
  iface?: string | undefined;
  /** This machine's end, where the sampler tells it (see `FlowCounter.local`). */
  local?: { address: string; port: number } | undefined;
  bytesIn: number;
  bytesOut: number;
}

/** What the delta engine makes of one sample: the bytes of the interval that ended at `endMs`. */
export interface Interval {
  /** Wall time the interval began and ended (epoch ms); `endMs - startMs` is the monotonic duration. */
  startMs: number;
  endMs: number;
  flows: FlowDelta[];
  /** Interface bytes in this interval, or null when unknown (no counters, or they were reset). */
  iface: InterfaceTotals | null;
}

/** A stretch of time with no measurement (sleep, clock jump, sampler down), recorded as such. */
export interface Gap {
  startMs: number;
  endMs: number;
  /** 'netmon-stopped': netmon was not running; bytes of that time resumed from stored baselines are in the next interval. */
  reason: 'sleep-or-clock-jump' | 'sampler-restart' | 'stall' | 'paused' | 'netmon-stopped';
}

/** The name under which bytes nobody could be tied to are stored: never hidden, never dropped. */
export const UNATTRIBUTED = '(unattributed)';

/** Bytes of one application in one interval, as stored. */
export interface AppUsage {
  /** Interval end, epoch seconds. */
  ts: number;
  /** Interval length, seconds. */
  durationS: number;
  app: string;
  bytesIn: number;
  bytesOut: number;
}

/** A process seen behind an application, for the Applications page's detail. */
export interface ProcessSeen {
  app: string;
  name: string;
  pid: number;
  path: string | null;
  /** Epoch seconds. */
  ts: number;
}

export type SamplerState = 'starting' | 'running' | 'degraded' | 'failing' | 'stopped';

/** How a sampler is doing, for `netmon doctor`, the status API and the popover. */
export interface SamplerHealth {
  sampler: string;
  state: SamplerState;
  /** Why it is degraded or failing, in words a user can act on; null when running well. */
  reason: string | null;
  restarts: number;
  /** Lines of the source's output that could not be parsed and were skipped. */
  malformedLines: number;
  /** Wall time of the last sample emitted (epoch ms), or null. */
  lastSampleAt: number | null;
  /** Sampler-specific facts (mode, child CPU share, …). */
  details: Record<string, string | number | boolean | null>;
}

/**
 * A source of samples. Starts its own child processes or polls; never blocks the event loop.
 * Lifecycle, the same in every sampler: `start()` once (a second call throws, even after `stop()`: a
 * sampler is not restarted, a new one is made); `stop()` may be called any number of times, before or
 * after `start()`, and resolves when every child is gone.
 */
export interface Sampler {
  readonly name: string;
  /** Begins sampling; `onSample` is called once per interval. Throws when called a second time. */
  start(onSample: (sample: Sample) => void): void;
  /** Stops sampling and kills every child's whole process group; resolves when they are gone. Idempotent. */
  stop(): Promise<void>;
  health(): SamplerHealth;
  /**
   * Before `start()`, from a resumed run (engine/resume): sockets whose carried baselines are in this
   * run's terms only if the sampler lists them from its first sample on. A sampler that sees a socket
   * only once it moves (eBPF) lists each with zero counters until it lists it itself; others need not.
   */
  resumeSockets?(sockets: readonly ResumedSocket[]): void;
}

/** A socket still open when a resumed run started, as `ss` listed it then. */
export interface ResumedSocket {
  /** The flow id (`sk:COOKIE`). */
  id: string;
  /** The socket cookie (as ss prints it). */
  cookie: string;
  family: 4 | 6;
  remote: RemoteEndpoint;
  /** The socket's uid (for its owner when no process is found). */
  uid: number;
  /** The owner the stored baselines knew; null: to be looked up. */
  owner: ProcessInfo | null;
}
