// The Node version guard at the top of bin/netmon.js: on an older Node, one line and exit 1 before
// anything native loads (better-sqlite3 built for 22 would crash with a segmentation fault).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeProblem } from '../../bin/node-guard.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'netmon.js');
const fake20 = path.join(root, 'tests', 'fixtures', 'node-guard', 'fake-node20.js');
const check = nodeProblem as (versions: { node?: string }, execPath: string) => string | null;

describe('node version guard', () => {
  it('accepts 22.12 and newer, refuses anything older with what is needed and what was found', () => {
    for (const ok of ['22.12.0', '22.15.1', '23.0.0', '24.3.0', '30.0.0']) expect(check({ node: ok }, '/x/node')).toBeNull();
    for (const old of ['20.20.2', '22.11.0', '18.19.0', '0.0.0']) {
      const message = check({ node: old }, '/usr/bin/node');
      expect(message).toContain('22.12.0');
      expect(message).toContain(old);
      expect(message).toContain('/usr/bin/node');
      expect(message).toContain('README');
      expect(message).not.toContain('\n');
    }
    expect(check({}, '/x')).toContain('0.0.0');
  });

  it('bin/netmon.js report under a Node that says it is 20 prints the one line and exits 1, loading nothing native', () => {
    const run = spawnSync(process.execPath, ['--import', fake20, bin, 'report', '--data-dir', path.join(root, 'no-such-folder')], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^netmon needs Node\.js 22\.12\.0 or newer, but this is Node\.js 20\.11\.1 /);
  });

  // The machine's own Node 20 where there is one (Debian 12's /usr/bin/node): the real thing, no fake.
  const system = '/usr/bin/node';
  const systemMajor = existsSync(system) ? Number(spawnSync(system, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim()) : NaN;
  it.runIf(systemMajor < 22)('a real older node (/usr/bin/node) gets the same line and exit 1, no segmentation fault', () => {
    const run = spawnSync(system, [bin, 'report'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^netmon needs Node\.js 22\.12\.0 or newer, but this is Node\.js \d+\.\d+\.\d+ \(\/usr\/bin\/node\)/);
  });
});
