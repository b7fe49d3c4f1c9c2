// What the unprivileged Linux sampler can do on this machine, checked for real: `ss` runs and prints
// lines we read, `ss -E` reports a loopback connection's close, and whether other users' sockets can be
// tied to their processes (only as root).
import { createServer, connect, type AddressInfo } from 'node:net';
import type { ProbeResult } from '../kind.js';
import { describeExit, describeStartError, describeTimeout, firstLine } from '../kit/describe-child.js';
import { findExecutable, runOnce, type SpawnSpec } from '../process/index.js';
import { eventStreamSpec, SS_POLL_ARGS, ssSubject } from './ss-command.js';
import { parseSsLine, parseSsOutput } from './ss-parse.js';

/** Said wherever the Linux sampler's coverage is explained (doctor, status). */
export const UDP_FACT =
  "UDP has no per-socket byte counters in the kernel's socket diagnostics: UDP/QUIC bytes are counted only in interface totals and appear as unattributed";

/** What `netmon doctor` says about the Linux sampler on this machine. */
export interface LinuxCapabilities {
  /** `ss -tinpeHO` ran and printed socket lines we can read. */
  ssWorks: boolean;
  ssVersion: string | null;
  ssProblem: string | null;
  /** A TCP connection closed on loopback was reported by `ss -E` with its counters. */
  closeEvents: boolean;
  closeEventsProblem: string | null;
  /** Running as root: the owners of every user's sockets are visible. */
  privileged: boolean;
  /** Plain statements for the user, including the UDP limitation. */
  facts: string[];
}

/** Options of `linuxCapabilities`. */
export interface LinuxCapabilitiesOptions {
  ssPath?: string;
  stdbufPath?: string | null;
  setprivPath?: string | null;
  /** How long to wait for the test connection's close event. Default 3000 ms. */
  timeoutMs?: number;
}

/** Checks, for real, what the Linux sampler can do here: ss, close events, owners of other users' sockets. */
export async function linuxCapabilities(options: LinuxCapabilitiesOptions = {}): Promise<LinuxCapabilities> {
  const ssPath = options.ssPath ?? 'ss';
  const stdbufPath = findExecutable(options.stdbufPath === undefined ? 'stdbuf' : options.stdbufPath);
  const setprivPath = findExecutable(options.setprivPath === undefined ? 'setpriv' : options.setprivPath);
  const timeoutMs = options.timeoutMs ?? 3000;
  const privileged = process.getuid?.() === 0;

  const version = await runOnce(ssPath, ['-V'], { timeoutMs });
  const poll = await runOnce(ssPath, [...SS_POLL_ARGS], { timeoutMs, maxStdout: 1_000_000 });
  let ssProblem: string | null = null;
  if (poll.timedOut) ssProblem = describeTimeout(ssPath, timeoutMs);
  else if (poll.spawnError !== null) ssProblem = describeStartError(poll.spawnError, ssSubject(ssPath));
  else if (poll.code !== 0) ssProblem = describeExit('ss', poll, poll.stderr);
  else if (parseSsOutput(poll.stdout).malformed > 0) ssProblem = 'ss printed lines this version of netmon cannot read';

  const events = ssProblem === null ? await probeCloseEvents(eventStreamSpec(ssPath, stdbufPath, setprivPath), ssPath, timeoutMs) : { ok: false, problem: 'ss does not work' };
  const facts = [
    UDP_FACT,
    privileged
      ? 'Running as root: every socket is tied to its process.'
      : "Not running as root: other users' sockets are counted under their uid, not their process.",
  ];
  if (!events.ok) facts.push('Without close events, connections shorter than one interval are missed (their bytes show as unattributed).');
  return {
    ssWorks: ssProblem === null,
    ssVersion: version.code === 0 ? firstLine(version.stdout) : null,
    ssProblem,
    closeEvents: events.ok,
    closeEventsProblem: events.ok ? null : events.problem,
    privileged,
    facts,
  };
}

/** The Linux sampler's probe for the registry: usable when `ss` works (close events only add to it). */
export async function probeLinux(): Promise<ProbeResult> {
  const caps = await linuxCapabilities();
  return {
    usable: caps.ssWorks,
    reason: caps.ssProblem,
    fix: caps.ssWorks ? null : 'install iproute2 (ss)',
    checks: [
      { name: 'ss (TCP socket counters)', ok: caps.ssWorks, detail: caps.ssWorks ? `works (${caps.ssVersion ?? 'version unknown'})` : (caps.ssProblem ?? 'does not work') },
      {
        name: 'close events (short connections)',
        ok: caps.closeEvents,
        detail: caps.closeEvents ? 'ss -E reports the final counters of closing sockets' : (caps.closeEventsProblem ?? 'not available: connections shorter than one interval may be missed'),
      },
      ...caps.facts.map((fact) => ({ name: 'note', ok: true, detail: fact })),
    ],
  };
}

/** Starts `ss -E`, closes a loopback connection, and waits for its close event. */
async function probeCloseEvents(spec: SpawnSpec, ssPath: string, timeoutMs: number): Promise<{ ok: boolean; problem: string }> {
  const server = createServer((socket) => socket.end('x'));
  const found = new AbortController();
  let stdout = '';
  let wanted: string | null = null;
  // Time to subscribe, to connect, and to wait for the event; the run is ended as soon as it is seen.
  const run = runOnce(spec.command, spec.args, {
    timeoutMs: 300 + 1000 + timeoutMs,
    onStdout: (chunk) => {
      stdout += chunk.toString('utf8');
      if (wanted !== null && stdout.split('\n').some((line) => line.includes(wanted as string) && parseSsLine(line) !== null)) found.abort();
    },
    signal: found.signal,
  });
  let ended = false;
  void run.then(() => (ended = true));
  try {
    // Give ss time to subscribe; if it cannot, it exits at once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (ended) {
      const r = await run;
      if (r.spawnError !== null) return { ok: false, problem: describeStartError(r.spawnError, spec.command === ssPath ? ssSubject(ssPath) : { command: spec.command }) };
      return { ok: false, problem: describeExit('ss -E', r, r.stderr) };
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    wanted = `:${port} `;
    await new Promise<void>((resolve, reject) => {
      const client = connect(port, '127.0.0.1');
      client.on('error', reject);
      client.on('data', () => undefined);
      client.on('close', () => resolve());
    });
    const deadline = setTimeout(() => found.abort('timeout'), timeoutMs);
    const r = await run;
    clearTimeout(deadline);
    if (r.aborted && found.signal.reason !== 'timeout') return { ok: true, problem: '' };
    const said = firstLine(r.stderr);
    return { ok: false, problem: `no close event within ${timeoutMs} ms${said === null ? '' : ` (${said})`}` };
  } catch (error) {
    found.abort();
    await run;
    return { ok: false, problem: `loopback test connection failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    server.close();
  }
}
