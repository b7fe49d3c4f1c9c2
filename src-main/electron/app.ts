// The Electron app's life: one instance per user (a second launch brings the first one's dashboard
// forward), the renderer's scheme, the engine started exactly as `netmon serve` starts it, then the
// shell. main.ts calls `runApp` and nothing else.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app, dialog, protocol } from 'electron';
import { ensureDataDir, resolveDataDir } from '../engine/config.js';
import { createLogger } from '../engine/log.js';
import { DatabaseTooNewError, DatabaseUnusableError } from '../engine/store/index.js';
import { PortInUseError, portInUseMessage } from '../http/server.js';
import { startRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
import { APP_SCHEME, rendererLocation, serveAppRequest } from './app-url.js';
import { AUTOSTART_FILE_NAME, autostartDir } from './autostart.js';
import { offerMoveToApplications } from './move-to-applications.js';
import { loadShellState, saveShellState, type ShellState } from './shell-state.js';
import { startShell, type Shell, type ShellOptions } from './shell.js';

const log = createLogger('electron:app');

/** Where the app's files are, relative to the compiled main (dist/src-main/electron/). */
export interface AppPaths {
  /** The renderer's build (dist/renderer). */
  rendererDir: string;
  /** The bundled preload. */
  preloadPath: string;
  /** The tray images. */
  trayImagesDir: string;
}

/** The app's files: next to the compiled main; tray images from build/tray, or Resources/tray once packaged. */
export function appPaths(mainDir: string, facts: { isPackaged: boolean; appPath: string; resourcesPath: string }): AppPaths {
  return {
    rendererDir: path.resolve(mainDir, '..', '..', 'renderer'),
    preloadPath: path.join(mainDir, 'preload.cjs'),
    trayImagesDir: facts.isPackaged ? path.join(facts.resourcesPath, 'tray') : path.join(facts.appPath, 'build', 'tray'),
  };
}

export interface AppOptions {
  /** The folder of the compiled main.js. */
  mainDir: string;
  env: NodeJS.ProcessEnv;
  /** Starts the engine; `startRuntime` unless a test gives another. */
  startEngine?: (options: RuntimeOptions) => Promise<Runtime>;
  /** Extra engine options (tests: port 0, a replayed sampler). */
  engineOptions?: Partial<RuntimeOptions>;
  /** The OS (tests play macOS); default process.platform. */
  platform?: NodeJS.Platform;
  /** Passed on to the shell (tests shorten the poll). */
  shellOptions?: Partial<Pick<ShellOptions, 'now' | 'pollMs' | 'stopTimeoutMs'>>;
}

/** Words for the user when the engine cannot start. */
export function startFailure(err: unknown, port: number | undefined): string {
  if (err instanceof PortInUseError) {
    const sentence = portInUseMessage(err.port, 'another port can be set as web_server_port in config.json.');
    return sentence.charAt(0).toUpperCase() + sentence.slice(1);
  }
  if (err instanceof DatabaseTooNewError || err instanceof DatabaseUnusableError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  return `netmon could not start: ${message}${port === undefined ? '' : ` (port ${port})`}`;
}

/** Shows an error box in front of every other app's windows (an accessory app's box can open behind them). */
export function showErrorInFront(title: string, message: string): void {
  if (process.platform === 'darwin') app.focus({ steal: true });
  dialog.showErrorBox(title, message);
}

/** macOS, a packaged copy outside /Applications: offers the move once (move-to-applications.ts); true when the app is quitting for it. */
function movingToApplications(platform: NodeJS.Platform, dataDir: string): boolean {
  // null: the file is there but unreadable (then it is neither trusted nor overwritten).
  const remembered = (): ShellState | null => {
    try {
      return loadShellState(dataDir);
    } catch {
      return null;
    }
  };
  const outcome = offerMoveToApplications({
    platform,
    isPackaged: app.isPackaged,
    execPath: process.execPath,
    isInApplicationsFolder: () => app.isInApplicationsFolder(),
    ask: (options) => {
      app.focus({ steal: true });
      return dialog.showMessageBoxSync({ type: 'question', ...options });
    },
    move: () => app.moveToApplicationsFolder(),
    declinedBefore: () => remembered()?.moveDeclined === true,
    rememberDeclined: () => {
      const state = remembered();
      if (state === null) return;
      try {
        saveShellState(ensureDataDir(dataDir), { ...state, moveDeclined: true });
      } catch (err) {
        log.warn('could not remember the declined move', { error: err });
      }
    },
    showError: showErrorInFront,
  });
  return outcome === 'moving';
}

/**
 * Runs the app: resolves with the shell once it is up, or null when this is a second instance (which
 * quits) or the engine could not start (the user is told, the app exits).
 */
export async function runApp(options: AppOptions): Promise<Shell | null> {
  // Must happen before ready: our scheme is standard (relative URLs, storage) and secure (a secure context).
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
  if (!app.requestSingleInstanceLock()) {
    log.info('netmon is already running; handing over to it');
    app.quit();
    return null;
  }
  let shell: Shell | null = null;
  let dashboardWanted = false;
  app.on('second-instance', () => {
    if (shell === null) dashboardWanted = true;
    else shell.openDashboard();
  });
  // A menubar app lives on with no window open; quitting is the menu's (or the system's) to ask for.
  app.on('window-all-closed', () => undefined);
  const quitOnSignal = (): void => app.quit();
  process.on('SIGTERM', quitOnSignal);
  process.on('SIGINT', quitOnSignal);
  app.once('will-quit', () => {
    process.off('SIGTERM', quitOnSignal);
    process.off('SIGINT', quitOnSignal);
  });
  const dataDir = resolveDataDir(undefined, options.env);

  await app.whenReady();
  const platform = options.platform ?? process.platform;
  // Before anything starts: the app may quit here to start again from /Applications.
  if (movingToApplications(platform, dataDir)) return null;
  const paths = appPaths(options.mainDir, { isPackaged: app.isPackaged, appPath: app.getAppPath(), resourcesPath: process.resourcesPath });
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(paths.rendererDir, request));
  // The vite dev server may stand in for the built renderer, but never in a packaged app.
  const devUrl = app.isPackaged ? null : (options.env['NETMON_RENDERER_URL'] ?? null);
  if (devUrl === null && !existsSync(path.join(paths.rendererDir, 'index.html'))) {
    log.warn('the renderer is not built (npm run build:renderer); windows will be empty', { dir: paths.rendererDir });
  }

  let runtime: Runtime;
  try {
    runtime = await (options.startEngine ?? startRuntime)({
      dataDir,
      staticDir: existsSync(paths.rendererDir) ? paths.rendererDir : null,
      ...options.engineOptions,
    });
  } catch (err) {
    const message = startFailure(err, options.engineOptions?.port);
    log.error('the engine did not start', { error: err });
    showErrorInFront('netmon could not start', message);
    app.exit(1);
    return null;
  }
  log.info('netmon started', { dataDir: runtime.dataDir, url: runtime.server.url, sampler: runtime.samplerWhy });

  shell = startShell({
    engine: runtime,
    location: rendererLocation(devUrl),
    preloadPath: paths.preloadPath,
    trayImagesDir: paths.trayImagesDir,
    platform,
    launch: { execPath: process.execPath, isPackaged: app.isPackaged, appPath: app.getAppPath(), appImage: options.env['APPIMAGE'] },
    autostartFile: path.join(autostartDir(options.env, os.homedir()), AUTOSTART_FILE_NAME),
    ...options.shellOptions,
  });
  if (dashboardWanted) shell.openDashboard();
  return shell;
}
