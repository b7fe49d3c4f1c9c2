// Named "apps" that resolve names through a DNS server in the server namespace and move known bytes over
// TLS (several SNI names), plain TCP and UDP (QUIC Initials included), each counting every L4 payload
// byte it sent and received: the ground truth for the privileged sampler (tests/fixtures/netns-apps.js).
//
// Usage:
//   const cert = makeTestCert(dir, ['video.a.test', 'www.b.test']);   // openssl, self-signed
//   const peers = await startPeers(pair.server, { dns: {...}, tls: [...], cert: cert.cert, key: cert.key, … });
//   const report = await startApp(pair.client, 'nmbrowse', { dns: SERVER, ca: cert.cert, tasks: [...] }).done;
//   await peers.stop();   // SIGTERM; resolves with the servers' own totals
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { netnsArgv } from './netns.js';
import { namedNode } from './traffic.js';

/** The peers script. */
export const NETNS_APPS_TOOL = path.join(import.meta.dirname, '..', 'fixtures', 'netns-apps.js');

/** What the server process runs. */
export interface PeersConfig {
  dns?: { host: string; records: Record<string, string> };
  tls?: { host: string; port: number }[];
  tcp?: { host: string; port: number }[];
  udp?: { host: string; port: number }[];
  cert?: string;
  key?: string;
}

/** One task of an app: TCP connections (TLS with the task's name as SNI) or a UDP exchange. */
export interface AppTask {
  kind: 'tcp' | 'udp';
  /** Host name resolved through the DNS server before each connection (and the SNI under TLS). */
  name?: string;
  /** A literal address instead of a name (no DNS query). */
  address?: string;
  port: number;
  tls?: boolean;
  op?: 'download' | 'upload';
  /** Payload bytes per connection inside TLS (the 24-byte header comes on top). */
  bytes?: number;
  paceMs?: number;
  connections?: number;
  parallel?: number;
  /** UDP: datagrams to send, their size, the size of the reply each asks for. */
  count?: number;
  size?: number;
  reply?: number;
  batch?: number;
  gapMs?: number;
  /** UDP: connect the socket to the peer (as QUIC clients do) instead of naming it on each send. */
  connected?: boolean;
  /** UDP: a file of hex lines, each a datagram sent first (QUIC Initial packets). */
  quicPackets?: string;
}

/** An app's plan: its DNS server, the CA it trusts, and tasks run at once. */
export interface AppPlan {
  dns: string;
  ca?: string;
  tasks: AppTask[];
}

/** What each task moved, as the app counted it at the socket. */
export interface TaskCount {
  name: string | null;
  address: string | null;
  kind: 'tcp' | 'udp';
  port: number;
  bytesSent: number;
  bytesReceived: number;
  /** UDP: replies the kernel delivered to the task's socket and dropped from its full receive buffer. */
  datagramsDropped: number;
  /** Their bytes: they reached the app (and the sampler's ingress hook) though it never read them. */
  bytesDropped: number;
  connections: number;
}

/** An app's own totals: everything it sent and received (DNS included), and per task. */
export interface AppReport {
  pid: number;
  durationMs: number;
  bytesSent: number;
  bytesReceived: number;
  /** Bytes of UDP replies dropped at the app's full sockets (see TaskCount). */
  bytesDropped: number;
  /** TCP connections, UDP sockets and DNS queries: each may differ from the kernel by a FIN byte at most. */
  connections: number;
  dns: { sent: number; received: number; queries: number };
  tasks: TaskCount[];
}

/** The servers' own totals; `dropped`: datagrams dropped at a server socket's full receive buffer. */
export interface PeersReport {
  dns: { sent: number; received: number; queries: number; dropped: number };
  tls: { sent: number; received: number; connections: number; names: Record<string, number> };
  tcp: { sent: number; received: number; connections: number };
  udp: { sent: number; received: number; datagrams: number; dropped: number };
}

/** A running app: `done` resolves with its report when it exits. */
export interface RunningApp {
  readonly pid: number;
  readonly name: string;
  readonly done: Promise<AppReport>;
}

/** Makes a self-signed certificate (P-256) for `names` in `dir` with the openssl command. */
export function makeTestCert(dir: string, names: readonly string[]): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const san = names.map((n) => `DNS:${n}`).join(',');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=netmon test', '-addext', `subjectAltName=${san}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { cert, key };
}

/** Spawns the tool in `ns` under process name `name`; collects its JSON lines. */
function spawnTool(ns: string, name: string, args: string[]): { pid: number; kill: () => void; line: (event: string, timeoutMs: number) => Promise<Record<string, unknown>> } {
  const [command, ...rest] = netnsArgv(ns, [namedNode(name), NETNS_APPS_TOOL, ...args]);
  const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  const records: Record<string, unknown>[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (buffered + chunk.toString('utf8')).split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not ours: skipped.
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const line = async (event: string, timeoutMs: number): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = records.find((r) => r['event'] === event);
      if (found !== undefined) return found;
      if (child.exitCode !== null || child.signalCode !== null) {
        await exited;
        const late = records.find((r) => r['event'] === event);
        if (late !== undefined) return late;
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) without "${event}"; stderr: ${stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`${name}: no "${event}" within ${timeoutMs} ms; stderr: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { pid: child.pid, kill: () => child.kill('SIGTERM'), line };
}

/** Starts the servers in namespace `ns` (process name `name`); resolves once all listen. */
export async function startPeers(ns: string, config: PeersConfig, name = 'nmpeers'): Promise<{ pid: number; stop: () => Promise<PeersReport> }> {
  const tool = spawnTool(ns, name, ['serve', '--config', JSON.stringify(config)]);
  await tool.line('listening', 10_000);
  return {
    pid: tool.pid,
    stop: async () => {
      tool.kill();
      return (await tool.line('done', 10_000)) as unknown as PeersReport;
    },
  };
}

/** Starts app `name` (its process name: 15 characters at most) in namespace `ns` running `plan`. */
export function startApp(ns: string, name: string, plan: AppPlan, timeoutMs = 120_000): RunningApp {
  const tool = spawnTool(ns, name, ['client', '--plan', JSON.stringify(plan)]);
  const done = tool.line('done', timeoutMs).then((record) => {
    const report = record as unknown as AppReport;
    if (typeof report.bytesSent !== 'number' || typeof report.bytesReceived !== 'number' || !Array.isArray(report.tasks)) {
      throw new Error(`${name}: unexpected report ${JSON.stringify(record)}`);
    }
    return report;
  });
  // The caller awaits `done` later; keep an early failure from being an unhandled rejection meanwhile.
  done.catch(() => undefined);
  return { pid: tool.pid, name, done };
}
