// `netmon serve --sampler ebpf` inside a test network namespace, as a user would run it: shared by the
// eBPF namespace tests (ebpf-netns, ebpf-udp-flood).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { NETMON, REPO } from './cli.js';
import { netnsArgv } from './netns.js';
import { testNode } from './traffic.js';

/** The capture helper `npm run build:helper` builds. */
export const HELPER = path.join(REPO, 'dist', 'helper', 'netmon-capture');

/** The user serve runs as when the helper can be given file capabilities: netmon itself never runs as root. */
const NOBODY = 65534;

/**
 * The argv of `netmon serve` in the client namespace. With `setcap` at hand it is the production shape:
 * serve as an unprivileged user, the helper a copy with file capabilities (cap_bpf, cap_net_admin,
 * cap_perfmon), entered with `nsenter --net` (only the network namespace: `ip netns exec` remounts /sys,
 * hiding the cgroup2 mount an unprivileged helper needs). Without setcap, as root (`ip netns exec`).
 */
export function serveArgv(ns: string, dir: string, dataDir: string, sampler = 'ebpf'): { argv: string[]; as: string } {
  const serve = [testNode(), NETMON, 'serve', '--port', '0', '--sampler', sampler, '--interval', '1', '--no-open', '--data-dir', dataDir];
  const setcap = spawnSync('setcap', ['-v', 'cap_bpf+ep', '/nonexistent'], { encoding: 'utf8' });
  // The checkout must be readable by that user too (not so under a private home).
  const readable = spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'test', '-r', NETMON]);
  if (sampler !== 'ebpf' || setcap.error !== undefined || readable.status !== 0) return { argv: netnsArgv(ns, serve), as: 'root' };
  chmodSync(path.dirname(dir), 0o755);
  chmodSync(dir, 0o755);
  const helper = path.join(dir, 'netmon-capture');
  copyFileSync(HELPER, helper);
  chmodSync(helper, 0o755);
  execFileSync('setcap', ['cap_bpf,cap_net_admin,cap_perfmon+ep', helper]);
  mkdirSync(dataDir, { mode: 0o700 });
  chownSync(dataDir, NOBODY, NOBODY);
  const argv = ['nsenter', `--net=/run/netns/${ns}`, 'setpriv', '--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', ...serve, '--helper-path', helper];
  return { argv, as: `uid ${NOBODY}, helper with file capabilities` };
}
