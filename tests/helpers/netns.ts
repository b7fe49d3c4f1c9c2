// Throwaway network namespaces for tests that move real bytes. Two namespaces, a client and a server,
// joined by one veth pair, addressed from 198.51.100.0/24 only (TEST-NET-2):
//
//   nmtest-<pid>-<n>-srv  198.51.100.1/24  <──veth──>  198.51.100.2/24  nmtest-<pid>-<n>-cli
//
// or, with `createRoutedNetnsPair`, a router namespace in between whose two egress queues are a
// narrow, shallow token bucket (tc tbf), so that TCP loses packets on the path and retransmits:
//
//   -srv 203.0.113.2/24 <──> 203.0.113.1 -rtr 198.51.100.1 <──> 198.51.100.2/24 -cli
//
// Nothing else is on the links: no IPv6 link-local addresses (addrgenmode none), no default route
// (only the route to the other test subnet), so the client's interface counters hold our test traffic
// and nothing more. Names carry our pid, so parallel test files and runs never clash, and a later run
// can remove what a killed run left.
//
// Usage (needs root and `ip`; see `netnsSupport()` for the skip message):
//   const pair = createNetnsPair();            // in beforeAll
//   spawn(...netnsArgv(pair.client, ['ss', '-tinpeHO']))
//   pair.destroy();                            // in afterAll; also runs at process exit regardless
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** The addresses on the links; nothing else may be used. */
export const SERVER_ADDRESS = '198.51.100.1';
export const CLIENT_ADDRESS = '198.51.100.2';
/** With a router: the server sits in the other test subnet, behind 203.0.113.1. */
export const ROUTED_SERVER_ADDRESS = '203.0.113.2';

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

/** A client and a server with a router namespace between them (see the header comment). */
export interface RoutedNetnsPair extends NetnsPair {
  readonly router: string;
}

