// Reading the pieces of one nettop CSV line: the header's column positions, byte counts, pids, and the
// endpoints of a connection label (IPv6 puts the port after a dot). Each returns null for what it cannot read.
import type { Protocol } from '../../types.js';
import type { NettopConnection, NettopEndpoint } from './frame.js';

/** Where each column is in a frame's rows (by name, from its header line). */
export interface Header {
  columns: string[];
  width: number;
  label: number;
  time: number;
  bytesIn: number;
  bytesOut: number;
  iface: number;
  state: number;
}

const PROTOCOLS: readonly Protocol[] = ['tcp4', 'tcp6', 'udp4', 'udp6', 'quic4', 'quic6'];
/** A connection row's label begins with its protocol and a space. */
export const CONNECTION_LABEL = /^(?:tcp|udp|quic)[46] /;
export const COMMA = 44;

export function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** A header names `bytes_in` as a whole field; no data row can (its fields are labels and numbers). */
export function isHeader(line: string): boolean {
  const at = line.indexOf('bytes_in,');
  return at >= 0 && (at === 0 || line.charCodeAt(at - 1) === COMMA);
}

export function readHeader(line: string): Header | null {
  const columns = line.split(',');
  columns.pop();
  const time = columns.indexOf('time');
  const label = columns.indexOf('', time + 1);
  const bytesIn = columns.indexOf('bytes_in');
  const bytesOut = columns.indexOf('bytes_out');
  if (label < 0 || bytesIn < 0 || bytesOut < 0) return null;
  if (time >= 0 && label !== time + 1) return null;
  if (time < 0 && label !== 0) return null;
  return {
    columns,
    width: columns.length,
    label,
    time,
    bytesIn,
    bytesOut,
    iface: columns.indexOf('interface'),
    state: columns.indexOf('state'),
  };
}

/** Whether an unreadable row may be a process row (its label ends in `.digits`), not mere garbage. */
export function couldBeProcess(field: string | undefined): boolean {
  return field !== undefined && !CONNECTION_LABEL.test(field) && /\.\d+$/.test(field);
}

export function orNull(field: string): string | null {
  return field.length === 0 ? null : field;
}

/** A byte counter: digits, or empty (unknown, 0). Anything else makes the row unreadable. */
export function readBytes(field: string): number | null {
  if (field.length === 0) return 0;
  if (field.length > 15) return null;
  let value = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    value = value * 10 + c;
  }
  return value;
}

export function readPid(text: string): number | null {
  if (text.length === 0 || text.length > 10) return null;
  const value = readBytes(text);
  return value === null || value > 0x7fffffff ? null : value;
}

export function readConnection(label: string): Pick<NettopConnection, 'label' | 'protocol' | 'local' | 'remote'> | null {
  const space = label.indexOf(' ');
  const protocol = PROTOCOLS.find((p) => p.length === space && label.startsWith(p));
  if (protocol === undefined) return null;
  const rest = label.slice(space + 1);
  const arrow = rest.indexOf('<->');
  if (arrow < 0 || rest.indexOf('<->', arrow + 3) >= 0) return null;
  // IPv4 rows put the port after a colon, IPv6 rows after a dot (the colons belong to the address).
  const separator = protocol.endsWith('6') ? '.' : ':';
  const local = readEndpoint(rest.slice(0, arrow), separator);
  const remote = readEndpoint(rest.slice(arrow + 3), separator);
  if (local === null || remote === null) return null;
  return { label, protocol, local, remote };
}

export function readEndpoint(text: string, separator: '.' | ':'): NettopEndpoint | null {
  const at = text.lastIndexOf(separator);
  if (at <= 0 || text.includes(' ')) return null;
  const address = text.slice(0, at);
  const portText = text.slice(at + 1);
  if (portText === '*') return { address, port: null };
  const port = readBytes(portText);
  if (portText.length === 0 || port === null || port > 65535) return null;
  return { address, port };
}
