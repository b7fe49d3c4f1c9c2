// What `netmon doctor` says about networks: the interfaces and their classes (only physical ones make
// the total), the tunnels, and the tunnel or proxy providers running now (whose bytes become overhead).
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { classifyInterface, linuxInterfaceClassifier, readLinuxInterfaceFacts, type InterfaceKind } from './interfaces.js';
import { knownProvider } from './providers.js';

export interface NetworkCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** Interface names: sysfs on Linux (every interface, up or not), else those with an address. */
function interfaceNames(sysRoot: string): string[] {
  if (process.platform === 'linux') {
    try {
      return readdirSync(sysRoot).sort();
    } catch {
      // fall through
    }
  }
  return Object.keys(networkInterfaces()).sort();
}

/** Running processes that are known providers (Linux: /proc/PID/comm), as `label (name pid)`. */
export function runningProviders(procRoot = '/proc'): string[] {
  if (process.platform !== 'linux') return [];
  const out: string[] = [];
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    let comm: string;
    try {
      comm = readFileSync(`${procRoot}/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    const known = knownProvider(comm);
    if (known !== null) out.push(`${known.label} (${comm} ${pid})`);
  }
  return out;
}

export function networkChecks(options: { sysRoot?: string; procRoot?: string } = {}): NetworkCheck[] {
  const sysRoot = options.sysRoot ?? '/sys/class/net';
  const kindOf = process.platform === 'linux' ? linuxInterfaceClassifier(sysRoot) : (n: string): InterfaceKind => classifyInterface(n);
  const byKind: Record<InterfaceKind, string[]> = { physical: [], tunnel: [], local: [] };
  for (const name of interfaceNames(sysRoot)) byKind[kindOf(name)].push(name);
  const kernelWg = process.platform === 'linux' ? byKind.tunnel.filter((n) => readLinuxInterfaceFacts(n, sysRoot).devType === 'wireguard') : [];
  const providers = runningProviders(options.procRoot);
  const list = (names: string[]): string => (names.length === 0 ? 'none' : names.join(', '));
  return [
    { name: 'network interfaces', ok: true, detail: `physical (the network total): ${list(byKind.physical)}; local (not counted): ${list(byKind.local)}` },
    {
      name: 'tunnels',
      ok: true,
      detail:
        byKind.tunnel.length === 0
          ? 'none: nothing to de-duplicate'
          : `${list(byKind.tunnel)}: apps inside keep their bytes, the provider's own copy is shown as "VPN overhead (…)"${kernelWg.length > 0 ? `; kernel WireGuard on ${list(kernelWg)} (the kernel is the provider)` : ''}`,
    },
    {
      name: 'tunnel and proxy providers',
      ok: true,
      detail:
        process.platform !== 'linux'
          ? 'found while serve runs (by name among nettop\'s processes, or by behaviour)'
          : providers.length === 0
            ? 'none running by name (others are found by behaviour while serve runs)'
            : `${providers.join(', ')}: never shown as apps, only as their overhead`,
    },
  ];
}