/** The router's bottleneck, on both egress devices: `tc qdisc … tbf rate R burst B limit L`. */
export interface Bottleneck {
  rateKbit: number;
  burstBytes: number;
  /** Queue size; the smaller, the more drops. */
  limitBytes: number;
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


/** Non-loopback interface bytes of a namespace, read by the test itself from /proc/net/dev. */
export function interfaceBytes(ns: string): { bytesIn: number; bytesOut: number } {
  let bytesIn = 0;
  let bytesOut = 0;
  for (const line of execInNetns(ns, ['cat', '/proc/net/dev']).split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (rest === undefined || name?.trim() === 'lo') continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    bytesIn += fields[0] ?? 0;
    bytesOut += fields[8] ?? 0;
  }
  return { bytesIn, bytesOut };
}
/** One interface's counters in a namespace (/proc/net/dev). */
export function deviceBytes(ns: string, device: string): { bytesIn: number; bytesOut: number } {
  for (const line of execInNetns(ns, ['cat', '/proc/net/dev']).split('\n')) {
    const [name, rest] = line.split(':');
    if (rest === undefined || name?.trim() !== device) continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    return { bytesIn: fields[0] ?? 0, bytesOut: fields[8] ?? 0 };
  }
  throw new Error(`no ${device} in ${ns}`);
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

function prepare(): string {
  if (!exitHookInstalled) {
    // Runs however the test process ends normally (afterAll may never run after a crash in a hook).
    process.once('exit', () => {
      for (const name of [...live]) deleteNamespace(name);
    });
    exitHookInstalled = true;
  }
  reapStaleNamespaces();
  counter += 1;
  return `${process.pid}${counter}`;
}

function addNamespace(name: string): void {
  ip(['netns', 'add', name]);
  live.add(name);
}

/** Addresses one end of a veth and brings it (and the namespace's loopback) up. */
function configure(ns: string, dev: string, cidr: string): void {
  ip(['-n', ns, 'link', 'set', dev, 'addrgenmode', 'none']);
  ip(['-n', ns, 'addr', 'add', cidr, 'dev', dev]);
  ip(['-n', ns, 'link', 'set', dev, 'up']);
  ip(['-n', ns, 'link', 'set', 'lo', 'up']);
}

/** Interface names are limited to 15 characters. */
function device(id: string, suffix: string): string {
  return `nmv${id}${suffix}`.slice(-15);
}

/** Creates the client and server namespaces and the veth between them (synchronous: call in beforeAll). */
export function createNetnsPair(): NetnsPair {
  const id = prepare();
  const client = `nmtest-${process.pid}-${counter}-cli`;
  const server = `nmtest-${process.pid}-${counter}-srv`;
  const clientDevice = device(id, 'c');
  const serverDevice = device(id, 's');
  const destroy = (): void => {
    deleteNamespace(client);
    deleteNamespace(server);
  };
  try {
    addNamespace(client);
    addNamespace(server);
    ip(['link', 'add', clientDevice, 'netns', client, 'type', 'veth', 'peer', 'name', serverDevice, 'netns', server]);
    configure(client, clientDevice, `${CLIENT_ADDRESS}/24`);
    configure(server, serverDevice, `${SERVER_ADDRESS}/24`);
  } catch (error) {
    destroy();
    throw error;
  }
  return { client, server, clientAddress: CLIENT_ADDRESS, serverAddress: SERVER_ADDRESS, clientDevice, serverDevice, destroy };
}

/** Client, router, server: the router forwards between 198.51.100.0/24 and 203.0.113.0/24 through a bottleneck. */
export function createRoutedNetnsPair(bottleneck: Bottleneck): RoutedNetnsPair {
  const id = prepare();
  const base = `nmtest-${process.pid}-${counter}`;
  const client = `${base}-cli`;
  const router = `${base}-rtr`;
  const server = `${base}-srv`;
  const clientDevice = device(id, 'c');
  const serverDevice = device(id, 's');
  const routerClientSide = device(id, 'rc');
  const routerServerSide = device(id, 'rs');
  const destroy = (): void => {
    for (const name of [client, router, server]) deleteNamespace(name);
  };
  try {
    for (const name of [client, router, server]) addNamespace(name);
    ip(['link', 'add', clientDevice, 'netns', client, 'type', 'veth', 'peer', 'name', routerClientSide, 'netns', router]);
    ip(['link', 'add', serverDevice, 'netns', server, 'type', 'veth', 'peer', 'name', routerServerSide, 'netns', router]);
    configure(client, clientDevice, `${CLIENT_ADDRESS}/24`);
    configure(router, routerClientSide, '198.51.100.1/24');
    configure(router, routerServerSide, '203.0.113.1/24');
    configure(server, serverDevice, `${ROUTED_SERVER_ADDRESS}/24`);
    ip(['-n', client, 'route', 'add', '203.0.113.0/24', 'via', '198.51.100.1']);
    ip(['-n', server, 'route', 'add', '198.51.100.0/24', 'via', '203.0.113.1']);
    execInNetns(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    const tbf = ['tbf', 'rate', `${bottleneck.rateKbit}kbit`, 'burst', String(bottleneck.burstBytes), 'limit', String(bottleneck.limitBytes)];
    for (const dev of [routerClientSide, routerServerSide]) execInNetns(router, ['tc', 'qdisc', 'add', 'dev', dev, 'root', ...tbf]);
  } catch (error) {
    destroy();
    throw error;
  }
  return { client, router, server, clientAddress: CLIENT_ADDRESS, serverAddress: ROUTED_SERVER_ADDRESS, clientDevice, serverDevice, destroy };
}

/** One uplink of a client with two: the client's device and address, the gateway's namespace, device and address. */
export interface Uplink {
  readonly clientDevice: string;
  readonly clientAddress: string;
  /** Namespace of the gateway (which also serves the test's peers on its address). */
  readonly gateway: string;
  readonly gatewayDevice: string;
  readonly gatewayAddress: string;
}

/** A client with two uplinks, each a veth to its own gateway namespace. */
export interface TwoUplinks {
  readonly client: string;
  readonly uplinks: readonly [Uplink, Uplink];
  destroy(): void;
}

/**
 * A client with two uplinks: A 198.51.100.2/24 → gateway 198.51.100.1 (the main table's default route),
 * B 203.0.113.2/24 → gateway 203.0.113.1 (policy routing: `from 203.0.113.2 lookup 100`, whose default
 * is B's gateway). Each gateway namespace answers on its own address.
 */
export function createTwoUplinks(): TwoUplinks {
  const id = prepare();
  const base = `nmtest-${process.pid}-${counter}`;
  const client = `${base}-cli`;
  const gateways = [`${base}-gwa`, `${base}-gwb`] as const;
  const destroy = (): void => {
    for (const name of [client, ...gateways]) deleteNamespace(name);
  };
  const plan = [
    { clientDevice: device(id, 'a'), gatewayDevice: device(id, 'ga'), clientAddress: '198.51.100.2', gatewayAddress: '198.51.100.1', gateway: gateways[0] },
    { clientDevice: device(id, 'b'), gatewayDevice: device(id, 'gb'), clientAddress: '203.0.113.2', gatewayAddress: '203.0.113.1', gateway: gateways[1] },
  ] as const;
  try {
    for (const name of [client, ...gateways]) addNamespace(name);
    for (const u of plan) {
      ip(['link', 'add', u.clientDevice, 'netns', client, 'type', 'veth', 'peer', 'name', u.gatewayDevice, 'netns', u.gateway]);
      configure(client, u.clientDevice, `${u.clientAddress}/24`);
      configure(u.gateway, u.gatewayDevice, `${u.gatewayAddress}/24`);
    }
    ip(['-n', client, 'route', 'add', 'default', 'via', plan[0].gatewayAddress, 'dev', plan[0].clientDevice]);
    ip(['-n', client, 'route', 'add', 'default', 'via', plan[1].gatewayAddress, 'dev', plan[1].clientDevice, 'table', '100']);
    ip(['-n', client, 'rule', 'add', 'from', plan[1].clientAddress, 'lookup', '100', 'priority', '1000']);
  } catch (error) {
    destroy();
    throw error;
  }
  return { client, uplinks: [plan[0], plan[1]], destroy };
}
