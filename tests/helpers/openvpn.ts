// Debian's openvpn between two test namespaces: userspace, a static key, point-to-point on tun0, over
// TCP (`--proto tcp-server` / `tcp-client`) so that per-socket counters (`ss`, and the nettop stand-in
// built on it) see its encrypted copy too: Linux keeps no byte counters per UDP socket.
//
//   const vpn = await startOpenvpnPair(pair, root);   // server in pair.server, client in pair.client
//   … traffic to VPN_SERVER_TUNNEL …
//   vpn.stop();
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execInNetns, netnsArgv, type NetnsPair } from './netns.js';

/** The tunnel's ends (203.0.113.0/24, TEST-NET-3). */
export const VPN_SERVER_TUNNEL = '203.0.113.1';
export const VPN_CLIENT_TUNNEL = '203.0.113.2';

/** Whether openvpn can run here: `{ ok: false, reason }` is the skip message. */
export function openvpnSupport(): { ok: true } | { ok: false; reason: string } {
  const ovpn = spawnSync('openvpn', ['--version'], { encoding: 'utf8' });
  if (ovpn.error !== undefined) return { ok: false, reason: `openvpn is not installed (apt-get install openvpn): ${ovpn.error.message}` };
  if (!existsSync('/dev/net/tun')) return { ok: false, reason: '/dev/net/tun is missing' };
  return { ok: true };
}

/** Starts openvpn in `ns`; resolves once it says the tunnel is up. */
export function startOpenvpn(ns: string, args: string[]): Promise<ChildProcess> {
  const [command, ...rest] = netnsArgv(ns, ['openvpn', '--dev', 'tun0', '--cipher', 'AES-256-CBC', '--verb', '3', ...args]);
  const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openvpn in ${ns} did not come up:\n${out}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('Initialization Sequence Completed')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openvpn in ${ns} exited ${code}:\n${out}`));
    });
  });
}

/** An openvpn server in `pair.server` (on its veth address, port 1194) and its client in `pair.client`; the key goes in `dir`. */
export async function startOpenvpnPair(pair: NetnsPair, dir: string): Promise<{ server: ChildProcess; client: ChildProcess; stop: () => void }> {
  const key = path.join(dir, 'static.key');
  execInNetns(pair.server, ['openvpn', '--genkey', 'secret', key]);
  const server = startOpenvpn(pair.server, ['--secret', key, '--ifconfig', VPN_SERVER_TUNNEL, VPN_CLIENT_TUNNEL, '--proto', 'tcp-server', '--local', pair.serverAddress, '--lport', '1194']);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const client = await startOpenvpn(pair.client, ['--secret', key, '--ifconfig', VPN_CLIENT_TUNNEL, VPN_SERVER_TUNNEL, '--proto', 'tcp-client', '--remote', pair.serverAddress, '1194']);
  const up = await server;
  return {
    server: up,
    client,
    stop: () => {
      client.kill('SIGTERM');
      up.kill('SIGTERM');
    },
  };
}
