// What nettop's CSV output describes, as the parser hands it out: frames of processes, each with its
// connections (without `-P`), and the kinds of lines that are skipped.
import type { Protocol } from '../../types.js';

/** One end of a connection; `*` (any) is address `'*'` or port `null`. */
export interface NettopEndpoint {
  address: string;
  port: number | null;
}

/** A connection row of nettop (only without `-P`), owned by the process row before it. */
export interface NettopConnection {
  /** The row's label as printed, e.g. `tcp4 10.0.0.5:52344<->1.2.3.4:443`. */
  label: string;
  protocol: Protocol;
  local: NettopEndpoint;
  remote: NettopEndpoint;
  interface: string | null;
  state: string | null;
  bytesIn: number;
  bytesOut: number;
}

/** A process row of nettop with the connection rows that followed it. */
export interface NettopProcess {
  /** The label as printed, `name.pid`. */
  label: string;
  name: string;
  pid: number;
  /** The process's own totals (never the sum of its connections). */
  bytesIn: number;
  bytesOut: number;
  connections: NettopConnection[];
}

/** One complete frame of nettop output: a header and the rows under it. */
export interface NettopFrame {
  /** 0-based count of frames this parser has emitted. */
  index: number;
  /** The header's column names, label column as `''`. */
  columns: readonly string[];
  /** The `time` field of the first row, when there is a `time` column and a row. */
  time: string | null;
  processes: NettopProcess[];
}

/** Why a line was skipped. */
export type MalformedKind =
  | 'usage'
  | 'fixed-width'
  | 'no-header'
  | 'bad-header'
  | 'bad-row'
  | 'orphan-connection'
  | 'partial'
  | 'garbage';

export const MALFORMED_KINDS: readonly MalformedKind[] = [
  'usage',
  'fixed-width',
  'no-header',
  'bad-header',
  'bad-row',
  'orphan-connection',
  'partial',
  'garbage',
];

/** Formats an endpoint as nettop prints it (`1.2.3.4:443`, `2406:da60::1.443`, `*:*`). */
export function formatEndpoint(endpoint: NettopEndpoint, protocol: Protocol): string {
  const separator = protocol.endsWith('6') ? '.' : ':';
  return `${endpoint.address}${separator}${endpoint.port ?? '*'}`;
}
