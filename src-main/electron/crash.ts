// A stray throw in the main process. Without a handler Electron shows its own modal ("A JavaScript
// error occurred in the main process") and the app lives on half-broken. Instead: every error is
// logged; the first uncaught exception is said once in a box of ours, and the app quits through its
// ordinary quit (which writes the buffered rows). A rejected promise nobody handled is logged only:
// it broke one operation, not the process.
import { createLogger } from '../engine/log.js';

const log = createLogger('electron:crash');

export interface CrashDeps {
  /** Where the handlers go (`process`). */
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): void;
  /** Shows the one box (brought to the front first). */
  show(title: string, message: string): void;
  /** Quits the app the ordinary way. */
  quit(): void;
  /** Where the details are, for the box. */
  logsDir: string;
}

export function installCrashHandlers(deps: CrashDeps): void {
  let shown = false;
  deps.on('uncaughtException', (error) => {
    log.error('uncaught exception in the main process', { error });
    if (shown) return;
    shown = true;
    const message = error instanceof Error ? error.message : String(error);
    try {
      deps.show('netmon hit an unexpected error', `${message}\n\nnetmon will quit now; what it measured so far is kept. The details are in ${deps.logsDir}.`);
    } catch (err) {
      log.error('could not show the error', { error: err });
    }
    deps.quit();
  });
  deps.on('unhandledRejection', (error) => log.error('unhandled promise rejection in the main process', { error }));
}
