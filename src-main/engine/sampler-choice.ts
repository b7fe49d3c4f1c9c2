// Which sampler runs here: `auto` walks this platform's kinds in the registry (macOS: nettop; Linux: the
// eBPF helper when its probe passes, else the unprivileged socket sampler), and says why; a name forces
// one (tests replay nettop, or pin the unprivileged sampler).
import path from 'node:path';
import type { Platform } from './attribution/index.js';
import { defaultHelperPath } from './samplers/ebpf/helper-path.js';
import { kindsFor, samplerKind, type ProbeResult, type SamplerKind, type SamplerPaths, type SamplerSetup } from './samplers/registry.js';
import type { Clock, Sampler } from './types.js';

export const SAMPLER_NAMES = ['auto', 'nettop', 'linux', 'ebpf'] as const satisfies readonly ('auto' | SamplerKind['name'])[];
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface SamplerChoice {
  sampler: Sampler;
  /** The platform whose naming rules attribute this sampler's processes. */
  platform: Platform;
  /** Why this one, in a sentence for the user. */
  why: string;
  /** A new sampler of the same kind that continues from the kernel's counters; null where it would not (see SamplerKind.restartable). */
  fresh: (() => Sampler) | null;
}

export interface SamplerChoiceOptions {
  name: SamplerName;
  intervalS: number;
  dataDir: string;
  nettopPath?: string | undefined;
  /** nettop per connection (default) or per process (`-P`). */
  nettopPerConnection?: boolean | undefined;
  netstatPath?: string | undefined;
  /** The eBPF helper (`netmon-capture`); default: this install's `dist/helper/netmon-capture`. */
  helperPath?: string | undefined;
  clock?: Clock;
  /** The OS; defaults to process.platform. */
  os?: NodeJS.Platform;
  /** Probes a kind (injected by tests); default the kind's own probe. */
  probe?: (kind: SamplerKind, paths: SamplerPaths) => Promise<ProbeResult>;
}

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = { darwin: 'macOS', linux: 'Linux' };

/** Builds the sampler `name` asks for, or says plainly why none can run here. */
export async function chooseSampler(options: SamplerChoiceOptions): Promise<SamplerChoice> {
  const os = options.os ?? process.platform;
  const setup: SamplerSetup = {
    intervalS: options.intervalS,
    // Pid files of the samplers' children: what a crash of ours leaves running is reaped at the next start.
    stateDir: path.join(options.dataDir, 'run'),
    nettopPath: options.nettopPath,
    nettopPerConnection: options.nettopPerConnection,
    netstatPath: options.netstatPath,
    helperPath: options.helperPath ?? defaultHelperPath(),
    clock: options.clock,
  };
  const build = (kind: SamplerKind, why: string): SamplerChoice => ({
    sampler: kind.create(setup),
    platform: kind.platform,
    why,
    fresh: kind.restartable ? () => kind.create(setup) : null,
  });
  // Forced: started even if its probe would fail, so that its health says what is wrong (and retries).
  if (options.name !== 'auto') return build(samplerKind(options.name), `asked for with --sampler ${options.name}`);
  const kinds = kindsFor(os);
  const probe = options.probe ?? ((kind: SamplerKind, paths: SamplerPaths) => kind.probe(paths));
  const passedOver: string[] = [];
  for (const [index, kind] of kinds.entries()) {
    const fallback = index === kinds.length - 1;
    if (kind.probeBeforeAuto && !fallback) {
      const found = await probe(kind, setup);
      if (!found.usable) {
        passedOver.push(`${kind.title} cannot run: ${found.reason ?? 'its probe failed'}; ${found.fix ?? 'see netmon doctor'}; see netmon doctor`);
        continue;
      }
    }
    const where = `${OS_NAMES[os] ?? os}${kind.probeBeforeAuto ? `, ${kind.title} may run` : ''}`;
    return build(kind, `${where}: ${kind.sees}${passedOver.length === 0 ? '' : ` (${passedOver.join('; ')})`}`);
  }
  throw new Error(`no sampler for ${os}: netmon measures on macOS (nettop) and Linux (ss, or the eBPF helper)`);
}
