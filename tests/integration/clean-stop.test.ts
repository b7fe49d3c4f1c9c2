// Clean stops however serve is run: orphaned by a parent that went away without passing a signal on
// (npm's and npx's `sh -c`), serve stops by itself and writes its buffer; `npm run serve` execs node so
// that npm's own signal reaches serve; `netmon service install|uninstall` writes a systemd user unit
// and a launchd agent that their own tools accept.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchdPlist, systemdUnit } from '../../src-main/cli/service-units.js';
import { NETMON, REPO, netmon } from '../helpers/cli.js';
import { tempRoot } from '../helpers/store.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
};

describe('serve orphaned by its parent', () => {
  it('stops by itself, writing its buffer, when the sh -c that started it is killed', async () => {
    const dataDir = path.join(tempRoot('netmon-orphan-'), 'data');
    // As npm runs a script: sh -c, here with the child's pid printed so that the test can watch it.
    const script = `"${process.execPath}" "${NETMON}" serve --port 0 --no-open --interval 1 --data-dir "${dataDir}" & echo "child $!"; wait`;
    const sh = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    sh.stdout.on('data', (d: Buffer) => (out += d.toString()));
    sh.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/serving http/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/serving http/);
    const pid = Number(/child (\d+)/.exec(out)?.[1]);
    expect(alive(pid)).toBe(true);
    await new Promise((r) => setTimeout(r, 2500)); // a few samples buffered
    sh.kill('SIGKILL');
    const stopBy = Date.now() + 15_000;
    while (alive(pid) && Date.now() < stopBy) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
    expect(err).toMatch(/its parent process \(pid \d+\) went away: writing buffered rows and stopping/);
    const log = readFileSync(path.join(dataDir, 'logs', 'netmon.log'), 'utf8');
    expect(log).toMatch(/monitor stopped/);
    expect(log).not.toMatch(/final flush failed/);
  });

  it('npm run serve execs node, so that the signal npm passes on reaches serve itself', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['serve']).toMatch(/&& exec node bin\/netmon\.js serve$/);
  });
});

describe('netmon service', () => {
  const spec = { node: process.execPath, script: NETMON, args: ['--data-dir', '/home/a b/.netmon "x"'], logDir: '/home/a b/.netmonitor/logs' };

  const verify = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  it.skipIf(verify.error !== undefined)('install writes a systemd user unit that systemd-analyze verify accepts; uninstall removes it', () => {
    const home = tempRoot('netmon-home-');
    const env = { HOME: home, XDG_CONFIG_HOME: '' };
    const installed = netmon(['service', 'install', '--no-start', '--data-dir', path.join(home, 'nm data')], { ...env, XDG_CONFIG_HOME: path.join(home, '.config') });
    expect(installed.code).toBe(0);
    const unit = path.join(home, '.config', 'systemd', 'user', 'netmon.service');
    expect(installed.stdout).toContain(`wrote ${unit}`);
    expect(installed.stdout).toContain('now run: systemctl --user enable --now netmon.service');
    const text = readFileSync(unit, 'utf8');
    expect(text).toContain(`ExecStart=${process.execPath} ${NETMON} serve --no-open --data-dir "${path.join(home, 'nm data')}"`);
    // glibc's malloc arenas are set at process start: the unit gives serve the environment itself (the
    // soak's RSS drift, see serve-process.ts), in its [Service] section.
    expect(text).toMatch(/^\[Service\]\n(?:[^[].*\n|\n)*?Environment=MALLOC_ARENA_MAX=2\n/m);
    // System mode: a user manager needs a session this test does not have; the unit's syntax and its
    // executables are checked the same way.
    const checked = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(checked.stderr.trim()).toBe('');
    expect(checked.status).toBe(0);
    const removed = netmon(['service', 'uninstall', '--no-start'], { ...env, XDG_CONFIG_HOME: path.join(home, '.config') });
    expect(removed.code).toBe(0);
    expect(existsSync(unit)).toBe(false);
  });

  it.skipIf(verify.error !== undefined)('the unit quotes an awkward path so that systemd reads back the same words', () => {
    const dir = tempRoot('netmon-unit-');
    const file = path.join(dir, 'netmon.service');
    const text = systemdUnit(spec);
    writeFileSync(file, text);
    const checked = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(checked.stderr.trim()).toBe('');
    expect(text).toContain('--data-dir "/home/a b/.netmon \\"x\\""');
  });

  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  it.skipIf(python.error !== undefined)('the LaunchAgent is a property list plistlib reads, with the arguments, restart on crash and log paths', () => {
    const text = launchdPlist(spec);
    const read = spawnSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], { input: text, encoding: 'utf8' });
    expect(read.stderr).toBe('');
    expect(JSON.parse(read.stdout)).toEqual({
      Label: 'dev.netmon.serve',
      ProgramArguments: [process.execPath, NETMON, 'serve', '--no-open', '--data-dir', '/home/a b/.netmon "x"'],
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ProcessType: 'Background',
      ExitTimeOut: 30,
      StandardOutPath: '/home/a b/.netmonitor/logs/launchd.out.log',
      StandardErrorPath: '/home/a b/.netmonitor/logs/launchd.err.log',
    });
  });
});
