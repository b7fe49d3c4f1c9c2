// Binding the server to loopback only: 127.0.0.1, and ::1 on the same port where the machine has
// IPv6 loopback. A taken port is a `PortInUseError`, worded for the user by `portInUseMessage`.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../engine/log.js';

const log = createLogger('http');

/**
 * The one sentence for a taken port, for `netmon serve` and the app alike; `remedy` says how to
 * choose another there (`--port`, or web_server_port in config.json).
 */
export function portInUseMessage(port: number, remedy: string): string {
  return `port ${port} on 127.0.0.1 is already in use (is netmon, or netmon serve, already running?); ${remedy}`;
}

/** The port is taken by another program; `portInUseMessage` words it for the user. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly address: string,
  ) {
    super(`port ${port} is in use on ${address}`);
    this.name = 'PortInUseError';
  }
}

function errorCodeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

/** Stops accepting and closes idle keep-alive connections; resolves once every connection is gone. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Listens with servers from `makeServer` on 127.0.0.1 and (unless `ipv6` is false) on ::1, on `port`
 * (0: a free one, the same on both). `onPort` learns the port as soon as 127.0.0.1 listens, since
 * requests may arrive from then on. Rejects with `PortInUseError` when the port is taken.
 */
export async function listenOnLoopback(makeServer: () => Server, options: { port: number; ipv6: boolean; onPort: (port: number) => void }): Promise<Server[]> {
  const servers: Server[] = [];
  const attempts = options.port === 0 ? 5 : 1;
  for (let attempt = 1; attempt <= attempts && servers.length === 0; attempt++) {
    const v4 = makeServer();
    try {
      await listen(v4, options.port, '127.0.0.1');
    } catch (err) {
      if (errorCodeOf(err) === 'EADDRINUSE') throw new PortInUseError(options.port, '127.0.0.1');
      throw err;
    }
    const port = (v4.address() as AddressInfo).port;
    options.onPort(port);
    if (!options.ipv6) {
      servers.push(v4);
      break;
    }
    const v6 = makeServer();
    try {
      await listen(v6, port, '::1');
      servers.push(v4, v6);
    } catch (err) {
      const code = errorCodeOf(err);
      if (code === 'EADDRINUSE') {
        await closeServer(v4);
        // An ephemeral port free on IPv4 but taken on IPv6: draw another.
        if (options.port === 0 && attempt < attempts) continue;
        throw new PortInUseError(options.port === 0 ? port : options.port, '::1');
      }
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'EINVAL') {
        log.debug('no IPv6 loopback here; serving on 127.0.0.1 only', { code });
        servers.push(v4);
      } else {
        await closeServer(v4);
        throw err;
      }
    }
  }
  if (servers.length === 0) throw new PortInUseError(options.port, '::1');
  return servers;
}
