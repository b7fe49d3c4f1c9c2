// The main side of the IPC contract: the only place that touches `ipcMain`. Every invoke channel is
// registered through one typed wrapper that drops messages from any frame that is not one of our
// own pages, validates the request, and answers with a `Result` (a throw becomes `internal`). The
// API's channels go to the same handlers that serve HTTP; the live feed is pushed to the pages that
// asked for it.
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { API_CHANNEL_NAMES, type ShellChannel } from '../../src-shared/contract/channels.js';
import type { InvokeChannel, InvokeChannels, InvokeResult, PushChannel, PushChannels, SendChannel, StartAtLogin } from '../../src-shared/contract/ipc.js';
import { SHELL_REQUESTS } from '../../src-shared/contract/schemas.js';
import { failure, type Failure } from '../../src-shared/contract/types.js';
import { describeIssues } from '../api/errors.js';
import type { ApiHandlers } from '../api/handlers.js';
import type { LiveSource } from '../api/live.js';
import { createLogger } from '../engine/log.js';

const log = createLogger('electron:ipc');

/** The part of `ipcMain` used here (Electron's own object satisfies it). */
export type MainIpc = Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;

/** What the shell's own channels do. */
export interface ShellServices {
  pairingToken(): string;
  getStartAtLogin(): Promise<StartAtLogin>;
  setStartAtLogin(enabled: boolean): Promise<StartAtLogin>;
}

export interface IpcOptions {
  ipcMain: MainIpc;
  /** True for a URL of our own renderer (app://netmon/…). */
  isOwnUrl(url: string): boolean;
  api: Pick<ApiHandlers, 'invoke'>;
  live: LiveSource;
  shell: ShellServices;
}

/** What registering gave: a way to undo it, for quitting. */
export interface IpcRegistration {
  /** Pages currently receiving the live feed. */
  liveSubscribers(): number;
  /** Removes every handler and listener and stops pushing. */
  dispose(): void;
}

type Sender = Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>;

/** True when the message comes from the top frame of one of our own pages. */
function fromOwnPage(event: Sender, isOwnUrl: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  // A frame that navigated away or was destroyed since sending cannot be vouched for.
  if (frame === null || frame === undefined) return false;
  return frame.parent === null && isOwnUrl(frame.url);
}

function refuse(message: string): Failure {
  return failure('forbidden-origin', message);
}

/** Registers every channel of the contract. */
export function registerIpc(options: IpcOptions): IpcRegistration {
  const ipcMain = options.ipcMain;
  const isOwnUrl = (url: string): boolean => options.isOwnUrl(url);
  const registered: InvokeChannel[] = [];

  // The typed wrapper: channel K's handler gets the raw request and must answer K's Result.
  const handle = <K extends InvokeChannel>(channel: K, run: (request: unknown) => Promise<InvokeResult<K>>): void => {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, request: unknown): Promise<InvokeResult<K>> => {
      if (!fromOwnPage(event, isOwnUrl)) {
        log.warn('IPC from a frame that is not ours dropped', { channel, url: event.senderFrame?.url ?? null });
        return refuse(`${channel} is only answered to netmon's own pages`);
      }
      try {
        return await run(request);
      } catch (err) {
        log.error(`${channel} failed`, { error: err });
        return { ok: false, error: { code: 'internal', message: `${channel} failed; see the log for details` } };
      }
    });
    registered.push(channel);
  };

  const shellHandler = <K extends ShellChannel>(channel: K, run: (request: InvokeChannels[K]['request']) => Promise<InvokeChannels[K]['response']>): void => {
    handle(channel, async (request) => {
      const parsed = SHELL_REQUESTS[channel].safeParse(request);
      if (!parsed.success) return { ok: false, error: { code: 'bad-request', message: describeIssues(parsed.error) } };
      const value: InvokeChannels[K]['response'] = await run(parsed.data);
      const answer: InvokeResult<K> = { ok: true, value };
      return answer;
    });
  };

  for (const channel of API_CHANNEL_NAMES) {
    // The handlers validate the request with the contract's schema and never throw.
    handle(channel, (request) => options.api.invoke(channel, request) as Promise<InvokeResult<typeof channel>>);
  }
  shellHandler('pairing:token', () => Promise.resolve(options.shell.pairingToken()));
  shellHandler('login-item:get', () => options.shell.getStartAtLogin());
  shellHandler('login-item:set', (request) => options.shell.setStartAtLogin(request.enabled));

  // The live feed: pushed only to pages that asked, dropped for pages that are gone.
  const subscribers = new Map<number, WebContents>();
  const push = <C extends PushChannel>(contents: WebContents, channel: C, payload: PushChannels[C]): void => {
    contents.send(channel, payload);
  };
  const onSend = (channel: SendChannel, act: (contents: WebContents) => void): ((event: IpcMainEvent) => void) => {
    const listener = (event: IpcMainEvent): void => {
      if (!fromOwnPage(event, isOwnUrl)) {
        log.warn('IPC from a frame that is not ours dropped', { channel, url: event.senderFrame?.url ?? null });
        return;
      }
      act(event.sender);
    };
    ipcMain.on(channel, listener);
    return listener;
  };
  const subscribeListener = onSend('live:subscribe', (contents) => {
    if (subscribers.has(contents.id)) return;
    subscribers.set(contents.id, contents);
    contents.once('destroyed', () => subscribers.delete(contents.id));
  });
  const unsubscribeListener = onSend('live:unsubscribe', (contents) => {
    subscribers.delete(contents.id);
  });
  const unsubscribeLive = options.live.subscribe((event) => {
    for (const [id, contents] of subscribers) {
      // A page that is gone, or a window that left our pages, gets nothing more.
      if (contents.isDestroyed() || !isOwnUrl(contents.getURL())) {
        subscribers.delete(id);
        continue;
      }
      push(contents, 'live:event', event);
    }
  });

  return {
    liveSubscribers: () => subscribers.size,
    dispose() {
      unsubscribeLive();
      subscribers.clear();
      ipcMain.removeListener('live:subscribe', subscribeListener);
      ipcMain.removeListener('live:unsubscribe', unsubscribeListener);
      for (const channel of registered.splice(0)) ipcMain.removeHandler(channel);
    },
  };
}
