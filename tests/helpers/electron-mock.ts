// The one stand-in for Electron (and for `menubar`, which is Electron underneath) in the tests: the
// binary cannot run here. Test files wire it with
//   vi.mock('electron', () => import('./electron-mock.js'));
//   vi.mock('menubar', () => import('./electron-mock.js'));
// It models only what the shell uses, with Electron's observable behaviour where it matters: quit
// asks `before-quit` (which may prevent it), windows announce their web contents, IPC payloads are
// structured-cloned, `invoke` answers come from `ipcMain.handle` with the sending frame attached, the
// preload's `ipcRenderer` reaches the same `ipcMain` as one page, and `contextBridge` exposes objects
// by name once. `fake` lets a test look inside and drive it.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';

type Listener = (...args: unknown[]) => void;

/** An Electron event that can be prevented. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** What happened, in order (for "before ready" checks). */
const journal: string[] = [];

// ---- app -------------------------------------------------------------------------------------

class FakeApp extends EventEmitter {
  isPackaged = false;
  appPath = process.cwd();
  lockAvailable = true;
  quitRequests = 0;
  /** True once a quit went through (no `before-quit` listener prevented it). */
  quitted = false;
  exitCode: number | null = null;
  loginItem: { openAtLogin: boolean; status: 'not-registered' | 'enabled' | 'requires-approval' | 'not-found' } = { openAtLogin: false, status: 'not-registered' };
  readonly dock = {
    visible: true,
    // Like Electron's: resolves once the icon is shown (the app is a regular app from then on).
    show: (): Promise<void> =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          this.dock.visible = true;
          journal.push('dock shown');
          resolve();
        }),
      ),
    hide: (): void => {
      this.dock.visible = false;
    },
  };
  requestSingleInstanceLock(): boolean {
    journal.push('requestSingleInstanceLock');
    return this.lockAvailable;
  }
  whenReady(): Promise<void> {
    journal.push('whenReady');
    return Promise.resolve();
  }
  isReady(): boolean {
    return true;
  }
  getAppPath(): string {
    return this.appPath;
  }
  quit(): void {
    this.quitRequests += 1;
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    this.quitted = true;
    for (const win of [...windows]) win.close();
    this.emit('will-quit', new FakeEvent());
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
  /** Times the app took focus from other apps (`focus({ steal: true })`). */
  focusSteals = 0;
  focus(options?: { steal?: boolean }): void {
    if (options?.steal !== true) return;
    this.focusSteals += 1;
    journal.push('focus stolen');
  }
  /** macOS: whether this copy runs from /Applications, and what a move does (true, false: cancelled, or an error thrown). */
  inApplications = true;
  moveResult: boolean | Error = true;
  moves = 0;
  isInApplicationsFolder(): boolean {
    return this.inApplications;
  }
  moveToApplicationsFolder(): boolean {
    this.moves += 1;
    if (this.moveResult instanceof Error) throw this.moveResult;
    return this.moveResult;
  }
  getLoginItemSettings(): { openAtLogin: boolean; status: string; wasOpenedAtLogin: boolean } {
    return { ...this.loginItem, wasOpenedAtLogin: false };
  }
  setLoginItemSettings(settings: { openAtLogin?: boolean }): void {
    const on = settings.openAtLogin === true;
    this.loginItem = { openAtLogin: on, status: on ? 'enabled' : 'not-registered' };
  }
}

export const app = new FakeApp();

// ---- windows and web contents ------------------------------------------------------------------

let nextContentsId = 1;

