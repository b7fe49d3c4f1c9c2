// What the extension sends netmon: the paths, header, fragment key, entry limit and default port are
// the engine's own (src-shared/contract/http.ts, imported, so they cannot drift), and the bodies are
// the contract's request types. Nothing here pulls zod into the extension's bundle: http.ts has no
// dependency but the channel table, and the schemas come in as types only.
import type { BrowserActiveTab, BrowserBytes } from '../../../src-shared/contract/schemas.js';
import type { BROWSER_ACTIVE_TAB_PATH, BROWSER_BYTES_PATH } from '../../../src-shared/contract/http.js';

export {
  BROWSER_ACTIVE_TAB_PATH as ACTIVE_TAB_PATH,
  BROWSER_BYTES_PATH as BYTES_PATH,
  DEFAULT_PORT,
  MAX_BROWSER_BYTES_ENTRIES as MAX_ENTRIES,
  PAIRING_FRAGMENT_KEY as FRAGMENT_KEY,
  PAIRING_TOKEN_HEADER as TOKEN_HEADER,
} from '../../../src-shared/contract/http.js';

export type ActiveTabBody = BrowserActiveTab;
export type BytesBody = BrowserBytes;
export type BytesEntry = BrowserBytes['entries'][number];

/** One request for netmon: where it goes and its JSON body. */
export type Outgoing = { path: typeof BROWSER_ACTIVE_TAB_PATH; body: ActiveTabBody } | { path: typeof BROWSER_BYTES_PATH; body: BytesBody };
