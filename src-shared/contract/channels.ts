// The only table of the contract's channels: each name (`area:verb`) with its kind. A query travels as
// GET and may be repeated, a command as POST with the pairing token. Channels flagged `shellOnly` are
// answered by the Electron shell over IPC and never over HTTP. Adding a channel is one row here, one
// request schema (schemas.ts) and one response type (types.ts); the compiler then asks for a handler.
// No dependency: the renderer, the preload and the extension import this without pulling zod.

/** How a channel travels over HTTP: GET for queries, POST for commands. */
export type ChannelKind = 'query' | 'command';

/** Every channel, in one place. */
export const CHANNELS = {
  'status:get': { kind: 'query' },
  'usage:live': { kind: 'query' },
  'usage:summary': { kind: 'query' },
  'usage:timeline': { kind: 'query' },
  'usage:heatmap': { kind: 'query' },
  'apps:list': { kind: 'query' },
  'apps:processes': { kind: 'query' },
  'apps:timeline': { kind: 'query' },
  'domains:list': { kind: 'query' },
  'config:get': { kind: 'query' },
  'config:set': { kind: 'command' },
  'capture:pause': { kind: 'command' },
  'capture:resume': { kind: 'command' },
  'data:purge': { kind: 'command' },
  'data:export': { kind: 'query' },
  'plans:status': { kind: 'query' },
  'plans:set': { kind: 'command' },
  'plans:calibrate': { kind: 'command' },
  'budgets:list': { kind: 'query' },
  'budgets:add': { kind: 'command' },
  'budgets:remove': { kind: 'command' },
  'changes:list': { kind: 'query' },
  'privacy:list': { kind: 'query' },
  'privacy:set': { kind: 'command' },
  'privacy:forget': { kind: 'command' },
  'networks:list': { kind: 'query' },
  'networks:timeline': { kind: 'query' },
  'networks:apps': { kind: 'query' },
  'networks:ledger': { kind: 'query' },
  'networks:rename': { kind: 'command' },
  'networks:metered': { kind: 'command' },
  // A write that changes nothing: answered only when the request carries a valid pairing token.
  'pairing:check': { kind: 'command' },
  // The shell's own: the token for pairing the browser extension, and start at login.
  'pairing:token': { kind: 'query', shellOnly: true },
  'login-item:get': { kind: 'query', shellOnly: true },
  'login-item:set': { kind: 'command', shellOnly: true },
} as const satisfies Record<string, { kind: ChannelKind; shellOnly?: true }>;

type Channels = typeof CHANNELS;

/** Every channel name, the shell's included. */
export type ChannelName = keyof Channels;
/** A channel only the Electron shell answers (over IPC). */
export type ShellChannel = { [K in ChannelName]: Channels[K] extends { shellOnly: true } ? K : never }[ChannelName];
/** A channel of the API: the same handlers answer it over HTTP and over IPC. */
export type ApiChannel = Exclude<ChannelName, ShellChannel>;

function isShellOnly(name: ChannelName): boolean {
  return 'shellOnly' in CHANNELS[name];
}

const ALL_NAMES = Object.keys(CHANNELS) as ChannelName[];

/** The API's channel names, for routing and for the preload's allow-list. */
export const API_CHANNEL_NAMES: readonly ApiChannel[] = ALL_NAMES.filter((name): name is ApiChannel => !isShellOnly(name));
/** The shell's own channel names. */
export const SHELL_CHANNEL_NAMES: readonly ShellChannel[] = ALL_NAMES.filter((name): name is ShellChannel => isShellOnly(name));

/** Each API channel's kind. */
export const CHANNEL_KINDS = Object.fromEntries(API_CHANNEL_NAMES.map((name) => [name, CHANNELS[name].kind])) as {
  readonly [K in ApiChannel]: Channels[K]['kind'];
};

/** True when `name` is a channel of the API (not the shell's, not an unknown one). */
export function isApiChannel(name: string): name is ApiChannel {
  return Object.hasOwn(CHANNELS, name) && !isShellOnly(name as ChannelName);
}
