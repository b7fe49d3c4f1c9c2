// The LinuxSampler's bookkeeping with a stand-in `ss` (a script replaying lines the test writes) and a
// fake /proc: owners that stick to a cookie, flows born since the previous poll, ghosts waiting for
// their close event, close events joined (or not) to an owner, local traffic left out, and what health
// says when ss fails or the close-event stream dies. Real child processes, real process groups.
import { chmodSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UDP_FACT, linuxCapabilities } from '../../src-main/engine/samplers/linux/probe.js';
import { LinuxSampler } from '../../src-main/engine/samplers/linux/sampler.js';
import type { FlowCounter, Sample } from '../../src-main/engine/types.js';
import { cleanupTempRoots, tempRoot, writeNetFile, writeProcess } from '../fixtures/linux/fake-proc.js';

const INTERVAL_MS = 150;
const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'linux');

/** A directory with a fake `ss`: polls print poll.txt (and poll.err, exit code from poll.exit); -E follows events.txt. */
function fakeSs(): { dir: string; ss: string; setPoll(lines: string[]): void; addEvents(lines: string[]): void; fail(code: number, message: string): void; heal(): void } {
  const dir = tempRoot('netmon-fake-ss-');
  const ss = path.join(dir, 'ss');
  writeFileSync(path.join(dir, 'poll.txt'), '');
  writeFileSync(path.join(dir, 'events.txt'), '');
  writeFileSync(
    ss,
    [
      '#!/usr/bin/env bash',
      `dir='${dir}'`,
      'case "$1" in',
      '  -V) echo "ss utility, iproute2-6.1.0";;',
      // The pid stays the same through exec: the test can kill the stream by it.
      '  -E) echo $$ > "$dir/events.pid"; exec tail -n +1 -F "$dir/events.txt" 2>/dev/null;;',
      '  *) cat "$dir/poll.err" >&2 2>/dev/null; cat "$dir/poll.txt"; exit "$(cat "$dir/poll.exit" 2>/dev/null || echo 0)";;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(ss, 0o755);
  return {
    dir,
    ss,
    setPoll: (lines) => writeFileSync(path.join(dir, 'poll.txt'), lines.map((l) => `${l}\n`).join('')),
    addEvents: (lines) => appendFileSync(path.join(dir, 'events.txt'), lines.map((l) => `${l}\n`).join('')),
    fail: (code, message) => {
      writeFileSync(path.join(dir, 'poll.err'), `${message}\n`);
      writeFileSync(path.join(dir, 'poll.exit'), String(code));
    },
    heal: () => {
      writeFileSync(path.join(dir, 'poll.err'), '');
      writeFileSync(path.join(dir, 'poll.exit'), '0');
    },
  };
}

/** A fake /proc with the client namespace's net files and the processes the lines below name. */
function fakeProc(): string {
  const root = tempRoot('netmon-fake-proc-');
  writeNetFile(root, 'dev', readFileSync(path.join(fixtures, 'net-dev.txt'), 'utf8'));
  writeNetFile(root, 'fib_trie', readFileSync(path.join(fixtures, 'fib-trie.txt'), 'utf8'));
  writeNetFile(root, 'if_inet6', readFileSync(path.join(fixtures, 'if-inet6.txt'), 'utf8'));
  writeProcess(root, { pid: 100, comm: 'bash', ppid: 1, startTime: 50, exe: '/usr/bin/bash' });
  writeProcess(root, { pid: 101, comm: 'curl', ppid: 100, startTime: 900, exe: '/usr/bin/curl', cmdline: ['curl', '-O', 'https://example.org/x'], cgroup: '0::/user.slice/session-2.scope\n', uid: 1000 });
  writeProcess(root, { pid: 201, comm: 'srv', ppid: 1, startTime: 300, exe: '/usr/sbin/srv' });
  writeProcess(root, { pid: 202, comm: 'srv', ppid: 201, startTime: 301, exe: '/usr/sbin/srv' });
  return root;
}

// Lines in the shape iproute2 6.1 prints (see poll-root.txt), with values chosen for these tests.
const tcp = (state: string, local: string, remote: string, rest: string): string => `${state.padEnd(10)} 0      0      ${local.padStart(20)} ${remote.padStart(20)} ${rest}  `;
const CURL = (received: number, users = 'users:(("curl",pid=101,fd=3)) ') =>
  tcp('ESTAB', '198.51.100.2:40000', '198.51.100.1:443', `${users}uid:1000 ino:500 sk:a1 cgroup:/user.slice/session-2.scope <-> ts sack cubic cwnd:10 bytes_sent:100 bytes_acked:101 bytes_received:${received}`);
const LOOPBACK = tcp('ESTAB', '127.0.0.1:5000', '127.0.0.1:6000', 'users:(("curl",pid=101,fd=4)) ino:501 sk:a2 cwnd:10 bytes_received:999');
const TO_SELF = tcp('ESTAB', '198.51.100.2:7000', '198.51.100.2:40001', 'users:(("curl",pid=101,fd=5)) ino:502 sk:a3 cwnd:10 bytes_received:888');
const OTHER_USER = (received: number) => tcp('ESTAB', '198.51.100.2:40002', '198.51.100.1:80', `uid:1001 ino:503 sk:a4 cgroup:/user.slice/user-1001.slice/session-3.scope <-> cwnd:10 bytes_received:${received}`);
const TIME_WAIT = tcp('TIME-WAIT', '198.51.100.2:40003', '198.51.100.1:80', 'timer:(timewait,59sec,0) ino:0 sk:a5');
const SHARED = (users: string) => tcp('ESTAB', '198.51.100.2:40004', '198.51.100.1:22', `users:(${users}) ino:504 sk:a7 cwnd:10 bytes_sent:7 bytes_received:70`);
const NEW_CURL = tcp('ESTAB', '198.51.100.2:40005', '198.51.100.1:443', 'users:(("curl",pid=101,fd=6)) ino:505 sk:a8 cwnd:10 bytes_sent:24 bytes_received:4096');
const event = (cookie: string, remote: string, counters: string) => tcp('UNCONN', '198.51.100.2:40010', remote, `ino:0 sk:${cookie} ts sack cwnd:11 ${counters}`);

const samplers: LinuxSampler[] = [];
afterEach(async () => {
  await Promise.all(samplers.splice(0).map((s) => s.stop()));
});
afterAll(cleanupTempRoots);

/** Starts a sampler and records its samples; `until` waits for a sample that satisfies a predicate. */
function run(options: { ss: string; procRoot: string; vanishedFlowTtlMs?: number }) {
  const samples: Sample[] = [];
  const sampler = new LinuxSampler({
    intervalMs: INTERVAL_MS,
    ssPath: options.ss,
    procRoot: options.procRoot,
    eventBackoff: { initialMs: 300, maxMs: 600 },
    vanishedFlowTtlMs: options.vanishedFlowTtlMs,
  });
  samplers.push(sampler);
  sampler.start((s) => samples.push(s));
  const until = async (predicate: (s: Sample) => boolean, timeoutMs = 5000): Promise<Sample> => {
    const from = samples.length;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = samples.slice(from).find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no matching sample in ${timeoutMs} ms; last: ${JSON.stringify(samples[samples.length - 1])}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { sampler, samples, until };
}

/** Waits until `condition` holds, checking every 10 ms (for health, which changes between samples). */
async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const flow = (s: Sample, id: string): FlowCounter | undefined => s.flows.find((f) => f.id === id);

describe('LinuxSampler bookkeeping (replayed ss, fake /proc)', () => {
  it('first poll: flows for outside traffic only, owners from /proc, the uid for a stranger, no "new" flags', async () => {
    const fake = fakeSs();
    fake.setPoll([CURL(1000), LOOPBACK, TO_SELF, OTHER_USER(50), TIME_WAIT, SHARED('("srv",pid=202,fd=3),("srv",pid=201,fd=3)'), 'garbage line']);
    const { sampler, until } = run({ ss: fake.ss, procRoot: fakeProc() });
    const first = await until((s) => s.flows.length > 0);

    expect(first.mode).toBe('cumulative');
    expect(first.flows.map((f) => f.id).sort()).toEqual(['sk:a1', 'sk:a4', 'sk:a7']);
    expect(first.flows.some((f) => f.newSincePrevious === true)).toBe(false);
    expect(flow(first, 'sk:a1')).toEqual({
      id: 'sk:a1',
      owner: { pid: 101, name: 'curl', path: '/usr/bin/curl', cmdline: 'curl -O https://example.org/x', ppid: 100, parentName: 'bash', parentPath: '/usr/bin/bash', cgroup: '/user.slice/session-2.scope', uid: 1000, startTime: 900 },
      remote: { protocol: 'tcp4', address: '198.51.100.1', port: 443 },
      bytesIn: 1000,
      bytesOut: 100,
    });
    expect(flow(first, 'sk:a4')?.owner).toEqual({ pid: 0, name: '(uid 1001)', uid: 1001, cgroup: '/user.slice/user-1001.slice/session-3.scope' });
    // Shared after fork: the lower pid, the parent here.
    expect(flow(first, 'sk:a7')?.owner?.pid).toBe(201);
    // net-dev.txt without lo.
    expect(first.iface).toEqual({ bytesIn: 1207662, bytesOut: 16196 });
    expect(sampler.health().malformedLines).toBeGreaterThanOrEqual(1);
  });

  it('later polls: sticky owners, new flows flagged, vanished flows repeated until their close event', async () => {
    const fake = fakeSs();
    fake.setPoll([CURL(1000), OTHER_USER(50), SHARED('("srv",pid=202,fd=3),("srv",pid=201,fd=3)')]);
    const { until } = run({ ss: fake.ss, procRoot: fakeProc() });
    await until((s) => s.flows.length === 3);

    // curl closed its socket (an orphan, no users: any more) and opened another; pid 201 let go of
    // the shared one; the stranger's socket is gone from the poll.
    fake.setPoll([CURL(5000, ''), NEW_CURL, SHARED('("srv",pid=202,fd=3)')]);
    const second = await until((s) => flow(s, 'sk:a8') !== undefined);
    expect(flow(second, 'sk:a1')).toMatchObject({ bytesIn: 5000, owner: { pid: 101, name: 'curl' } });
    expect(flow(second, 'sk:a1')?.newSincePrevious).toBeUndefined();
    expect(flow(second, 'sk:a8')).toMatchObject({ newSincePrevious: true, bytesIn: 4096, bytesOut: 24, owner: { pid: 101 } });
    expect(flow(second, 'sk:a7')?.owner?.pid).toBe(202);
    // Not listed, not closed yet: repeated with its last counters.
    expect(flow(second, 'sk:a4')).toMatchObject({ bytesIn: 50, owner: { name: '(uid 1001)' } });

    // Its close event: settled with the owner we knew, and no longer repeated.
    fake.addEvents([event('a4', '198.51.100.1:80', 'bytes_received:70')]);
    const closed = await until((s) => s.closed.length > 0);
    expect(closed.closed).toEqual([{ id: 'sk:a4', owner: { pid: 0, name: '(uid 1001)', uid: 1001, cgroup: '/user.slice/user-1001.slice/session-3.scope' }, remote: { protocol: 'tcp4', address: '198.51.100.1', port: 80 }, bytesIn: 70, bytesOut: 0 }]);
    expect(flow(closed, 'sk:a4')).toBeUndefined();
  });

  it('a vanished flow is repeated while its close event may still come, then dropped', async () => {
    const fake = fakeSs();
    fake.setPoll([CURL(1000)]);
    const { sampler, samples, until } = run({ ss: fake.ss, procRoot: fakeProc(), vanishedFlowTtlMs: 6 * INTERVAL_MS });
    await until((s) => flow(s, 'sk:a1') !== undefined);
    fake.setPoll([]);
    const vanishedAt = samples.length;
    await waitFor(() => sampler.health().details['awaitingCloseEvent'] === 1);
    await until((s) => s.flows.length === 0, 5000);
    const repeats = samples.slice(vanishedAt).filter((s) => flow(s, 'sk:a1')?.bytesIn === 1000);
    // About six intervals' worth of repeats, each with the last counters and owner.
    expect(repeats.length).toBeGreaterThanOrEqual(4);
    expect(repeats.length).toBeLessThanOrEqual(8);
    for (const s of repeats) expect(flow(s, 'sk:a1')?.owner?.name).toBe('curl');
    expect(sampler.health().details['awaitingCloseEvent']).toBe(0);
  });

  it('close events: unknown sockets have no owner and count whole; local traffic and listeners are left out', async () => {
    const fake = fakeSs();
    fake.setPoll([CURL(1000)]);
    const { until } = run({ ss: fake.ss, procRoot: fakeProc() });
    await until((s) => s.flows.length === 1);
    fake.addEvents([
      event('b9', '198.51.100.1:9001', 'bytes_sent:24 bytes_acked:26 bytes_received:20001'),
      tcp('UNCONN', '[::1]:36404', '[::1]:7000', 'ino:0 sk:b8 cwnd:11 bytes_sent:777'),
      tcp('UNCONN', '*:7000', '*:*', 'ino:0 sk:b7 rto:1000 mss:536 cwnd:10'),
      'not an event',
    ]);
    const s = await until((x) => x.closed.length > 0);
    expect(s.closed).toEqual([{ id: 'sk:b9', owner: null, remote: { protocol: 'tcp4', address: '198.51.100.1', port: 9001 }, bytesIn: 20001, bytesOut: 24, newSincePrevious: true }]);
  });

  it('health: a failing ss is "failing" with its message, flows are repeated, and it recovers', async () => {
    const fake = fakeSs();
    fake.setPoll([CURL(1000)]);
    const { sampler, until } = run({ ss: fake.ss, procRoot: fakeProc() });
    await until((s) => s.flows.length === 1);
    expect(sampler.health()).toMatchObject({ state: 'running', reason: null });

    fake.fail(1, 'Cannot open netlink socket: Protocol not supported');
    await waitFor(() => sampler.health().state === 'failing' && (sampler.health().reason ?? '').includes('Cannot open netlink socket'));
    expect(sampler.health().reason).toBe('ss exited with 1: Cannot open netlink socket: Protocol not supported');
    // No news is not a reset: the flow is repeated as it was.
    const during = await until(() => true);
    expect(flow(during, 'sk:a1')).toMatchObject({ bytesIn: 1000 });

    fake.setPoll([CURL(3000)]);
    fake.heal();
    const after = await until((s) => flow(s, 'sk:a1')?.bytesIn === 3000);
    expect(flow(after, 'sk:a1')?.newSincePrevious).toBeUndefined();
    await waitFor(() => sampler.health().state === 'running');
  });

  it('health: ss missing is "failing"; samples still carry the interface totals', async () => {
    const { sampler, until } = run({ ss: '/nonexistent/ss', procRoot: fakeProc() });
    const s = await until(() => true);
    expect(s.flows).toEqual([]);
    expect(s.iface).toEqual({ bytesIn: 1207662, bytesOut: 16196 });
    expect(sampler.health()).toMatchObject({ state: 'failing', reason: '/nonexistent/ss not found (install iproute2, or set the ss path)' });
  });

  it('health: a dead close-event stream is "degraded" until it is restarted', async () => {
    const fake = fakeSs();
    fake.setPoll([CURL(1000)]);
    const { sampler, until } = run({ ss: fake.ss, procRoot: fakeProc() });
    await until((s) => s.flows.length === 1);
    const firstPid = Number(readFileSync(path.join(fake.dir, 'events.pid'), 'utf8'));
    process.kill(firstPid, 'SIGKILL');
    await waitFor(() => sampler.health().state === 'degraded');
    expect(sampler.health().reason).toBe('close events unavailable (ss -E exited with SIGKILL): short-lived connections may be missed');
    await waitFor(() => sampler.health().state === 'running' && Number(readFileSync(path.join(fake.dir, 'events.pid'), 'utf8')) !== firstPid);
    expect(sampler.health().restarts).toBeGreaterThanOrEqual(1);

    // The new stream works: an event appended now is reported.
    fake.addEvents([event('c1', '198.51.100.1:443', 'bytes_received:5')]);
    const s = await until((x) => x.closed.some((f) => f.id === 'sk:c1'));
    expect(s.closed.find((f) => f.id === 'sk:c1')?.bytesIn).toBe(5);
  });

  it('stop: one last sample with the pending close events, then the stream\'s process group is gone', async () => {
    const fake = fakeSs();
    fake.setPoll([CURL(1000)]);
    const { sampler, samples, until } = run({ ss: fake.ss, procRoot: fakeProc() });
    await until((s) => s.flows.length === 1);
    const streamPid = Number(readFileSync(path.join(fake.dir, 'events.pid'), 'utf8'));
    fake.setPoll([CURL(2000)]);
    fake.addEvents([event('d1', '198.51.100.1:443', 'bytes_received:6')]);
    // Let the event reach us, then stop before the next poll would report it... or after: either way
    // it is in a sample by the time stop() resolves.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sampler.stop();
    const last = samples[samples.length - 1];
    expect(samples.some((s) => s.closed.some((f) => f.id === 'sk:d1'))).toBe(true);
    expect(last !== undefined && flow(last, 'sk:a1')?.bytesIn).toBe(2000);
    expect(sampler.health().state).toBe('stopped');
    expect(() => process.kill(streamPid, 0)).toThrow();
    const count = samples.length;
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS));
    expect(samples.length).toBe(count);
  });
});

describe('linuxCapabilities', () => {
  it('reports the UDP limitation and what a missing ss means', async () => {
    const caps = await linuxCapabilities({ ssPath: '/nonexistent/ss' });
    expect(caps).toMatchObject({ ssWorks: false, closeEvents: false });
    expect(caps.ssProblem).toContain('not found');
    expect(caps.facts).toContain(UDP_FACT);
    expect(UDP_FACT).toContain('UDP');
    expect(UDP_FACT).toContain('unattributed');
  });

  it('checks close events for real, with a loopback connection', async () => {
    const root = process.getuid?.() === 0;
    const caps = await linuxCapabilities();
    expect(caps).toMatchObject({ ssWorks: true, closeEvents: true, privileged: root, closeEventsProblem: null });
    expect(caps.ssVersion).toMatch(/iproute2/);
  });
});
