// Whether the eBPF sampler can run here, and if not, what to do about it: for `--sampler auto` and
// `netmon doctor`. The helper is asked itself (`--check`): it loads its BPF programs into the kernel
// without attaching them, which answers for its rights (root or file capabilities, which node cannot
// read), the kernel version and the verifier at once.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { runOnce } from '../child.js';
import { defaultHelperPath } from './sampler.js';

/** The answer of `ebpfAvailability`: `reason` says what is wrong, `fix` what the user can do. */
export type EbpfAvailability = { ok: true } | { ok: false; reason: string; fix: string };

/** Options of `ebpfAvailability`. */
export interface EbpfAvailabilityOptions {
  /** Put before the helper's command line, as in `EbpfSamplerOptions.launcher`. */
  launcher?: readonly string[];
  /** How long the check may take. Default 5000 ms. */
  timeoutMs?: number;
}

const BUILD_FIX = 'build it: npm run build:helper (Debian packages: clang bpftool libbpf-dev libelf-dev zlib1g-dev)';

/** Whether `helperPath` (default: this install's) can count here; starts nothing that stays. */
export async function ebpfAvailability(helperPath: string = defaultHelperPath(), options: EbpfAvailabilityOptions = {}): Promise<EbpfAvailability> {
  if (process.platform !== 'linux') return { ok: false, reason: 'the eBPF sampler needs Linux', fix: 'use the default sampler' };
  try {
    const info = await stat(helperPath);
    if (!info.isFile()) return { ok: false, reason: `${helperPath} is not a file`, fix: BUILD_FIX };
  } catch {
    return { ok: false, reason: `netmon-capture is not built (${helperPath} is missing)`, fix: BUILD_FIX };
  }
  try {
    await access(helperPath, constants.X_OK);
  } catch {
    return { ok: false, reason: `${helperPath} is not executable`, fix: `chmod +x ${helperPath}` };
  }

  const argv: string[] = [...(options.launcher ?? []), helperPath, '--check'];
  const [command, ...args] = argv as [string, ...string[]];
  const timeoutMs = options.timeoutMs ?? 5000;
  const run = await runOnce(command, args, { timeoutMs, maxStdout: 4096 });
  if (run.timedOut) return { ok: false, reason: `netmon-capture --check did not answer within ${timeoutMs} ms`, fix: 'run it by hand to see why' };
  if (run.spawnError !== null) return { ok: false, reason: `${command} could not start: ${run.spawnError.message}`, fix: BUILD_FIX };
  if (run.code === 0 && run.stdout.trim() === 'ok') return { ok: true };
  const said = run.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  return { ok: false, reason: said ?? `netmon-capture --check exited with ${run.code ?? run.signal ?? 'an error'}`, fix: fixFor(said ?? '', helperPath) };
}

/** What to tell the user for the helper's own one-line error. */
function fixFor(said: string, helperPath: string): string {
  if (said.includes('needs root or the file capabilities')) return `sudo setcap cap_bpf,cap_net_admin,cap_perfmon+ep ${helperPath} (or run netmon as root)`;
  if (said.includes('cgroup v2')) return 'mount the unified cgroup hierarchy (cgroup2), as systemd does by default';
  if (said.includes('refused the BPF program')) return 'Linux 5.14 or later is needed; the default sampler works meanwhile';
  return 'see the message; the default sampler works meanwhile';
}
