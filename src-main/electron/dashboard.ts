// The dashboard window: at most one, opened (or brought forward) from the popover, the tray menu, a
// notification and a second launch; it reopens where it was (see window-state.ts), and its place is
// written to the data folder when it moves, resizes or closes.
import { BrowserWindow, screen, type BrowserWindowConstructorOptions } from 'electron';
import { createLogger } from '../engine/log.js';
import { DASHBOARD_MIN_SIZE, placeDashboard, type DashboardBounds } from './window-state.js';

const log = createLogger('electron:dashboard');

/** The web preferences of every window of ours: sandboxed, isolated, no Node, our preload only. */
export function securePreferences(preloadPath: string): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

export interface DashboardOptions {
  /** The URL of a route of the renderer. */
  pageUrl(route: string): string;
  preloadPath: string;
  /** The placement remembered from the last run. */
  saved(): DashboardBounds | null;
  /** Remembers the placement (called debounced while moving, and on close). */
  save(bounds: DashboardBounds): void;
  /** Called when the window opens and when it has closed (macOS shows the Dock icon meanwhile). */
  onVisibility?(open: boolean): void;
}

/** The single dashboard. */
export interface Dashboard {
  /** Opens the dashboard at `route` (default: as it is, or the overview), or brings it forward. */
  open(route?: string): void;
  /** The window, while it exists. */
  window(): BrowserWindow | null;
  /** Writes the placement now (before quitting). */
  persist(): void;
}

const SAVE_DELAY_MS = 500;

/** The dashboard, not yet opened. */
export function createDashboard(options: DashboardOptions): Dashboard {
  let win: BrowserWindow | null = null;
  let saveTimer: ReturnType<typeof setTimeout> | null = null;

  const current = (): DashboardBounds | null => {
    if (win === null || win.isDestroyed()) return null;
    // The normal bounds are the ones to come back to, even when it closes maximized or minimized.
    return { ...win.getNormalBounds(), maximized: win.isMaximized() };
  };
  const persist = (): void => {
    if (saveTimer !== null) clearTimeout(saveTimer);
    saveTimer = null;
    const bounds = current();
    if (bounds === null) return;
    try {
      options.save(bounds);
    } catch (err) {
      log.warn('could not remember the dashboard placement', { error: err });
    }
  };
  const persistSoon = (): void => {
    if (saveTimer !== null) clearTimeout(saveTimer);
    saveTimer = setTimeout(persist, SAVE_DELAY_MS);
  };

  const create = (route: string): BrowserWindow => {
    const displays = screen.getAllDisplays().map((d) => d.workArea);
    const place = placeDashboard(options.saved(), displays, screen.getPrimaryDisplay().workArea);
    const created = new BrowserWindow({
      x: place.x,
      y: place.y,
      width: place.width,
      height: place.height,
      minWidth: DASHBOARD_MIN_SIZE.width,
      minHeight: DASHBOARD_MIN_SIZE.height,
      show: false,
      title: 'netmon',
      webPreferences: securePreferences(options.preloadPath),
    });
    if (place.maximized) created.maximize();
    created.once('ready-to-show', () => created.show());
    created.on('resize', persistSoon);
    created.on('move', persistSoon);
    created.on('close', persist);
    created.on('closed', () => {
      if (saveTimer !== null) clearTimeout(saveTimer);
      saveTimer = null;
      win = null;
      options.onVisibility?.(false);
    });
    created.loadURL(options.pageUrl(route)).catch((err: unknown) => log.error('the dashboard did not load', { error: err }));
    options.onVisibility?.(true);
    return created;
  };

  return {
    open(route) {
      if (win === null || win.isDestroyed()) {
        win = create(route ?? '#/overview');
        return;
      }
      if (route !== undefined) {
        const url = options.pageUrl(route);
        // Only the fragment differs: a same-document navigation, the page keeps its state.
        if (win.webContents.getURL() !== url) win.loadURL(url).catch((err: unknown) => log.warn('the dashboard did not change page', { error: err }));
      }
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
    window: () => (win === null || win.isDestroyed() ? null : win),
    persist,
  };
}
