// A netmon killed without a chance to stop its sampler (SIGKILL, a crash) leaves the sampler's long-lived
// child running, in its own process group. The child's pid and command line are in DATA/run/KIND.pids.json
// (samplers/process/pid-registry.ts); the next `netmon serve` on the same data folder kills it before it
// starts its own. Real processes: `netmon serve` (the build), the fake nettop, and `ss -E` in a quiet
// network namespace under a bare LinuxSampler (tests/fixtures/linux/sampler-runner.js) without setpriv,
// whose parent-death signal would end it by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNetnsPair, netnsArgv, netnsSupport, type NetnsPair } from '../../../helpers/netns.js';
import { testNode } from '../../../helpers/traffic.js';
import { netmonArgv, startServe, type Served } from '../../../helpers/cli.js';
import { alive, events, FAKE_NETTOP, tempDir, THREE_FRAMES, waitFor } from '../../../helpers/nettop.js';

interface PidEntry {
  pid: number;
  args: string | null;
}

/** The pid file's entries; none while it is absent (the registry removes it when it empties, at any moment). */
function pidFile(dataDir: string, kind: string): PidEntry[] {
  const file = path.join(dataDir, 'run', `${kind}.pids.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PidEntry[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Kills serve at once (no stop: its children are left behind) and waits for it to be gone. */
async function crash(served: Served): Promise<void> {
  const gone = new Promise<void>((resolve) => served.child.once('exit', () => resolve()));
  served.child.kill('SIGKILL');
  await gone;
}

const RUNNER = path.join(import.meta.dirname, '..', '..', '..', 'fixtures', 'linux', 'sampler-runner.js');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('stray children of a killed netmon are reaped by the next start', () => {
  const serving: Served[] = [];
  afterAll(async () => {
    for (const served of serving) if (served.child.exitCode === null && served.child.signalCode === null) await served.stop();
  });

  it('nettop: the stream child and the grandchild in its group', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const log = path.join(dir, 'fake.log');
    // The replay prints one frame and then stays alive and silent, as a nettop whose reader died would
    // (a long interval keeps the stall watchdog away).
    const env = [`FAKE_NETTOP_SCRIPT=${THREE_FRAMES}`, 'FAKE_NETTOP_STALL_AFTER=1', 'FAKE_NETTOP_CHILD=1', `FAKE_NETTOP_LOG=${log}`];
    const argv = ['env', ...env, ...netmonArgv(['serve', '--port', '0', '--no-open', '--sampler', 'nettop', '--nettop-path', FAKE_NETTOP, '--interval', '10', '--data-dir', dataDir])];
    const first = await startServe(argv);
    serving.push(first);
    // Its frame written (a write into the pipe of a dead reader would end it), and its grandchild started.
    await waitFor('the fake nettop, its frame and its grandchild', () => events(log).some((e) => e.ev === 'child') && events(log).some((e) => e.ev === 'frame'));
    const stray = events(log).find((e) => e.ev === 'start')?.pid as number;
    const grandchild = events(log).find((e) => e.ev === 'child')?.child as number;
    await waitFor('its command line in the pid file', () => pidFile(dataDir, 'nettop').some((e) => e.pid === stray && e.args?.includes('fake-nettop.js') === true));
    await sleep(200);

    await crash(first);
    await sleep(300);
    expect(alive(stray)).toBe(true);
    expect(alive(grandchild)).toBe(true);

    const second = await startServe(argv);
    serving.push(second);
    await waitFor('the strays to be killed', () => !alive(stray) && !alive(grandchild));
    await waitFor('its own nettop', () => events(log).filter((e) => e.ev === 'start').length >= 2);
    const own = events(log).filter((e) => e.ev === 'start')[1]?.pid as number;
    expect(alive(own)).toBe(true);
    expect(await second.stop()).toBe(0);
    expect(alive(own)).toBe(false);
  }, 60_000);

  const support = netnsSupport();
  describe.skipIf(!support.ok)(`ss -E${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
    let pair: NetnsPair | null = null;
    afterAll(() => pair?.destroy());

    it('the close-event stream of the unprivileged sampler', async () => {
      pair = createNetnsPair();
      const dir = tempDir();
      const dataDir = path.join(dir, 'data');
      // serve records the stream in DATA/run/linux.pids.json, and a clean stop leaves the file empty.
      const served = await startServe(netnsArgv(pair.client, netmonArgv(['serve', '--port', '0', '--no-open', '--sampler', 'linux', '--interval', '1', '--data-dir', dataDir])));
      serving.push(served);
      await waitFor('ss -E in the pid file', () => pidFile(dataDir, 'linux').some((e) => e.args?.includes('ss -E') === true));
      expect(await served.stop()).toBe(0);
      expect(pidFile(dataDir, 'linux')).toEqual([]);

      // A crash: serve's own listener closing would wake `ss -E` (and its write into the dead pipe end
      // it), so the crashed parent here is a bare LinuxSampler, without setpriv's parent-death signal.
      const stateDir = path.join(dataDir, 'run');
      const [command, ...args] = netnsArgv(pair.client, [testNode(), '--experimental-strip-types', '--disable-warning=ExperimentalWarning', RUNNER]);
      const runner = (): ChildProcess => spawn(command, args, { env: { ...process.env, STATE_DIR: stateDir, SETPRIV_PATH: '', INTERVAL_MS: '1000' }, stdio: 'ignore' });
      const first = runner();
      await waitFor('ss -E in the pid file', () => pidFile(dataDir, 'linux').some((e) => e.args?.includes('ss -E') === true));
      const stray = pidFile(dataDir, 'linux').find((e) => e.args?.includes('ss -E') === true)?.pid as number;
      const gone = new Promise((resolve) => first.once('exit', resolve));
      first.kill('SIGKILL');
      await gone;
      await sleep(300);
      expect(alive(stray)).toBe(true);

      const second = runner();
      await waitFor('the stray to be killed', () => !alive(stray));
      await waitFor('its own ss -E', () => pidFile(dataDir, 'linux').some((e) => e.pid !== stray && e.args?.includes('ss -E') === true));
      const stopped = new Promise((resolve) => second.once('exit', resolve));
      second.kill('SIGTERM');
      expect(await stopped).toBe(0);
      expect(pidFile(dataDir, 'linux')).toEqual([]);
    }, 60_000);
  });
});
