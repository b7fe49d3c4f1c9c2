// A test transport for the Electron shell's IPC in a real browser: the page runs the real preload
// bundle (dist/src-main/electron/preload.cjs) with an `electron` module whose `ipcRenderer` is a
// loopback into this process, where the messages reach whatever was registered on `LoopbackIpcMain`
// (the shell's own `registerIpc`) with the sending frame attached as Electron attaches it, and
// pushes from main reach the page's `ipcRenderer` listeners. Payloads cross as Electron's do:
// structured-cloned (a function or a class instance fails the same way), then serialised by the
// browser protocol. No Electron here.
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import type { MainIpc } from '../../src-main/electron/ipc-main.js';
import { REPO_ROOT } from '../../bench/renderer.js';

export const PRELOAD_BUNDLE = path.join(REPO_ROOT, 'dist', 'src-main', 'electron', 'preload.cjs');

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

/** The sender of a message, as `IpcMainInvokeEvent.sender` gives it (the part `registerIpc` uses). */
class PageContents extends EventEmitter {
  constructor(
    readonly id: number,
    private readonly page: Page,
  ) {
    super();
    page.once('close', () => this.emit('destroyed'));
  }
  send(channel: string, payload: unknown): void {
    if (this.page.isClosed()) throw new Error('Object has been destroyed');
    const copy = structuredClone(payload);
    void this.page.evaluate(`window.__netmonLoopbackPush?.(${JSON.stringify(channel)}, ${JSON.stringify(copy)})`).catch(() => undefined);
  }
  getURL(): string {
    return this.page.isClosed() ? '' : this.page.url();
  }
  isDestroyed(): boolean {
    return this.page.isClosed();
  }
}

/** The frame that sent a message, as `event.senderFrame` gives it. */
function senderFrame(frame: Frame): { url: string; parent: unknown } {
  return { url: frame.url(), parent: frame.parentFrame() === null ? null : { url: frame.parentFrame()?.url() ?? '' } };
}

/** `ipcMain` for pages of Chromium contexts: what they invoke and send lands on what was registered here. */
export class LoopbackIpcMain extends EventEmitter {
  private readonly handlers = new Map<string, InvokeHandler>();
  private readonly contents = new Map<Page, PageContents>();
  private nextId = 1;
  /** This object as `registerIpc` takes it (Electron's events carry more than the shell reads). */
  get asMainIpc(): MainIpc {
    return this as unknown as MainIpc;
  }
  /** Every channel invoked, in order (what the pages asked of main). */
  readonly invoked: string[] = [];

  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  private contentsOf(page: Page): PageContents {
    let c = this.contents.get(page);
    if (c === undefined) {
      c = new PageContents(this.nextId++, page);
      this.contents.set(page, c);
    }
    return c;
  }

  /**
   * Gives every page of `context` the preload's `window.netmon` over this loopback (before any of
   * the page's own scripts run, in every frame, as a preload would be).
   */
  async attach(context: BrowserContext): Promise<void> {
    if (!existsSync(PRELOAD_BUNDLE)) throw new Error(`${PRELOAD_BUNDLE} is missing: run npm run build first`);
    await context.exposeBinding('__netmonLoopback', async (source, kind: unknown, channel: unknown, request: unknown) => {
      if (typeof channel !== 'string') throw new Error('a channel name must be a string');
      const event = { sender: this.contentsOf(source.page), senderFrame: senderFrame(source.frame), frameId: 1, processId: 1 };
      if (kind === 'send') {
        this.emit(channel, { ...event, reply: () => undefined });
        return null;
      }
      this.invoked.push(channel);
      const handler = this.handlers.get(channel);
      if (handler === undefined) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
      return structuredClone(await handler(event, structuredClone(request)));
    });
    await context.addInitScript({ content: pageSide(readFileSync(PRELOAD_BUNDLE, 'utf8')) });
  }
}

/** The page side: an `electron` module for the preload bundle, then the bundle itself. */
function pageSide(preload: string): string {
  return `(() => {
  const loopback = window.__netmonLoopback;
  if (typeof loopback !== 'function') return;
  const listeners = new Map();
  window.__netmonLoopbackPush = (channel, payload) => {
    for (const listener of [...(listeners.get(channel) ?? [])]) listener({ sender: null }, payload);
  };
  const ipcRenderer = {
    invoke: (channel, ...args) => loopback('invoke', channel, args[0]),
    send: (channel) => void loopback('send', channel, null),
    on(channel, listener) { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel).add(listener); return ipcRenderer; },
    removeListener(channel, listener) { listeners.get(channel)?.delete(listener); return ipcRenderer; },
  };
  const contextBridge = {
    exposeInMainWorld(name, api) {
      if (name in window) throw new Error('Cannot bind an API on top of an existing property on the window object: ' + name);
      Object.defineProperty(window, name, { value: Object.freeze(api), enumerable: true });
    },
  };
  const require = (name) => {
    if (name !== 'electron') throw new Error('a sandboxed preload may require only electron, not ' + name);
    return { contextBridge, ipcRenderer };
  };
  const module = { exports: {} };
  (function (require, module, exports) {
${preload}
  })(require, module, module.exports);
})();`;
}
