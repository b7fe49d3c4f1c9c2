// The shell around a started engine: the tray (its look follows the rate), the menubar popover,
// the context menu, the dashboard, IPC, notifications, start at login, and quitting (which flushes
// the store and stops the sampler). Decisions live in the small pure modules beside this one, each
// piece of Electron in its own (tray-icon, notifier, start-at-login, web-guard, quitting, dashboard);
// this file wires them to each other and to the engine's one handler layer, and polls the engine.
import path from 'node:path';
import { app, ipcMain, Menu, shell as desktop } from 'electron';
import { menubar, type Menubar } from 'menubar';
import type { ApiChannel } from '../../src-shared/contract/channels.js';
import type { StartAtLogin } from '../../src-shared/contract/ipc.js';
import type { ApiRequest } from '../../src-shared/contract/schemas.js';
import type { ConfigValues } from '../../src-shared/contract/settings.js';
import type { ApiResponses, LiveRate, PeriodTotals, SamplerHealthView, Result } from '../../src-shared/contract/types.js';
import type { ApiHandlers } from '../api/handlers.js';
import type { LiveSource } from '../api/live.js';
import { createLogger } from '../engine/log.js';
import type { RendererLocation } from './app-url.js';
import type { LaunchFacts } from './autostart.js';
import { createDashboard, securePreferences, type Dashboard } from './dashboard.js';
import { registerIpc } from './ipc-main.js';
import { createNotifier } from './notifier.js';
import { decideNotices, FRESH_MEMORY, type NotifyMemory } from './notify-rules.js';
import { createPlanAlerts } from './plan-alerts.js';
import { handleQuitting } from './quitting.js';
import { followSleep } from './sleep-wake.js';
import { EMPTY_SHELL_STATE, loadShellState, saveShellState, type ShellState } from './shell-state.js';
import { startAtLoginControl } from './start-at-login.js';
import { createTrayIcon } from './tray-icon.js';
import { trayMenuTemplate, type TrayMenuState } from './tray-menu.js';
import type { TrayLevel } from './tray-look.js';
import { guardWebContents } from './web-guard.js';

const log = createLogger('electron');

/** What the shell needs of the engine: a subset of the started runtime (`startRuntime`). */
export interface ShellEngine {
  readonly dataDir: string;
  readonly token: string;
  /** Things the user should hear about at start (a database moved aside, bad config keys). */
  readonly notices: readonly string[];
  readonly handlers: Pick<ApiHandlers, 'invoke'>;
  readonly live: LiveSource;
  /** Stops serving and sampling, writes what is buffered, closes the database. */
  stop(): Promise<void>;
  /** The same, synchronously: the buffer is written and the database closed before it returns. */
  stopNow(): void;
  /** The system is going to sleep: the sampler stops, the buffer is written (sleep-wake.ts). */
  suspend(): Promise<void>;
  /** Awake again: a fresh sampler; the sleep is one gap. */
  wake(): Promise<void>;
}

export interface ShellOptions {
  engine: ShellEngine;
  location: RendererLocation;
  /** The bundled preload (preload.cjs). */
  preloadPath: string;
  /** The folder of the tray images (build/tray, or Resources/tray once packaged). */
  trayImagesDir: string;
  platform: NodeJS.Platform;
  /** How this copy was launched, for the Linux autostart entry. */
  launch: LaunchFacts;
  /** The Linux autostart entry's path (~/.config/autostart/netmon.desktop). */
  autostartFile: string;
  /** Wall clock, epoch milliseconds. */
  now?: () => number;
  /** How often status, today's usage and settings are re-read (menu, notifications, tray staleness). */
  pollMs?: number;
  /** How long quitting waits for the engine to stop before giving up on it. */
  stopTimeoutMs?: number;
}

/** The running shell. */
export interface Shell {
  openDashboard(route?: string): void;
  showPopover(): Promise<void>;
  /** Re-reads status, today's usage and settings now; updates tray, menu and notifications. */
  refresh(): Promise<void>;
  /** The tray's current level. */
  trayLevel(): TrayLevel;
  /** The menu's state as last built. */
  menuState(): TrayMenuState;
  /** Resolves when quitting has stopped the engine (never before a quit began). */
  whenStopped(): Promise<void>;
  /** Notifications shown and not yet clicked or closed (kept so that their click handlers live). */
  pendingNotifications(): number;
}

const DEFAULT_POLL_MS = 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const POPOVER_SIZE = { width: 360, height: 480 };

