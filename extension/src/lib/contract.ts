// What the extension sends netmon, tied to the engine's contract (src-shared/api.ts) by types only:
// the extension bundles none of the engine's code (zod included), yet a change of path, header or
// field on the engine's side fails this file's type check.
import type {
  BROWSER_ACTIVE_TAB_PATH as ActiveTabPath,
  BROWSER_BYTES_PATH as BytesPath,
  BrowserActiveTab,
  BrowserBytes,
  MAX_BROWSER_BYTES_ENTRIES as MaxEntries,
  PAIRING_FRAGMENT_KEY as FragmentKey,
  PAIRING_TOKEN_HEADER as TokenHeader,
} from '../../../src-shared/api.js';

export const ACTIVE_TAB_PATH: typeof ActiveTabPath = '/api/browser/active-tab';
export const BYTES_PATH: typeof BytesPath = '/api/browser/bytes';
export const TOKEN_HEADER: typeof TokenHeader = 'x-netmon-token';
export const FRAGMENT_KEY: typeof FragmentKey = 'pair';
export const MAX_ENTRIES: typeof MaxEntries = 64;

/** netmon's default port (`netmon serve --port`, config `web_server_port`). */
export const DEFAULT_PORT = 7500;

export type ActiveTabBody = BrowserActiveTab;
export type BytesBody = BrowserBytes;
export type BytesEntry = BrowserBytes['entries'][number];

/** One request for netmon: where it goes and its JSON body. */
export type Outgoing = { path: typeof ACTIVE_TAB_PATH; body: ActiveTabBody } | { path: typeof BYTES_PATH; body: BytesBody };
