// Every kind of sampler netmon has, in order of preference per platform: `--sampler auto` takes the
// first of this machine's kinds whose probe passes (the platform's last kind is its fallback, taken
// without a probe), `--sampler NAME` builds that one, and `netmon doctor` probes each kind of the
// platform. Each kind's probe is in `<kind>/probe.ts`; its pid file for stray reaping is
// `DATA/run/<kind>.pids.json`.
import { EbpfSampler } from './ebpf/sampler.js';
import { probeEbpf } from './ebpf/probe.js';
import type { SamplerKind } from './kind.js';
import { LinuxSampler } from './linux/sampler.js';
import { probeLinux } from './linux/probe.js';
import { NETTOP_PATH } from './nettop/command.js';
import { netstatInterfaceReader } from './nettop/netstat.js';
import { probeNettop } from './nettop/probe.js';
import { NettopSampler } from './nettop/sampler.js';

export type { ProbeCheck, ProbeResult, SamplerKind, SamplerPaths, SamplerSetup } from './kind.js';

const nettop: SamplerKind = {
  name: 'nettop',
  platform: 'darwin',
  title: 'nettop',
  sees: 'nettop reports bytes per connection (with its server address and interface) under each process, or per process with -P',
  probeBeforeAuto: false,
  // nettop reports the kernel's counters per process (it is restarted on a stall already).
  restartable: true,
  probe: (paths) => probeNettop(paths.nettopPath ?? NETTOP_PATH),
  create: (setup) =>
    new NettopSampler({
      executable: setup.nettopPath ?? NETTOP_PATH,
      intervalS: setup.intervalS,
      stateDir: setup.stateDir,
      perConnection: setup.nettopPerConnection ?? true,
      ...(setup.netstatPath === undefined ? {} : { interfaceReader: netstatInterfaceReader({ netstatPath: setup.netstatPath }) }),
      ...(setup.clock === undefined ? {} : { clock: setup.clock }),
    }),
};

const ebpf: SamplerKind = {
  name: 'ebpf',
  platform: 'linux',
  title: 'the eBPF helper',
  sees: 'every TCP and UDP byte per socket with its process, short connections included, and destinations named from DNS answers and TLS/QUIC server names',
  probeBeforeAuto: true,
  // The helper counts from when its hooks attach: a new one would start every socket from zero.
  restartable: false,
  probe: (paths) => probeEbpf(paths.helperPath),
  create: (setup) =>
    new EbpfSampler({
      ...(setup.helperPath === undefined ? {} : { helperPath: setup.helperPath }),
      intervalMs: setup.intervalS * 1000,
      stateDir: setup.stateDir,
      ...(setup.clock === undefined ? {} : { clock: setup.clock }),
    }),
};

const linux: SamplerKind = {
  name: 'linux',
  platform: 'linux',
  title: 'the socket sampler (ss)',
  sees: 'kernel TCP socket counters (ss) and close events, without privileges; UDP is counted only in the interface totals',
  probeBeforeAuto: false,
  // ss reads the kernel's socket counters.
  restartable: true,
  probe: () => probeLinux(),
  create: (setup) => new LinuxSampler({ intervalMs: setup.intervalS * 1000, stateDir: setup.stateDir, ...(setup.clock === undefined ? {} : { clock: setup.clock }) }),
};

/** Every kind, in order of preference within each platform. */
export const SAMPLER_KINDS: readonly SamplerKind[] = [nettop, ebpf, linux];

/** The kinds that run on `os`, in order of preference (empty where netmon does not measure). */
export function kindsFor(os: NodeJS.Platform): SamplerKind[] {
  return SAMPLER_KINDS.filter((kind) => kind.platform === os);
}

/** The kind named `name`. */
export function samplerKind(name: SamplerKind['name']): SamplerKind {
  const kind = SAMPLER_KINDS.find((k) => k.name === name);
  if (kind === undefined) throw new Error(`no sampler named ${name}`);
  return kind;
}
