// Runtime.stopNow (the system's quit: logout, shutdown) halts everything that would still use the store:
// the plan checker, whose first check runs a second after start, must not run on the closed store.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startRuntime } from '../../src-main/runtime.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'netmon-stop-now-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Runtime.stopNow', () => {
  it('stops the plan checker with the store: no check runs on the closed store afterwards', async () => {
    const runtime = await startRuntime({ dataDir: path.join(root, 'data'), port: 0, sampler: 'linux', intervalS: 1, logToFile: false });
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      runtime.stopNow();
      // The checker's first run is due 1 s after start.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      spy.mockRestore();
      await runtime.stop();
    }
    expect(written.filter((line) => /plan check failed|store is closed/.test(line))).toEqual([]);
  });
});
