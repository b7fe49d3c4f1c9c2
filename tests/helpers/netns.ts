// Throwaway network namespaces for tests that move real bytes. Two namespaces, a client and a server,
// joined by one veth pair, addressed from 198.51.100.0/24 only (TEST-NET-2):
//
//   nmtest-<pid>-<n>-srv  198.51.100.1/24  <──veth──>  198.51.100.2/24  nmtest-<pid>-<n>-cli
//
// Nothing else is on the link: no IPv6 link-local addresses (addrgenmode none), no default route, so
// the client's interface counters hold our test traffic and nothing more. Names carry our pid, so
// parallel test files and runs never clash, and a later run can remove what a killed run left.
//
// Usage (needs root and `ip`; see `netnsSupport()` for the skip message):
//   const pair = createNetnsPair();            // in beforeAll
//   spawn(...netnsArgv(pair.client, ['ss', '-tinpeHO']))
//   pair.destroy();                            // in afterAll; also runs at process exit regardless
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** The addresses on the link; nothing else may be used. */
export const SERVER_ADDRESS = '198.51.100.1';
export const CLIENT_ADDRESS = '198.51.100.2';

/** Two namespaces joined by a veth pair. */
export interface NetnsPair {
  /** Namespace of the client (and of the sampler under test). */
  readonly client: string;
  /** Namespace of the server. */
  readonly server: string;
  readonly clientAddress: string;
  readonly serverAddress: string;
  /** The veth end in each namespace. */
  readonly clientDevice: string;
  readonly serverDevice: string;
  /** Kills whatever still runs in the namespaces and deletes them. Safe to call twice. */
  destroy(): void;
}

/** Whether this process can make namespaces: `{ ok: false, reason }` is the skip message. */
export function netnsSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespace tests need root (CI runs them as root)' };
  const ip = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (ip.error !== undefined || ip.status !== 0) return { ok: false, reason: `\`ip netns\` is not available: ${ip.error?.message ?? ip.stderr.trim()}` };
  return { ok: true };
}

/** The argv that runs `argv` inside namespace `name` (`ip netns exec NAME …`). */
export function netnsArgv(name: string, argv: readonly string[]): [string, ...string[]] {
  return ['ip', 'netns', 'exec', name, ...argv];
}

/** Runs a command inside namespace `name` and returns its stdout; throws on a non-zero exit. */
export function execInNetns(name: string, argv: readonly string[]): string {
  const [command, ...args] = netnsArgv(name, argv);
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Pids of the processes running inside namespace `name` (asked from outside it). */
export function netnsPids(name: string): number[] {
  const out = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' });
  return (out.stdout ?? '')
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 1);
}

const live = new Set<string>();
let counter = 0;
let exitHookInstalled = false;

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function deleteNamespace(name: string): void {
  // Processes left inside would keep the namespace (and the veth) alive after `ip netns del`.
  for (const pid of netnsPids(name)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  live.delete(name);
}

/** Removes namespaces named `nmtest-<pid>-…` whose pid is dead: leftovers of a killed run. */
export function reapStaleNamespaces(): void {
  if (!existsSync('/run/netns')) return;
  for (const name of readdirSync('/run/netns')) {
    const match = /^nmtest-(\d+)-/.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (error) {
      alive = (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) deleteNamespace(name);
  }
}

/** Creates the client and server namespaces and the veth between them (synchronous: call in beforeAll). */
export function createNetnsPair(): NetnsPair {
  if (!exitHookInstalled) {
    // Runs however the test process ends normally (afterAll may never run after a crash in a hook).
    process.once('exit', () => {
      for (const name of [...live]) deleteNamespace(name);
    });
    exitHookInstalled = true;
  }
  reapStaleNamespaces();
  counter += 1;
  const base = `nmtest-${process.pid}-${counter}`;
  const client = `${base}-cli`;
  const server = `${base}-srv`;
  // Interface names are limited to 15 characters.
  const clientDevice = `nmv${process.pid}${counter}c`.slice(-15);
  const serverDevice = `nmv${process.pid}${counter}s`.slice(-15);
  try {
    ip(['netns', 'add', client]);
    live.add(client);
    ip(['netns', 'add', server]);
    live.add(server);
    ip(['link', 'add', clientDevice, 'netns', client, 'type', 'veth', 'peer', 'name', serverDevice, 'netns', server]);
    for (const [ns, dev, address] of [
      [client, clientDevice, CLIENT_ADDRESS],
      [server, serverDevice, SERVER_ADDRESS],
    ] as const) {
      ip(['-n', ns, 'link', 'set', dev, 'addrgenmode', 'none']);
      ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', dev]);
      ip(['-n', ns, 'link', 'set', dev, 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  } catch (error) {
    deleteNamespace(client);
    deleteNamespace(server);
    throw error;
  }
  return {
    client,
    server,
    clientAddress: CLIENT_ADDRESS,
    serverAddress: SERVER_ADDRESS,
    clientDevice,
    serverDevice,
    destroy: () => {
      deleteNamespace(client);
      deleteNamespace(server);
    },
  };
}
