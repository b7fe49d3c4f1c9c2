// Quitting: flush and stop the engine before the app goes. Two ways. The menu's Quit waits for an
// orderly stop (the sampler's children gone, the last rows named and written): before-quit is held
// until then. Every other quit (the system's at shutdown, restart or logout, the Dock's, SIGTERM) is
// never held, since holding it would make macOS cancel the shutdown and ask the user to quit netmon:
// the buffer is written synchronously (better-sqlite3 is synchronous) on powerMonitor `shutdown` and
// on `will-quit`, and the quit goes on.
import { app, powerMonitor } from 'electron';
import { createLogger } from '../engine/log.js';

const log = createLogger('electron');

export interface QuittingOptions {
  engine: {
    /** Stops serving and sampling, writes what is buffered, closes the database. */
    stop(): Promise<void>;
    /** The same, synchronously. */
    stopNow(): void;
  };
  /** How long the menu's Quit waits for the engine to stop before giving up on it. */
  stopTimeoutMs: number;
  /** Ends the shell's own work (polling, IPC, live updates) and saves what it remembers; called once. */
  leave(): void;
  /** Removes the tray icon, last. */
  removeTray(): void;
}

export interface Quitting {
  /** The menu's Quit: the one quit that waits for an orderly stop. */
  quitFromMenu(): void;
  /** Resolves when quitting has stopped the engine (never before a quit began). */
  whenStopped(): Promise<void>;
}

function withTimeout(promise: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log.error(`${what} took longer than ${ms} ms; quitting without waiting`);
      resolve();
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Installs the quit handlers on `app` and `powerMonitor`. */
export function handleQuitting(options: QuittingOptions): Quitting {
  const { engine } = options;
  /** The quit was asked for from our menu (not by the system): it may wait for an orderly stop. */
  let userQuit = false;
  let phase: 'running' | 'stopping' | 'stopped' = 'running';
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const shutdown = async (): Promise<void> => {
    options.leave();
    try {
      await withTimeout(engine.stop(), options.stopTimeoutMs, 'stopping the engine');
    } catch (err) {
      log.error('stopping the engine failed', { error: err });
    }
    options.removeTray();
  };
  const stopNow = (why: string): void => {
    if (phase === 'stopped') return;
    if (phase === 'running') options.leave();
    phase = 'stopped';
    try {
      engine.stopNow();
      log.info(`stopped at once (${why}): buffered rows written`);
    } catch (err) {
      log.error('stopping the engine at once failed', { error: err });
    }
    options.removeTray();
    markStopped();
  };
  app.on('before-quit', (event) => {
    if (phase !== 'running' || !userQuit) return;
    // Our own Quit: Electron would close the windows and exit at once; hold it until the buffer is written.
    event.preventDefault();
    phase = 'stopping';
    void shutdown().finally(() => {
      if (phase === 'stopped') return;
      phase = 'stopped';
      markStopped();
      app.quit();
    });
  });
  app.on('will-quit', () => stopNow('quit'));
  powerMonitor.on('shutdown', () => stopNow('the system is shutting down'));
  return {
    quitFromMenu() {
      userQuit = true;
      app.quit();
    },
    whenStopped: () => stopped,
  };
}
