// What every kind of sampler offers the registry: where it runs, a probe of whether it works here (for
// `--sampler auto` and `netmon doctor`), and a constructor. A new kind is one object in registry.ts.
import type { Platform } from '../attribution/index.js';
import type { Clock, Sampler } from '../types.js';

/** One line of what a probe found, as `netmon doctor` prints it. */
export interface ProbeCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** What a probe found: whether the kind can count here (if not, why and what to do), and its doctor lines. */
export interface ProbeResult {
  usable: boolean;
  /** Why it cannot run; null when usable. */
  reason: string | null;
  /** What the user can do about it; null when usable. */
  fix: string | null;
  checks: ProbeCheck[];
}

/** Where the kinds' programs are, when not in their default place. */
export interface SamplerPaths {
  /** nettop (tests point it at a replay). */
  nettopPath?: string | undefined;
  /** `netstat` for nettop's interface counters (`netstat -ibn`); given, it is read on any OS (a stand-in on Linux). */
  netstatPath?: string | undefined;
  /** The eBPF helper (`netmon-capture`). */
  helperPath?: string | undefined;
}

/** What `create` needs. */
export interface SamplerSetup extends SamplerPaths {
  intervalS: number;
  /** nettop per connection (the default) or per process (`-P`, false): config `nettop_per_connection`. */
  nettopPerConnection?: boolean | undefined;
  /** Where the pid files for stray reaping live (`DATA/run`). */
  stateDir: string;
  clock?: Clock | undefined;
}

/** A kind of sampler. */
export interface SamplerKind {
  readonly name: 'nettop' | 'linux' | 'ebpf';
  /** The OS it runs on, which is also whose naming rules attribute its processes. */
  readonly platform: Platform;
  /** Its name in sentences, e.g. "the eBPF helper". */
  readonly title: string;
  /** What it sees, in a sentence, said when `auto` picks it. */
  readonly sees: string;
  /**
   * Whether `auto` must ask `probe()` before picking it (a privileged or optional kind); the last kind
   * of a platform is its fallback and is taken without asking.
   */
  readonly probeBeforeAuto: boolean;
  /**
   * Whether a new instance continues where a stopped one left off: its counters are the kernel's, so the
   * first sample of a fresh one still counts every byte since the last sample of the old (the app stops
   * and restarts the sampler around a system sleep). False where the counts are the sampler's own.
   */
  readonly restartable: boolean;
  probe(paths: SamplerPaths): Promise<ProbeResult>;
  create(setup: SamplerSetup): Sampler;
}
