// The IPC contract between the shell and its pages: every channel's name and signature in one map,
// and the one object the preload exposes (`window.netmon`). The API's channels are the contract of
// src-shared/api.ts unchanged (same names, same requests, the same handlers answer them); the shell
// adds a few of its own. Imported by the sandboxed preload's bundle, so: types from elsewhere only,
// no Electron, no zod (the channel lists below are plain records, checked against the contract).
import type { ApiChannel, ApiClient, ApiRequest, ApiResponses } from '../../src-shared/api.js';
import type { Result } from '../../src-shared/result.js';
import type { LiveEvent } from '../api/live.js';

/** Whether the app starts at login (macOS login item, Linux XDG autostart entry). */
export interface StartAtLogin {
  /** False where the shell cannot do it (then `enabled` is false). */
  supported: boolean;
  enabled: boolean;
  /** macOS 13+: registered, but the user must still allow it in System Settings → Login Items. */
  requiresApproval: boolean;
}

/** A request that carries nothing. */
export type NoRequest = Record<string, never>;

/** The shell's own request/response channels, beside the API's. */
export interface ShellChannels {
  'pairing:token': { request: NoRequest; response: string };
  'login-item:get': { request: NoRequest; response: StartAtLogin };
  'login-item:set': { request: { enabled: boolean }; response: StartAtLogin };
}

/** Every channel a page may invoke: its request, and the value of the `Result` it answers with. */
export type InvokeChannels = { [K in ApiChannel]: { request: ApiRequest<K>; response: ApiResponses[K] } } & ShellChannels;
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

/** The API's channels, as a value the preload can use without loading the contract's schemas. */
export const API_INVOKE_CHANNELS: { readonly [K in ApiChannel]: true } = {
  'status:get': true,
  'usage:live': true,
  'usage:summary': true,
  'usage:timeline': true,
  'usage:heatmap': true,
  'apps:list': true,
  'apps:processes': true,
  'apps:timeline': true,
  'domains:list': true,
  'config:get': true,
  'config:set': true,
  'capture:pause': true,
  'capture:resume': true,
  'data:purge': true,
  'data:export': true,
  'plans:status': true,
  'plans:set': true,
  'plans:calibrate': true,
  'budgets:list': true,
  'budgets:add': true,
  'budgets:remove': true,
  'changes:list': true,
};

/** The shell's own invoke channels, as a value. */
export const SHELL_INVOKE_CHANNELS: { readonly [K in keyof ShellChannels]: true } = {
  'pairing:token': true,
  'login-item:get': true,
  'login-item:set': true,
};

/** Every channel the preload may invoke and the shell answers: nothing else is ever handled. */
export const INVOKE_CHANNEL_NAMES: readonly InvokeChannel[] = [
  ...(Object.keys(API_INVOKE_CHANNELS) as ApiChannel[]),
  ...(Object.keys(SHELL_INVOKE_CHANNELS) as Array<keyof ShellChannels>),
];

/** The name of the one object the preload exposes to pages. */
export const BRIDGE_NAME = 'netmon';

/**
 * `window.netmon`: what a page of the shell can do. The renderer's transport (src-renderer/api/
 * bridge-client.ts, `NetmonBridge`) expects `api`, `onLive` and `pairingToken`; a type test keeps the
 * two equal. `startAtLogin` is for the settings page.
 */
export interface NetmonBridge {
  /** One async function per API channel, errors as values. */
  api: ApiClient;
  /** Calls `listener` for every live event; returns the unsubscribe function. */
  onLive(listener: (message: LiveEvent) => void): () => void;
  /** The pairing token (for pairing the browser extension), or null when it cannot be read. */
  pairingToken(): Promise<string | null>;
  /** Start at login, as the tray menu's checkbox shows it. */
  startAtLogin: {
    get(): Promise<Result<StartAtLogin>>;
    set(enabled: boolean): Promise<Result<StartAtLogin>>;
  };
}
