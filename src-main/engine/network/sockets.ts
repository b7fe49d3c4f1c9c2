// The pipeline's flows as the migration's sockets: process key `name.pid`, interface as the sampler saw it.
import type { FlowDelta } from '../types.js';
import type { SocketBytes } from './migrate.js';

/** A flow (a sampler's FlowCounter or the delta engine's FlowDelta) as a socket of the migration. */
export function socketOf(flow: Pick<FlowDelta, 'id' | 'owner' | 'remote' | 'iface' | 'local' | 'bytesIn' | 'bytesOut'>): SocketBytes {
  const socket: SocketBytes = {
    id: flow.id,
    process: flow.owner === null ? null : `${flow.owner.name}.${flow.owner.pid}`,
    name: flow.owner?.name ?? null,
    iface: flow.iface ?? null,
    bytesIn: flow.bytesIn,
    bytesOut: flow.bytesOut,
  };
  if (flow.local !== undefined) socket.local = { address: flow.local.address, port: flow.local.port };
  if (flow.remote !== undefined) socket.remote = { address: flow.remote.address, port: flow.remote.port };
  return socket;
}
