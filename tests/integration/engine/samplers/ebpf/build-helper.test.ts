// `npm run build:helper` on a machine that is not Linux (a macOS CI runner building the .dmg): the eBPF
// helper is Linux's, so the script says so and exits 0 without building anything, even under CI=true,
// where a missing tool is otherwise an error (review m8). `uname` and `make` are stood in for on PATH.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..', '..', '..', '..', '..');
const SCRIPT = path.join(REPO, 'src-main', 'engine', 'samplers', 'ebpf', 'build-helper.sh');
const run = promisify(execFile);

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('build-helper.sh', () => {
  it('builds nothing and exits 0 where uname is not Linux, under CI=true too', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-build-helper-'));
    const made = path.join(dir, 'make-ran');
    writeFileSync(path.join(dir, 'uname'), '#!/bin/sh\necho Darwin\n');
    writeFileSync(path.join(dir, 'make'), `#!/bin/sh\ntouch '${made}'\n`);
    for (const tool of ['uname', 'make']) chmodSync(path.join(dir, tool), 0o755);
    const { stderr } = await run('sh', [SCRIPT], { env: { ...process.env, CI: 'true', PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
    expect(stderr).toContain('netmon-capture is Linux only; not built on Darwin');
    expect(existsSync(made)).toBe(false);
  });
});
