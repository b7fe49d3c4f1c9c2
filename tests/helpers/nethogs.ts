// nethogs (the Debian package) in trace mode, run on the same traffic as netmon for a side-by-side figure.
// Its totals are printed next to ours, never asserted: its accuracy is not ours to test.
//
//   nethogs -t -C -v 2 -d 1 DEV   trace mode, TCP and UDP, cumulative bytes, a block every second:
//     Refreshing:
//     /tmp/netmon-traffic-bin-x/nmbrowse/1234/0	11876	3.00397e+06
//     unknown TCP/0/0	0	0
//   (program/pid/uid, sent, received; large numbers in %g form, so six significant digits.)
//
// Usage:
//   const hogs = startNethogs(pair.client, pair.clientDevice);
//   … traffic …
//   const totals = await hogs.stop();   // Map program name → { bytesSent, bytesReceived }
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

/** What nethogs counted for one program, summed over its pids. */
export interface NethogsTotal {
  bytesSent: number;
  bytesReceived: number;
}

/** A running nethogs. */
export interface RunningNethogs {
  readonly pid: number;
  /** Stops it (SIGTERM) and returns its totals per program (basename; `unknown TCP`, `unknown UDP` as printed). */
  stop(): Promise<Map<string, NethogsTotal>>;
}

/** Whether nethogs is installed: `{ ok: false, reason }` is the skip message. */
export function nethogsSupport(): { ok: true } | { ok: false; reason: string } {
  const probe = spawnSync('nethogs', ['-V'], { encoding: 'utf8' });
  if (probe.error !== undefined) return { ok: false, reason: `nethogs is not installed (apt-get install nethogs): ${probe.error.message}` };
  return { ok: true };
}

/**
 * Parses nethogs' trace output: for each program/pid line, the last (largest) cumulative figures seen,
 * summed per program basename. A pid that nethogs dropped from later blocks keeps its last figures.
 */
export function parseNethogsTrace(text: string): Map<string, NethogsTotal> {
  const perPid = new Map<string, { program: string; sent: number; received: number }>();
  let inBlock = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('Refreshing:')) {
      inBlock = true;
      continue;
    }
    if (!inBlock || line.trim() === '') continue;
    const fields = line.split('\t');
    if (fields.length !== 3) continue;
    const [label, sent, received] = fields as [string, string, string];
    const parts = label.split('/');
    if (parts.length < 3) continue;
    const pid = parts[parts.length - 2] ?? '';
    const program = parts.slice(0, -2).join('/');
    // A connection nethogs could not tie to a process is printed as `local:port-remote:port`.
    const name = program.startsWith('unknown ') ? program : /^[\d.:[\]a-f]+-[\d.:[\]a-f]+$/.test(program) ? 'unknown connection' : path.basename(program);
    const key = `${program}/${pid}`;
    const previous = perPid.get(key);
    const s = Number(sent);
    const r = Number(received);
    if (!Number.isFinite(s) || !Number.isFinite(r)) continue;
    perPid.set(key, { program: name, sent: Math.max(s, previous?.sent ?? 0), received: Math.max(r, previous?.received ?? 0) });
  }
  const totals = new Map<string, NethogsTotal>();
  for (const { program, sent, received } of perPid.values()) {
    const total = totals.get(program) ?? { bytesSent: 0, bytesReceived: 0 };
    totals.set(program, { bytesSent: total.bytesSent + sent, bytesReceived: total.bytesReceived + received });
  }
  return totals;
}

/**
 * Starts `nethogs -t -C -v 2 -d 1 DEVICE` in namespace `ns` (line-buffered through stdbuf). The argv is
 * spelled out rather than taken from netns.ts so that bench/capture.ts, run by Node's type stripping
 * (which does not map `.js` imports to `.ts`), can import this file too.
 */
export function startNethogs(ns: string, device: string): RunningNethogs {
  const child = spawn('ip', ['netns', 'exec', ns, 'stdbuf', '-oL', 'nethogs', '-t', '-C', '-v', '2', '-d', '1', device], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', () => undefined);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  if (child.pid === undefined) throw new Error('could not start nethogs');
  return {
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await closed;
      return parseNethogsTrace(out);
    },
  };
}
