// An uncaught exception in the main process (crash.ts, review m4): logged, said once in a box of ours
// (not Electron's modal), and the app quits the ordinary way (which writes the buffered rows); an
// unhandled rejection is logged only. A box that cannot be shown does not keep the app from quitting.
import { describe, expect, it, vi } from 'vitest';
import { installCrashHandlers, type CrashDeps } from '../../src-main/electron/crash.js';

function install(show: CrashDeps['show'] = () => undefined): { emit(event: string, error: unknown): void; shown: string[][]; quits: number; logged: string[] } {
  const listeners = new Map<string, (error: unknown) => void>();
  const seen = { shown: [] as string[][], quits: 0, logged: [] as string[] };
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    seen.logged.push(String(chunk));
    return true;
  });
  installCrashHandlers({
    on: (event, listener) => listeners.set(event, listener),
    show: (title, message) => {
      seen.shown.push([title, message]);
      show(title, message);
    },
    quit: () => (seen.quits += 1),
    logsDir: '/home/me/.netmonitor/logs',
  });
  return { emit: (event, error) => listeners.get(event)?.(error), ...seen, get quits() { return seen.quits; } };
}

describe('installCrashHandlers', () => {
  it('logs an uncaught exception, says it once with where the logs are, and quits', () => {
    const c = install();
    c.emit('uncaughtException', new Error('boom'));
    c.emit('uncaughtException', new Error('again'));
    expect(c.shown).toHaveLength(1);
    expect(c.shown[0]?.[0]).toBe('netmon hit an unexpected error');
    expect(c.shown[0]?.[1]).toContain('boom');
    expect(c.shown[0]?.[1]).toContain('/home/me/.netmonitor/logs');
    expect(c.quits).toBe(1);
    expect(c.logged.filter((l) => l.includes('uncaught exception in the main process'))).toHaveLength(2);
    vi.restoreAllMocks();
  });

  it('logs an unhandled rejection without a box or a quit', () => {
    const c = install();
    c.emit('unhandledRejection', new Error('lost promise'));
    expect(c.shown).toEqual([]);
    expect(c.quits).toBe(0);
    expect(c.logged.some((l) => l.includes('unhandled promise rejection'))).toBe(true);
    vi.restoreAllMocks();
  });

  it('still quits when the box cannot be shown', () => {
    const c = install(() => {
      throw new Error('no display');
    });
    c.emit('uncaughtException', new Error('boom'));
    expect(c.quits).toBe(1);
    vi.restoreAllMocks();
  });
});
