// The contract between the Electron shell and its pages: what a page may invoke (the API's channels,
// the same requests and answers as over HTTP, plus the shell's own from channels.ts), what it sends
// without an answer, what the shell pushes, and the one object the preload exposes (`window.netmon`).
// Types only, and the channel table: the sandboxed preload's bundle and the renderer import it.
import type { ApiChannel, ShellChannel } from './channels.js';
import type { ApiRequest, ShellRequest } from './schemas.js';
import type { ApiResponses, ChannelFunctions, LiveEvent, Result } from './types.js';

/** The name of the one object the preload exposes to pages. */
export const BRIDGE_NAME = 'netmon';

/** Whether the app starts at login (macOS login item, Linux XDG autostart entry). */
export interface StartAtLogin {
  /** False where the shell cannot do it (then `enabled` is false). */
  supported: boolean;
  enabled: boolean;
  /** macOS 13+: registered, but the user must still allow it in System Settings → Login Items. */
  requiresApproval: boolean;
}

/** What each of the shell's own channels answers. */
export interface ShellResponses {
  'pairing:token': string;
  'login-item:get': StartAtLogin;
  'login-item:set': StartAtLogin;
}

/** Every channel a page may invoke: its request, and the value of the `Result` it answers with. */
export type InvokeChannels = { [K in ApiChannel]: { request: ApiRequest<K>; response: ApiResponses[K] } } & {
  [K in ShellChannel]: { request: ShellRequest<K>; response: ShellResponses[K] };
};
export type InvokeChannel = keyof InvokeChannels;
/** What a page sends on a channel. */
export type InvokeRequest<K extends InvokeChannel> = InvokeChannels[K]['request'];
/** What a channel answers (never a throw). */
export type InvokeResult<K extends InvokeChannel> = Result<InvokeChannels[K]['response']>;

/** Messages a page sends without an answer. */
export interface SendChannels {
  /** Start pushing the live feed to this page. */
  'live:subscribe': null;
  /** Stop pushing it. */
  'live:unsubscribe': null;
}
export type SendChannel = keyof SendChannels;

/** Messages the shell pushes to a page. */
export interface PushChannels {
  'live:event': LiveEvent;
}
export type PushChannel = keyof PushChannels;

/** `window.netmon`: what a page of the shell can do (the renderer's bridge transport uses all of it). */
export interface NetmonBridge {
  /** One async function per API channel, errors as values. */
  api: ChannelFunctions;
  /** Calls `listener` for every live event; returns the unsubscribe function. */
  onLive(listener: (message: LiveEvent) => void): () => void;
  /** The pairing token (for pairing the browser extension), or null when it cannot be read. */
  pairingToken(): Promise<string | null>;
  /** Start at login: the settings page's checkbox, as the tray menu's. */
  startAtLogin: {
    get(): Promise<Result<StartAtLogin>>;
    set(enabled: boolean): Promise<Result<StartAtLogin>>;
  };
}