/** A frame as `event.senderFrame` gives it. */
export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  url = '';
  destroyed = false;
  /** Messages main pushed to this page: [channel, payload]. */
  readonly sent: Array<[string, unknown]> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  /** The page's own ipcRenderer listeners (the preload's), fed by `send`. */
  readonly pageListeners = new EventEmitter();
  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const copy = structuredClone(payload);
    this.sent.push([channel, copy]);
    this.pageListeners.emit(channel, { sender: null }, copy);
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  loadURL(url: string): Promise<void> {
    this.url = url;
    return Promise.resolve();
  }
  /** The frame this page's messages come from. */
  mainFrame(): FakeFrame {
    return { url: this.url, parent: null };
  }
  /** Simulates a navigation attempt; returns whether the shell let it happen. */
  tryNavigate(url: string, eventName: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    const event = Object.assign(new FakeEvent(), { url });
    this.emit(eventName, event, url);
    if (!event.defaultPrevented) this.url = url;
    return !event.defaultPrevented;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const windows = new Set<FakeBrowserWindow>();

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  readonly options: Record<string, unknown>;
  bounds: Rect;
  maximized = false;
  minimized = false;
  visible = false;
  focused = false;
  destroyed = false;
  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    const n = (key: string, fallback: number): number => (typeof options[key] === 'number' ? options[key] : fallback);
    this.bounds = { x: n('x', 0), y: n('y', 0), width: n('width', 800), height: n('height', 600) };
    windows.add(this);
    fake.windows.push(this);
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  getBounds(): Rect {
    return { ...this.bounds };
  }
  getNormalBounds(): Rect {
    return { ...this.bounds };
  }
  setBounds(bounds: Partial<Rect>): void {
    this.bounds = { ...this.bounds, ...bounds };
    this.emit('resize');
    this.emit('move');
  }
  setPosition(x: number, y: number): void {
    this.bounds = { ...this.bounds, x, y };
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  minimize(): void {
    this.minimized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  isVisible(): boolean {
    return this.visible;
  }
  focus(): void {
    this.focused = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isAlwaysOnTop(): boolean {
    return false;
  }
  setVisibleOnAllWorkspaces(): void {}
  close(): void {
    if (this.destroyed) return;
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    windows.delete(this);
    this.webContents.destroy();
    this.emit('closed');
  }
}

export const BrowserWindow = FakeBrowserWindow;

// ---- IPC ---------------------------------------------------------------------------------------

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, InvokeHandler>();
  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

export const ipcMain = new FakeIpcMain();

/** A page sending: what `ipcRenderer.invoke` does, from `contents` (or from any frame a test makes up). */
export async function invokeFrom(
  sender: FakeWebContents,
  channel: string,
  request: unknown,
  frame: FakeFrame | null = sender.mainFrame(),
): Promise<unknown> {
  const handler = ipcMain.handlers.get(channel);
  if (handler === undefined) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
  const answer = await handler({ sender, senderFrame: frame, frameId: 1, processId: 1 }, structuredClone(request));
  return structuredClone(answer);
}

/** What `ipcRenderer.send` does, from `contents`. */
export function sendFrom(sender: FakeWebContents, channel: string, frame: FakeFrame | null = sender.mainFrame()): void {
  ipcMain.emit(channel, { sender, senderFrame: frame, frameId: 1, processId: 1, reply: () => undefined });
}

/** The page the preload's `ipcRenderer` belongs to (set by a test before it loads the preload). */
let rendererPage: FakeWebContents | null = null;

export const ipcRenderer = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    if (rendererPage === null) return Promise.reject(new Error('no page for ipcRenderer'));
    return invokeFrom(rendererPage, channel, args[0]);
  },
  send(channel: string): void {
    if (rendererPage !== null) sendFrom(rendererPage, channel);
  },
  on(channel: string, listener: Listener): unknown {
    rendererPage?.pageListeners.on(channel, listener);
    return ipcRenderer;
  },
  removeListener(channel: string, listener: Listener): unknown {
    rendererPage?.pageListeners.removeListener(channel, listener);
    return ipcRenderer;
  },
};

export const contextBridge = {
  exposeInMainWorld(name: string, api: unknown): void {
    if (fake.exposed.some((e) => e.name === name)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${name}`);
    fake.exposed.push({ name, api });
  },
};

// ---- tray, menus, images, notifications ------------------------------------------------------------

export interface FakeMenuItem {
  id?: string;
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}
  /** The item with `id`. */
  item(id: string): FakeMenuItem {
    const found = this.items.find((i) => i.id === id);
    if (found === undefined) throw new Error(`no menu item ${id}`);
    return found;
  }
}

export const Menu = {
  buildFromTemplate(template: FakeMenuItem[]): FakeMenu {
    return new FakeMenu(template.map((i) => ({ ...i })));
  },
};

export class FakeNativeImage {
  template = false;
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return !existsSync(this.path);
  }
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
}

export const nativeImage = {
  createFromPath: (file: string): FakeNativeImage => new FakeNativeImage(file),
};

export class FakeTray extends EventEmitter {
  image: FakeNativeImage;
  tooltip = '';
  contextMenu: FakeMenu | null = null;
  readonly poppedUp: FakeMenu[] = [];
  readonly images: FakeNativeImage[] = [];
  destroyed = false;
  constructor(image: FakeNativeImage) {
    super();
    this.image = image;
    this.images.push(image);
    fake.trays.push(this);
  }
  setImage(image: FakeNativeImage): void {
    this.image = image;
    this.images.push(image);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.contextMenu = menu;
  }
  popUpContextMenu(menu?: FakeMenu): void {
    if (menu !== undefined) this.poppedUp.push(menu);
  }
  getBounds(): Rect {
    return { x: 0, y: 0, width: 0, height: 0 };
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export const Tray = FakeTray;

export class FakeNotification extends EventEmitter {
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
    fake.notifications.push(this);
  }
  show(): void {
    this.shown = true;
  }
}

export const Notification = FakeNotification;

/** powerMonitor: a test emits 'shutdown', 'suspend', 'resume' on it. */
export const powerMonitor = new EventEmitter();

// ---- session, shell, screen, dialog, protocol --------------------------------------------------------

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string }) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, requestingOrigin: string) => boolean;

export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler: PermissionRequestHandler): void {
      fake.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheckHandler): void {
      fake.permissionCheckHandler = handler;
    },
  },
};

export const shell = {
  openPath(target: string): Promise<string> {
    fake.openedPaths.push(target);
    return Promise.resolve('');
  },
  openExternal(url: string): Promise<void> {
    fake.openedExternal.push(url);
    return Promise.resolve();
  },
};

export const screen = {
  getAllDisplays: (): Array<{ workArea: Rect }> => fake.displays.map((workArea) => ({ workArea })),
  getPrimaryDisplay: (): { workArea: Rect } => ({ workArea: fake.displays[0] ?? { x: 0, y: 0, width: 1440, height: 875 } }),
};

export const dialog = {
  showErrorBox(title: string, content: string): void {
    fake.errorBoxes.push({ title, content });
  },
  /** Answers with `fake.messageBoxAnswer` (the index of the button the user picks). */
  showMessageBoxSync(options: FakeMessageBox): number {
    fake.messageBoxes.push({ ...options, focusStealsBefore: app.focusSteals });
    return fake.messageBoxAnswer;
  },
};

/** A message box as shown, with how often the app had taken focus before it. */
export interface FakeMessageBox {
  message: string;
  detail?: string;
  buttons?: string[];
  defaultId?: number;
  cancelId?: number;
  focusStealsBefore?: number;
}

export const protocol = {
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>): void {
    journal.push('registerSchemesAsPrivileged');
    fake.privilegedSchemes.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response> | Response): void {
    fake.protocolHandlers.set(scheme, handler);
  },
};

// ---- menubar ----------------------------------------------------------------------------------------

export class FakeMenubar extends EventEmitter {
  window: FakeBrowserWindow | undefined;
  visible = false;
  readonly tray: FakeTray;
  constructor(readonly options: { tray: FakeTray; index: string; preloadWindow?: boolean; activateWithApp?: boolean; browserWindow: Record<string, unknown> }) {
    super();
    this.tray = options.tray;
    this.tray.on('click', () => void this.showWindow());
    // Like menubar (Menubar.js:262, default on): activating the app shows the popover.
    if (options.activateWithApp !== false) app.on('activate', () => void this.showWindow());
    // Like menubar: the window is made (and loaded) on the next tick when the app is ready.
    process.nextTick(() => {
      void (async () => {
        if (options.preloadWindow === true) await this.createWindow();
        this.emit('ready');
      })();
    });
    fake.menubars.push(this);
  }
  private async createWindow(): Promise<void> {
    this.window = new FakeBrowserWindow({ show: false, frame: false, ...this.options.browserWindow });
    this.window.on('close', () => (this.window = undefined));
    await this.window.loadURL(this.options.index);
  }
  async showWindow(): Promise<void> {
    if (this.window === undefined) await this.createWindow();
    this.window?.show();
    this.visible = true;
  }
  hideWindow(): void {
    this.window?.hide();
    this.visible = false;
  }
}

export function menubar(options: ConstructorParameters<typeof FakeMenubar>[0]): FakeMenubar {
  return new FakeMenubar(options);
}

// ---- what the tests look at ------------------------------------------------------------------------

export const fake = {
  journal,
  windows: [] as FakeBrowserWindow[],
  trays: [] as FakeTray[],
  menubars: [] as FakeMenubar[],
  notifications: [] as FakeNotification[],
  exposed: [] as Array<{ name: string; api: unknown }>,
  openedPaths: [] as string[],
  openedExternal: [] as string[],
  errorBoxes: [] as Array<{ title: string; content: string }>,
  messageBoxes: [] as FakeMessageBox[],
  /** The button a message box's user picks. */
  messageBoxAnswer: 0,
  privilegedSchemes: [] as Array<{ scheme: string; privileges: Record<string, boolean> }>,
  protocolHandlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
  permissionRequestHandler: null as PermissionRequestHandler | null,
  permissionCheckHandler: null as PermissionCheckHandler | null,
  /** Work areas of the displays; the first is the primary. */
  displays: [{ x: 0, y: 0, width: 1440, height: 875 }] as Rect[],
  /** Makes `page` the one the preload's ipcRenderer speaks for. */
  setRendererPage(page: FakeWebContents | null): void {
    rendererPage = page;
  },
  /** Windows still open. */
  openWindows(): FakeBrowserWindow[] {
    return [...windows];
  },
  /** Forgets everything: a fresh Electron for the next test. */
  reset(): void {
    journal.length = 0;
    app.removeAllListeners();
    powerMonitor.removeAllListeners();
    Object.assign(app, { isPackaged: false, appPath: process.cwd(), lockAvailable: true, quitRequests: 0, quitted: false, exitCode: null, focusSteals: 0, inApplications: true, moveResult: true, moves: 0 });
    fake.messageBoxAnswer = 0;
    app.loginItem = { openAtLogin: false, status: 'not-registered' };
    app.dock.visible = true;
    ipcMain.removeAllListeners();
    ipcMain.handlers.clear();
    windows.clear();
    rendererPage = null;
    FakeNotification.supported = true;
    for (const list of [fake.windows, fake.trays, fake.menubars, fake.notifications, fake.exposed, fake.openedPaths, fake.openedExternal, fake.errorBoxes, fake.messageBoxes, fake.privilegedSchemes]) {
      list.length = 0;
    }
    fake.protocolHandlers.clear();
    fake.permissionRequestHandler = null;
    fake.permissionCheckHandler = null;
    fake.displays = [{ x: 0, y: 0, width: 1440, height: 875 }];
  },
};
