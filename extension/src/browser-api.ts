// The WebExtension APIs this extension uses, typed by hand (only what it calls), and the one object
// that carries them: `browser` in Firefox and Zen, `chrome` in Chromium (both promise-based in MV3).

/** An extension event. */
export interface ExtEvent<F> {
  addListener(listener: F, ...options: unknown[]): void;
}

export interface Tab {
  id?: number;
  windowId: number;
  url?: string;
  active: boolean;
  incognito: boolean;
}

export interface BrowserWindow {
  id?: number;
  focused: boolean;
  incognito: boolean;
}

export interface RequestDetails {
  requestId: string;
  url: string;
  tabId: number;
  /** When the event happened, epoch ms. */
  timeStamp: number;
  ip?: string;
  fromCache?: boolean;
  requestSize?: number;
  responseSize?: number;
  responseHeaders?: { name: string; value?: string }[];
  /** Firefox only: the request came from a private window. */
  incognito?: boolean;
}

export interface MessageSender {
  id?: string;
  url?: string;
  tab?: Tab;
}

type Area = {
  get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
};

/** The subset of `browser` / `chrome` in use. */
export interface ExtensionApi {
  runtime: {
    id: string;
    getURL(path: string): string;
    openOptionsPage(): Promise<void>;
    sendMessage(message: unknown): Promise<unknown>;
    getBrowserInfo?: () => Promise<{ name: string; version: string }>;
    onMessage: ExtEvent<(message: unknown, sender: MessageSender, sendResponse: (response: unknown) => void) => boolean | undefined>;
    onStartup: ExtEvent<() => void>;
    onInstalled: ExtEvent<(details: { reason: string }) => void>;
  };
  tabs: {
    query(query: { active?: boolean; windowId?: number; lastFocusedWindow?: boolean }): Promise<Tab[]>;
    get(tabId: number): Promise<Tab>;
    create(properties: { url: string }): Promise<Tab>;
    onCreated: ExtEvent<(tab: Tab) => void>;
    onActivated: ExtEvent<(info: { tabId: number; windowId: number }) => void>;
    onUpdated: ExtEvent<(tabId: number, change: { url?: string; status?: string }, tab: Tab) => void>;
    onRemoved: ExtEvent<(tabId: number) => void>;
  };
  /** Missing in Firefox for Android (the manifest declares it, for the data-collection key). */
  windows?: {
    WINDOW_ID_NONE: number;
    getLastFocused(): Promise<BrowserWindow>;
    onFocusChanged: ExtEvent<(windowId: number) => void>;
  };
  webRequest: {
    onResponseStarted: ExtEvent<(details: RequestDetails) => void>;
    onCompleted: ExtEvent<(details: RequestDetails) => void>;
    onErrorOccurred: ExtEvent<(details: RequestDetails) => void>;
  };
  storage: {
    local: Area;
    session?: Area;
    onChanged: ExtEvent<(changes: Record<string, { newValue?: unknown }>, area: string) => void>;
  };
  action: {
    setBadgeText(details: { text: string }): Promise<void>;
    setBadgeBackgroundColor(details: { color: string }): Promise<void>;
    setTitle(details: { title: string }): Promise<void>;
    onClicked: ExtEvent<() => void>;
  };
  alarms: {
    create(name: string, info: { periodInMinutes: number }): unknown;
    onAlarm: ExtEvent<(alarm: { name: string }) => void>;
  };
  permissions: {
    contains(permissions: { origins: string[] }): Promise<boolean>;
    request(permissions: { origins: string[] }): Promise<boolean>;
    onAdded: ExtEvent<(permissions: { origins?: string[] }) => void>;
    onRemoved: ExtEvent<(permissions: { origins?: string[] }) => void>;
  };
  extension: {
    /** Whether the user let the extension run in private windows. */
    isAllowedIncognitoAccess(): Promise<boolean>;
  };
}

/** The extension API of this browser. */
export function extensionApi(): ExtensionApi {
  const g = globalThis as { browser?: ExtensionApi; chrome?: ExtensionApi };
  const api = g.browser ?? g.chrome;
  if (api === undefined) throw new Error('no WebExtension API here');
  return api;
}

/** Whether this is a Gecko browser (Firefox, Zen): it measures request sizes itself. */
export function isGecko(api: ExtensionApi): boolean {
  return typeof api.runtime.getBrowserInfo === 'function';
}

/** Messages between the options page, the pairing content script and the background. */
export type Message =
  | { type: 'status' }
  | { type: 'pair'; token: string; port: number; source: 'options' | 'link' }
  /** Test the connection; with `port` (the options page's field), test that port without changing the setting. */
  | { type: 'test'; port?: number }
  | { type: 'unpair' }
  /** The user takes the pairing link that was opened for another port (status `linkOffer`). */
  | { type: 'accept-link' }
  /** The options page got (or lost) site access through permissions.request. */
  | { type: 'site-access' };

/** The background's answer to `status`, `pair` and `test`. */
export interface StatusReply {
  state: 'connected' | 'not-running' | 'not-paired' | 'problem' | 'no-site-access' | 'unknown';
  detail: string;
  queued: number;
  dropped: number;
  sent: number;
  browser: string;
  port: number;
  paired: boolean;
  /** Whether the browser lets the extension see the sites (host access, which the user can withdraw). */
  siteAccess: boolean;
  /** Whether the user let the extension run in private windows; null: not known yet. */
  privateAllowed: boolean | null;
  /** Whether private windows are reported (the option; off by default). */
  reportPrivate: boolean;
  /** netmon's pairing link was opened for this port, not the one set: the options page offers it. */
  linkOffer: number | null;
  /** For `test` of another port than the one set: what that port answered (nothing is saved). */
  tested?: { port: number; outcome: string };
  /** For `pair`: whether the token was saved. */
  saved?: boolean;
}
