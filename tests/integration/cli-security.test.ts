// The command line's part of the security review: `serve --open` puts a one-time pairing code on the
// browser's command line, never the token (finding 2); `netmon token rotate` takes effect on a running
// serve; `export --output` refuses symlinks and existing files and writes 600 (finding 15). Runs the
// compiled build, as the other CLI tests.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netmon, netmonArgv, startServe } from '../helpers/cli.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'netmon-clisec-'));
const dir = path.join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  const demo = netmon(['demo', '--days', '2', '--data-dir', dir]);
  expect(demo.code, demo.stderr).toBe(0);
});

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('serve --open', () => {
  it('opens the dashboard with a one-time code; the token is on no command line', async () => {
    // A fake xdg-open (and open) that records its argv, first on PATH.
    const bin = path.join(root, 'bin');
    const record = path.join(root, 'opened.txt');
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    for (const name of ['xdg-open', 'open']) {
      writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf '%s\\n' "$@" >> ${JSON.stringify(record)}\n`, { mode: 0o755 });
    }
    const argv = netmonArgv(['serve', '--port', '0', '--data-dir', dir, '--open']);
    const served = await startServe(['env', `PATH=${bin}:${process.env['PATH'] ?? ''}`, ...argv]);
    try {
      const token = readFileSync(path.join(dir, 'pairing-token'), 'utf8').trim();
      await until(() => existsSync(record) && readFileSync(record, 'utf8').includes('\n'));
      const opened = readFileSync(record, 'utf8').trim();
      expect(opened).not.toContain(token);
      const match = /^(http:\/\/127\.0\.0\.1:\d+)\/#paircode=([0-9a-f]{32})$/.exec(opened);
      expect(match, opened).not.toBeNull();
      const [, url, code] = match as RegExpExecArray;
      const exchange = () => fetch(`${url}/api/pair/exchange`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
      const first = await exchange();
      expect(first.status).toBe(200);
      expect(((await first.json()) as { value: { token: string } }).value.token).toBe(token);
      expect((await exchange()).status).toBe(401);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });
});

describe('netmon token rotate', () => {
  it('writes a new 600 token that a running serve takes at once; the old one is refused', async () => {
    const served = await startServe(netmonArgv(['serve', '--port', '0', '--data-dir', dir]));
    try {
      const before = readFileSync(path.join(dir, 'pairing-token'), 'utf8').trim();
      const read = (t: string) => fetch(`${served.url}/api/v1/status:get`, { headers: { 'x-netmon-token': t } }).then((r) => r.status);
      expect(await read(before)).toBe(200);
      const rotated = netmon(['token', 'rotate', '--data-dir', dir]);
      expect(rotated.code, rotated.stderr).toBe(0);
      const after = readFileSync(path.join(dir, 'pairing-token'), 'utf8').trim();
      expect(after).toMatch(/^[0-9a-f]{64}$/);
      expect(after).not.toBe(before);
      expect(rotated.stdout).not.toContain(after);
      expect(statSync(path.join(dir, 'pairing-token')).mode & 0o777).toBe(0o600);
      await until(async () => (await read(before)) === 401);
      expect(await read(after)).toBe(200);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('refuses anything but rotate', () => {
    expect(netmon(['token', 'show', '--data-dir', dir]).code).toBe(2);
  });
});

describe('export --output (finding 15)', () => {
  const args = (out: string, ...more: string[]) => ['export', '--format', 'csv', '--by', 'domain', '--data-dir', dir, '--output', out, ...more];

  it('writes a new file 600', () => {
    const out = path.join(root, 'new.csv');
    const r = netmon(args(out));
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toMatch(/^domain,/);
  });

  it('refuses to overwrite an existing file without --force; with it, replaces it as 600', () => {
    const out = path.join(root, 'old.csv');
    writeFileSync(out, 'keep me');
    chmodSync(out, 0o644);
    const refused = netmon(args(out));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/exists; add --force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    const forced = netmon(args(out, '--force'));
    expect(forced.code, forced.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toMatch(/^domain,/);
  });

  it('refuses a symlink, with or without --force, and writes nothing through it', () => {
    const target = path.join(root, 'victim.txt');
    writeFileSync(target, 'original');
    const link = path.join(root, 'link.csv');
    symlinkSync(target, link);
    for (const extra of [[], ['--force']]) {
      const r = netmon(args(link, ...extra));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/symbolic link/);
    }
    expect(readFileSync(target, 'utf8')).toBe('original');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    // A dangling link too: O_EXCL never creates its target.
    const dangling = path.join(root, 'dangling.csv');
    symlinkSync(path.join(root, 'nowhere.csv'), dangling);
    expect(netmon(args(dangling)).code).toBe(1);
    expect(existsSync(path.join(root, 'nowhere.csv'))).toBe(false);
  });
});
