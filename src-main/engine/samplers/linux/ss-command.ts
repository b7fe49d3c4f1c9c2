// How the Linux sampler runs `ss`: the argument sets, the close-event stream's command line, one poll,
// and which sockets count (connected, leaving this machine).
import type { Logger } from '../../log.js';
import type { RemoteEndpoint } from '../../types.js';
import type { ChildSubject } from '../kit/describe-child.js';
import type { StderrTranscript } from '../kit/stderr-digest.js';
import { runChecked, type GroupChild, type SpawnSpec } from '../process/index.js';
import { isLoopbackAddress } from './proc.js';
import { parseSsOutput, type SsSocket } from './ss-parse.js';

/** Arguments of the per-interval poll: TCP, tcp_info, numeric, owners, details (cookie, uid), no header, one line each. */
export const SS_POLL_ARGS: readonly string[] = ['-tinpeHO'];
/**
 * Arguments of the cheap poll: the same without `-p`. Finding owners makes ss walk every process's
 * file descriptors (about 4× the cost here, far more on a desktop), and it is only needed for sockets
 * not seen before; a poll that finds one is followed at once by a full one.
 */
export const SS_QUICK_POLL_ARGS: readonly string[] = ['-tineHO'];
/** Arguments of the close-event stream: no `-p` (a destroyed socket has no owner to find). */
export const SS_EVENT_ARGS: readonly string[] = ['-E', '-tineHO'];

/** The largest `ss` output we read (about 80 000 sockets). */
export const MAX_POLL_BYTES = 64 * 1024 * 1024;

/** `ss` as named in failures. */
export function ssSubject(ssPath: string): ChildSubject {
  return { command: ssPath, notFound: `${ssPath} not found (install iproute2, or set the ss path)` };
}

/** `[setpriv --pdeathsig TERM --] [stdbuf -oL] ss -E -tineHO`. */
export function eventStreamSpec(ssPath: string, stdbufPath: string | null, setprivPath: string | null): SpawnSpec {
  const argv = [ssPath, ...SS_EVENT_ARGS];
  if (stdbufPath !== null) argv.unshift(stdbufPath, '-oL');
  if (setprivPath !== null) argv.unshift(setprivPath, '--pdeathsig', 'TERM', '--');
  const [command, ...args] = argv as [string, ...string[]];
  return { command, args };
}

/** What one poll found. */
export interface PollResult {
  sockets: SsSocket[];
  malformed: number;
  malformedSamples: string[];
}

/** Options of `pollSs`. */
export interface PollOptions {
  ssPath: string;
  timeoutMs: number;
  stderr: StderrTranscript;
  /** Told the running poll, so that a stop can kill it. */
  onSpawn: (child: GroupChild | null) => void;
  logger: Logger;
}

/** One `ss` dump; throws a worded Error when it fails, times out or prints too much. */
export async function pollSs(args: readonly string[], options: PollOptions): Promise<PollResult> {
  try {
    const text = await runChecked(options.ssPath, args, {
      timeoutMs: options.timeoutMs,
      killGraceMs: 2000,
      maxStdout: MAX_POLL_BYTES,
      what: 'ss',
      subject: ssSubject(options.ssPath),
      onStderr: (chunk) => options.stderr.push(chunk),
      onSpawn: options.onSpawn,
      logger: options.logger,
    });
    return parseSsOutput(text);
  } finally {
    options.stderr.end();
    options.onSpawn(null);
  }
}

export function flowId(cookie: string): string {
  return `sk:${cookie}`;
}

/** The far end of a socket worth counting, or null for listeners and for traffic that stays on this machine. */
export function remoteOf(socket: SsSocket, localAddresses: ReadonlySet<string>): RemoteEndpoint | null {
  const { remote, local } = socket;
  if (remote.family === null || remote.port === null || remote.port === 0) return null;
  if (isLoopbackAddress(remote.address) || isLoopbackAddress(local.address) || localAddresses.has(remote.address)) return null;
  return { protocol: remote.family === 4 ? 'tcp4' : 'tcp6', address: remote.address, port: remote.port };
}
