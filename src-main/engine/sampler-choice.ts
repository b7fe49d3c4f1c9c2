// Which sampler runs here: `auto` picks the best this machine allows (macOS: nettop; Linux: the eBPF
// helper when it may run, else the unprivileged socket sampler), and says why; a name forces one (tests
// replay nettop, or pin the unprivileged sampler).
import path from 'node:path';
import type { Platform } from './attribution/index.js';
import { ebpfAvailability, type EbpfAvailability } from './samplers/ebpf/availability.js';
import { EbpfSampler, defaultHelperPath } from './samplers/ebpf/sampler.js';
import { LinuxSampler } from './samplers/linux/sampler.js';
import { NettopSampler } from './samplers/nettop/sampler.js';
import type { Clock, Sampler } from './types.js';

export const SAMPLER_NAMES = ['auto', 'nettop', 'linux', 'ebpf'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface SamplerChoice {
  sampler: Sampler;
  /** The platform whose naming rules attribute this sampler's processes. */
  platform: Platform;
  /** Why this one, in a sentence for the user. */
  why: string;
}

export interface SamplerChoiceOptions {
  name: SamplerName;
  intervalS: number;
  dataDir: string;
  nettopPath?: string | undefined;
  /** The eBPF helper (`netmon-capture`); default: this install's `dist/helper/netmon-capture`. */
  helperPath?: string | undefined;
  clock?: Clock;
  /** The OS; defaults to process.platform. */
  os?: NodeJS.Platform;
  /** Whether the eBPF helper can run (injected by tests); default asks the helper itself (`--check`). */
  ebpfCheck?: (helperPath: string) => Promise<EbpfAvailability>;
}

/** What the unprivileged Linux sampler sees, said where it is chosen. */
const LINUX_SEES = 'kernel TCP socket counters (ss) and close events, without privileges; UDP is counted only in the interface totals';

/** Builds the sampler `name` asks for, or says plainly why none can run here. */
export async function chooseSampler(options: SamplerChoiceOptions): Promise<SamplerChoice> {
  const os = options.os ?? process.platform;
  const clockOption = options.clock === undefined ? {} : { clock: options.clock };
  const helperPath = options.helperPath ?? defaultHelperPath();
  const linux = (why: string): SamplerChoice => ({
    sampler: new LinuxSampler({ intervalMs: options.intervalS * 1000, ...clockOption }),
    platform: 'linux',
    why,
  });
  const ebpf = (why: string): SamplerChoice => ({
    sampler: new EbpfSampler({ helperPath, intervalMs: options.intervalS * 1000, ...clockOption }),
    platform: 'linux',
    why,
  });
  switch (options.name) {
    case 'auto': {
      if (os === 'darwin') return nettop(options, 'macOS: nettop reports bytes per process');
      if (os !== 'linux') throw new Error(`no sampler for ${os}: netmon measures on macOS (nettop) and Linux (ss, or the eBPF helper)`);
      const check = await (options.ebpfCheck ?? ((p: string) => ebpfAvailability(p)))(helperPath);
      if (check.ok) return ebpf('Linux, the eBPF helper may run: every TCP and UDP byte per socket with its process, short connections included, and destinations named from DNS answers and TLS/QUIC server names');
      return linux(`Linux: ${LINUX_SEES} (the eBPF helper cannot run: ${check.reason}; ${check.fix}; see netmon doctor)`);
    }
    case 'nettop':
      return nettop(options, 'asked for with --sampler nettop');
    case 'linux':
      return linux('asked for with --sampler linux');
    case 'ebpf':
      // Forced: started even if the check would fail, so that its health says what is wrong (and retries).
      return ebpf('asked for with --sampler ebpf');
  }
}

function nettop(options: SamplerChoiceOptions, why: string): SamplerChoice {
  return {
    sampler: new NettopSampler({
      executable: options.nettopPath ?? '/usr/bin/nettop',
      intervalS: options.intervalS,
      stateDir: path.join(options.dataDir, 'run'),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    }),
    platform: 'darwin',
    why,
  };
}
