// Whether the eBPF sampler can run here, and if not, what to do about it: for `--sampler auto` and
// `netmon doctor`. The helper is asked itself (`--check`): it loads its BPF programs into the kernel
// without attaching them, which answers for its rights (root or file capabilities, which node cannot
// read), the kernel version and the verifier at once.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { ProbeResult } from '../kind.js';
import { describeStartError, describeTimeout, exitStatus, lastLine } from '../kit/describe-child.js';
import { runOnce } from '../process/index.js';
import { BUILD_FIX, defaultHelperPath } from './helper-path.js';

/** The answer of `ebpfAvailability`: `reason` says what is wrong, `fix` what the user can do. */
export type EbpfAvailability = { ok: true } | { ok: false; reason: string; fix: string };

/** Options of `ebpfAvailability`. */
export interface EbpfAvailabilityOptions {
  /** Put before the helper's command line, as in `EbpfSamplerOptions.launcher`. */
  launcher?: readonly string[];
  /** How long the check may take. Default 5000 ms. */
  timeoutMs?: number;
}

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
  if (run.timedOut) return { ok: false, reason: describeTimeout('netmon-capture --check', timeoutMs), fix: 'run it by hand to see why' };
  if (run.spawnError !== null) return { ok: false, reason: describeStartError(run.spawnError, { command }), fix: BUILD_FIX };
  if (run.code === 0 && run.stdout.trim() === 'ok') return { ok: true };
  const said = lastLine(run.stderr);
  return { ok: false, reason: said ?? `netmon-capture --check exited with ${exitStatus(run)}`, fix: fixFor(said ?? '', helperPath) };
}

/** What to tell the user for the helper's own one-line error. */
function fixFor(said: string, helperPath: string): string {
  if (said.includes('needs root or the file capabilities')) return `sudo setcap cap_bpf,cap_net_admin,cap_perfmon+ep ${helperPath} (or run netmon as root)`;
  if (said.includes('cgroup v2')) return 'mount the unified cgroup hierarchy (cgroup2), as systemd does by default';
  if (said.includes('refused the BPF program')) return 'Linux 5.14 or later is needed; the default sampler works meanwhile';
  return 'see the message; the default sampler works meanwhile';
}

/**
 * The eBPF sampler's probe for the registry and `netmon doctor`. The helper not running is not a failure
 * of the machine: the unprivileged sampler still runs; the lines say what it would add and how to grant it.
 */
export async function probeEbpf(helperPath: string = defaultHelperPath(), check: (helperPath: string) => Promise<EbpfAvailability> = ebpfAvailability): Promise<ProbeResult> {
  const found = await check(helperPath);
  if (found.ok) {
    return {
      usable: true,
      reason: null,
      fix: null,
      checks: [
        {
          name: 'eBPF helper (privileged level)',
          ok: true,
          detail: `${helperPath} may run: netmon serve uses it (--sampler auto). It counts every TCP and UDP byte per socket with its process, connections shorter than one interval included, and names destinations for every application from DNS answers and TLS/QUIC server names (names only: never a path or a URL)`,
        },
      ],
    };
  }
  return {
    usable: false,
    reason: found.reason,
    fix: found.fix,
    checks: [
      { name: 'eBPF helper (privileged level)', ok: true, detail: `not usable: ${found.reason}; the unprivileged level below is used instead` },
      {
        name: 'how to grant it',
        ok: true,
        detail: `${found.fix}. netmon itself never runs as root: only the small helper is privileged. Either give the helper file capabilities and let one group run it: sudo groupadd -f netmon; sudo usermod -aG netmon $USER; sudo chgrp netmon ${helperPath}; sudo chmod 750 ${helperPath}; sudo setcap cap_bpf,cap_net_admin,cap_perfmon+ep ${helperPath} — or run netmon serve --sampler ebpf as root. Then netmon doctor again`,
      },
      {
        name: 'what each level sees',
        ok: true,
        detail: 'unprivileged (ss): TCP bytes per process, UDP (QUIC, video calls, DNS) only in the interface totals, connections shorter than one interval as unattributed, domains only for browsers with the extension. eBPF helper: TCP and UDP per process, short connections too, domains for every application',
      },
    ],
  };
}