/** Starts the shell; call after `app.whenReady()`, with the engine started. */
export function startShell(options: ShellOptions): Shell {
  const { engine, location, platform } = options;
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;

  // ---- What is remembered between runs ----------------------------------------------------------
  let remembered: ShellState;
  try {
    remembered = loadShellState(engine.dataDir);
  } catch (err) {
    log.warn('could not read what the shell remembered; starting afresh', { error: err });
    remembered = { ...EMPTY_SHELL_STATE };
  }
  const remember = (patch: Partial<ShellState>): void => {
    remembered = { ...remembered, ...patch };
    try {
      saveShellState(engine.dataDir, remembered);
    } catch (err) {
      log.warn('could not write what the shell remembers', { error: err });
    }
  };

  // ---- Every page: our own URLs only, no pop-ups, no permissions (web-guard.ts) ------------------
  const dashboard: Dashboard = createDashboard({
    pageUrl: (route) => location.pageUrl(route),
    preloadPath: options.preloadPath,
    saved: () => remembered.dashboard,
    save: (bounds) => remember({ dashboard: bounds }),
    // A menubar app has no Dock icon, except while its dashboard is open (so that it can be switched to).
    onVisibility: (open) => {
      if (platform !== 'darwin' || app.dock === undefined) return;
      if (open) void app.dock.show();
      else app.dock.hide();
    },
  });
  let popover: Menubar | null = null;
  const openDashboard = (route?: string): void => {
    popover?.hideWindow();
    dashboard.open(route);
    // An accessory (LSUIElement) app's window does not come to the front by itself: take focus, once
    // the Dock icon is shown (until then the app is still an accessory, and macOS may leave it behind).
    if (platform !== 'darwin') return;
    const dock = app.dock;
    if (dock === undefined) app.focus({ steal: true });
    else
      void dock.show().then(
        () => app.focus({ steal: true }),
        () => app.focus({ steal: true }),
      );
  };
  // macOS: opening the app again from Finder, Spotlight or the Dock sends `activate` (never
  // `second-instance`): it brings the dashboard, as a second launch does elsewhere.
  if (platform === 'darwin') app.on('activate', () => openDashboard());
  guardWebContents(location, openDashboard);

  // ---- IPC: before any window loads --------------------------------------------------------------
  const login = startAtLoginControl(platform, options.autostartFile, options.launch);
  let menuState: TrayMenuState = { today: null, paused: false, startAtLogin: login.get(), offerPopover: platform === 'linux' };
  const setStartAtLogin = (enabled: boolean): StartAtLogin => {
    const next = login.set(enabled);
    menuState = { ...menuState, startAtLogin: next };
    updateMenu();
    return next;
  };
  const ipc = registerIpc({
    ipcMain,
    isOwnUrl: (url) => location.isOwn(url),
    api: engine.handlers,
    live: engine.live,
    shell: {
      pairingToken: () => engine.token,
      getStartAtLogin: () => Promise.resolve(login.get()),
      setStartAtLogin: (enabled) => Promise.resolve(setStartAtLogin(enabled)),
    },
  });

  // The shell's own calls go through the same handlers as the pages' and the HTTP API's.
  const call = <K extends ApiChannel>(channel: K, request: ApiRequest<K>): Promise<Result<ApiResponses[K]>> => engine.handlers.invoke(channel, request);

  // Notifications (notifier.ts); the plan's alerts and its over-quota colour for the tray (plan-alerts.ts).
  const notifier = createNotifier(openDashboard);
  const planAlerts = createPlanAlerts({ notifier, lastId: remembered.planAlertId, remember: (id) => remember({ planAlertId: id }), nowS: () => Math.floor(now() / 1000) });

  // ---- Tray and popover --------------------------------------------------------------------------
  const trayIcon = createTrayIcon(options.trayImagesDir, platform);
  const tray = trayIcon.tray;
  let lastRate: LiveRate | null = engine.live.latestRate();
  let sampler: Pick<SamplerHealthView, 'state' | 'reason'> | null = null;
  const updateTray = (): void => trayIcon.update({ rate: lastRate, nowS: Math.floor(now() / 1000), paused: menuState.paused, sampler, planOver: planAlerts.over() });

  popover = menubar({
    tray,
    index: location.pageUrl('#/popover'),
    tooltip: 'netmon',
    preloadWindow: true,
    showDockIcon: false,
    // Activating the app opens the dashboard (above), not the popover.
    activateWithApp: false,
    // No windowPosition: on Linux menubar sets its own at every show from the panel's side (a top panel:
    // top right; bottom: bottom right; Menubar.js showWindow), over whatever is given here; on Wayland the
    // compositor places windows and ignores setPosition, so the popover opens where it puts it (README).
    browserWindow: {
      ...POPOVER_SIZE,
      resizable: false,
      fullscreenable: false,
      skipTaskbar: true,
      webPreferences: securePreferences(options.preloadPath),
    },
  });

  // ---- The context menu --------------------------------------------------------------------------
  let stopping = false;
  // Bumped by every pause or resume: a status read before it must not undo it when it lands after.
  let pauseChanges = 0;
  const togglePause = async (): Promise<void> => {
    const result = menuState.paused ? await call('capture:resume', {}) : await call('capture:pause', {});
    if (!result.ok) log.warn('pause/resume failed', { error: result.error.message });
    else {
      pauseChanges += 1;
      menuState = { ...menuState, paused: result.value.paused };
    }
    updateMenu();
    updateTray();
  };
  const actions = {
    showPopover: () => void popover?.showWindow(),
    openDashboard: () => openDashboard(),
    togglePause: () => void togglePause(),
    viewLogs: () => {
      void desktop.openPath(path.join(engine.dataDir, 'logs')).then((error) => {
        if (error !== '') log.warn('could not open the logs folder', { error });
      });
    },
    toggleStartAtLogin: () => {
      try {
        setStartAtLogin(!menuState.startAtLogin.enabled);
      } catch (err) {
        log.warn('could not change start at login', { error: err });
        updateMenu();
      }
    },
    quit: () => quitting.quitFromMenu(),
  };
  let menu = Menu.buildFromTemplate(trayMenuTemplate(menuState, actions));
  function updateMenu(): void {
    if (stopping) return;
    menu = Menu.buildFromTemplate(trayMenuTemplate(menuState, actions));
    // macOS and Windows pop the menu up on a right click (a left click opens the popover); Linux
    // trays (AppIndicator) only show a menu that is set on them, and must be given it again on change.
    if (platform === 'linux') tray.setContextMenu(menu);
  }
  if (platform === 'linux') tray.setContextMenu(menu);
  else tray.on('right-click', () => tray.popUpContextMenu(menu));

  // ---- Polling: status, today's usage, settings; notifications -----------------------------------
  let memory: NotifyMemory = { ...FRESH_MEMORY, usageAlertDay: remembered.usageAlertDay };
  const refresh = async (): Promise<void> => {
    const changesBefore = pauseChanges;
    const [status, summary, config, plans] = await Promise.all([call('status:get', {}), call('usage:summary', {}), call('config:get', {}), call('plans:status', {})]);
    let today: PeriodTotals | null = null;
    let settings: ConfigValues | null = null;
    if (status.ok) {
      sampler = { state: status.value.sampler.state, reason: status.value.sampler.reason };
      if (pauseChanges === changesBefore) menuState = { ...menuState, paused: status.value.pause.paused };
    } else log.warn('status unreadable', { error: status.error.message });
    if (summary.ok) {
      today = summary.value.today;
      menuState = { ...menuState, today: { bytesIn: today.bytesIn, bytesOut: today.bytesOut } };
    } else log.warn("today's usage unreadable", { error: summary.error.message });
    if (config.ok) settings = config.value;
    menuState = { ...menuState, startAtLogin: login.get() };
    planAlerts.take(plans, settings?.enable_notifications ?? null);
    updateTray();
    updateMenu();
    if (settings === null) return;
    const decided = decideNotices(memory, {
      nowS: Math.floor(now() / 1000),
      enabled: settings.enable_notifications,
      thresholdGb: settings.high_usage_threshold_gb,
      today,
      sampler: status.ok ? sampler : null,
    });
    if (decided.memory.usageAlertDay !== memory.usageAlertDay) remember({ usageAlertDay: decided.memory.usageAlertDay });
    memory = decided.memory;
    for (const notice of decided.notices) notifier.notify(notice, notice.kind === 'high-usage' ? '#/overview?range=24h' : '#/overview');
  };
  const safeRefresh = async (): Promise<void> => {
    try {
      await refresh();
    } catch (err) {
      log.error('refreshing the tray failed', { error: err });
    }
  };
  let pollTimer: ReturnType<typeof setTimeout> | null = null;
  const poll = async (): Promise<void> => {
    await safeRefresh();
    if (!stopping) pollTimer = setTimeout(() => void poll(), pollMs);
  };

  const unsubscribeLive = engine.live.subscribe((event) => {
    if (event.event === 'rate') lastRate = event.data;
    else {
      sampler = { state: event.data.sampler.state, reason: event.data.sampler.reason };
      menuState = { ...menuState, paused: event.data.pause.paused };
    }
    updateTray();
  });

  // A system sleep: the sampler stops before it and a fresh one starts after it (sleep-wake.ts).
  const unfollowSleep = followSleep(engine);

  // What the engine had to say at start (a database moved aside, a config key refused) is said once.
  for (const notice of engine.notices) notifier.notify({ title: 'netmon', body: notice }, '#/settings');
  void poll();

  // ---- Quitting: flush and stop the engine before the app goes (quitting.ts) ----------------------
  const quitting = handleQuitting({
    engine,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    leave: () => {
      stopping = true;
      if (pollTimer !== null) clearTimeout(pollTimer);
      unsubscribeLive();
      unfollowSleep();
      dashboard.persist();
      ipc.dispose();
    },
    removeTray: () => {
      if (!tray.isDestroyed()) tray.destroy();
    },
  });

  return {
    openDashboard,
    showPopover: async () => {
      await popover?.showWindow();
    },
    refresh: safeRefresh,
    trayLevel: () => trayIcon.level(),
    menuState: () => menuState,
    whenStopped: () => quitting.whenStopped(),
    pendingNotifications: () => notifier.pending(),
  };
}
