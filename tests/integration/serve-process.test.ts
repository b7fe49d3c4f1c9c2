// `netmon serve` however it is started (npm run serve, npx, a shell) runs with its start-time settings:
// bin/netmon.js re-executes itself once, same pid, with V8's young generation ceiling and, on Linux,
// glibc's MALLOC_ARENA_MAX=2 (src-main/cli/serve-process.ts; the soak's RSS drift). A value the user
// set is kept. Read from the running process itself (/proc/PID/environ and cmdline).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveRestart } from '../../src-main/cli/serve-process.js';
import { NETMON, startServe } from '../helpers/cli.js';
import { tempRoot } from '../helpers/store.js';

const words = (file: string): string[] => readFileSync(file, 'utf8').split('\0').filter((w) => w !== '');

async function serveWith(envArgs: string[]): Promise<{ environ: string[]; cmdline: string[] }> {
  const dataDir = path.join(tempRoot('netmon-serve-process-'), 'data');
  // `env` execs node in its own pid, so the pid started is serve's.
  const served = await startServe(['env', ...envArgs, process.execPath, NETMON, 'serve', '--port', '0', '--no-open', '--data-dir', dataDir]);
  try {
    const pid = served.child.pid!;
    return { environ: words(`/proc/${pid}/environ`), cmdline: words(`/proc/${pid}/cmdline`) };
  } finally {
    expect(await served.stop()).toBe(0);
  }
}

describe.runIf(process.platform === 'linux')('serve process', () => {
  it('runs with MALLOC_ARENA_MAX=2 and --max-semi-space-size=1 when started without them', async () => {
    const { environ, cmdline } = await serveWith(['-u', 'MALLOC_ARENA_MAX', '-u', 'NODE_OPTIONS']);
    expect(environ).toContain('MALLOC_ARENA_MAX=2');
    expect(cmdline).toContain('--max-semi-space-size=1');
    // A node flag: before the script, which keeps its arguments.
    expect(cmdline.indexOf('--max-semi-space-size=1')).toBeLessThan(cmdline.indexOf(NETMON));
    expect(cmdline.slice(cmdline.indexOf(NETMON) + 1, -1)).toEqual(['serve', '--port', '0', '--no-open', '--data-dir']);
  });

  it("keeps the user's own MALLOC_ARENA_MAX", async () => {
    const { environ, cmdline } = await serveWith(['MALLOC_ARENA_MAX=4']);
    expect(environ).toContain('MALLOC_ARENA_MAX=4');
    expect(environ).not.toContain('MALLOC_ARENA_MAX=2');
    expect(cmdline).toContain('--max-semi-space-size=1');
  });
});

describe('serveRestart', () => {
  it('asks for what is missing only, and for nothing once it is all there', () => {
    expect(serveRestart('linux', [], {})).toEqual({ flags: ['--max-semi-space-size=1'], env: { MALLOC_ARENA_MAX: '2' } });
    expect(serveRestart('linux', ['--max-semi-space-size=1'], {})).toEqual({ flags: [], env: { MALLOC_ARENA_MAX: '2' } });
    expect(serveRestart('linux', [], { NODE_OPTIONS: '--max-semi-space-size=4', MALLOC_ARENA_MAX: '8' })).toBeNull();
    expect(serveRestart('linux', ['--max-semi-space-size=1'], { MALLOC_ARENA_MAX: '2' })).toBeNull();
    // glibc's variable means nothing on macOS: only the V8 flag.
    expect(serveRestart('darwin', [], {})).toEqual({ flags: ['--max-semi-space-size=1'], env: {} });
    expect(serveRestart('darwin', ['--max-semi-space-size=1'], {})).toBeNull();
  });
});
