// The background (a service worker in Chromium, an event page in Firefox and Zen): watches the
// active tab and the browser's requests, and reports hostnames and byte counts to netmon on this
// computer. Nothing of a URL but its hostname ever leaves here, and it goes to 127.0.0.1 only.
import { extensionApi, isGecko, type Message, type RequestDetails, type StatusReply, type Tab } from './browser-api.js';
import { ActiveTabReporter, type TabSnapshot } from './lib/active-tab.js';
import { ByteTally, bytesOfRequest, chunks } from './lib/bytes.js';
import { postToProvenServer } from './lib/handshake.js';
import { ACTIVE_TAB_PATH, BYTES_PATH, MAX_ENTRIES, type BytesEntry, type Outgoing } from './lib/contract.js';
import { hostOfRequestUrl, SITE_ORIGINS } from './lib/hostname.js';
import { Outbox, type LinkState } from './lib/outbox.js';
import { SessionWriter } from './lib/persist.js';
import { PrivateTabs } from './lib/private-tabs.js';
import type { Queued } from './lib/queue.js';
import { DEFAULT_SETTINGS, detectBrowser, isPort, parseSettings, type Settings } from './lib/settings.js';

const api = extensionApi();
const gecko = isGecko(api);
const QUEUE_KEY = 'netmonQueue';
const BYTES_EVERY_MS = 5000;
// With nothing fetched, an empty report now and then tells netmon the extension still runs.
const ALIVE_EVERY_MS = 30_000;

let settings: Settings = { ...DEFAULT_SETTINGS };
let detected = gecko ? 'firefox' : 'chromium';
let linkDetail = '';
let linkState: LinkState | null = null;
/** Whether the browser lets the extension see the sites: the user can withdraw host access at any time. */
let siteAccess = true;
let privateAllowed: boolean | null = null;
// A pairing link opened for another port than the one set: kept (in storage.session, with its token)
// until the user takes it on the options page; it is never used without that click.
const OFFER_KEY = 'netmonLinkOffer';
let linkOffer: { port: number; token: string } | null = null;
const privateTabs = new PrivateTabs({ getTab: (id) => api.tabs.get(id) });

const tally = new ByteTally();
let tallySinceMs = Date.now();
// What was counted and not yet reported is kept in storage.session too (a stopped worker would lose up to 5 s of it).
const TALLY_KEY = 'netmonTally';
function countBytes(...args: Parameters<ByteTally['add']>): void {
  tally.add(...args);
  if (queueRestored) stateWriter.touch();
}
let lastBytesSentMs = 0;

const browserName = (): string => settings.browser ?? detected;
const sessionArea = api.storage.session ?? api.storage.local;

// The queue is written to storage.session on every change (no timer: it would die with the worker),
// so that a report queued just before the worker stops is still sent once it runs again.
// Nothing is written before start() read what the last worker kept (that would overwrite it).
let queued: Queued<Outgoing>[] = [];
let queueRestored = false;
// One write for the queue and the tally together: a report taken from the tally into the queue is in one
// of them, never both, whenever the worker stops.
const stateWriter = new SessionWriter((value) => sessionArea.set(value as Record<string, unknown>), () => ({ [QUEUE_KEY]: queued, [TALLY_KEY]: { since: tallySinceMs, entries: tally.peek() } }));
function saveQueue(items: Queued<Outgoing>[]): void {
  queued = items;
  if (queueRestored) stateWriter.touch();
}

function showState(state: LinkState, detail: string): void {
  linkDetail = detail;
  linkState = state;
  renderBadge();
}

/** The badge: no site access first (nothing is counted then), else the link's state. */
function renderBadge(): void {
  const look: Record<LinkState | 'no-site-access' | 'unknown', { text: string; color: string; title: string }> = {
    connected: { text: '', color: '#2e7d32', title: 'netmon: connected' },
    'not-running': { text: 'off', color: '#757575', title: `netmon is not running (no answer on 127.0.0.1:${settings.port})` },
    'not-paired': { text: '!', color: '#ef6c00', title: 'netmon: not paired — open the options and paste the token from netmon’s settings' },
    problem: { text: 'err', color: '#c62828', title: `netmon: ${linkDetail} — reports are kept and retried` },
    'no-site-access': { text: '?', color: '#ef6c00', title: 'netmon: no site access — the browser does not let the extension see sites; open the options to allow it' },
    // Not blank: blank means connected.
    unknown: { text: '…', color: '#757575', title: 'netmon: not connected yet' },
  };
  const l = look[!siteAccess ? 'no-site-access' : (linkState ?? 'unknown')];
  void api.action.setBadgeText({ text: l.text }).catch(() => undefined);
  void api.action.setBadgeBackgroundColor({ color: l.color }).catch(() => undefined);
  void api.action.setTitle({ title: l.title }).catch(() => undefined);
}

const outbox = new Outbox({
  now: () => Date.now(),
  send: (item) => postToProvenServer(fetch, settings.port, settings.token, item),
  onState: showState,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  onChange: saveQueue,
});

async function snapshot(): Promise<TabSnapshot> {
  if (api.windows === undefined) {
    // No windows API (Firefox for Android): the active tab of the last focused window.
    const [tab] = await api.tabs.query({ active: true, lastFocusedWindow: true });
    return { focused: tab !== undefined, url: tab?.url ?? null, incognito: tab?.incognito ?? false };
  }
  const win = await api.windows.getLastFocused();
  if (!win.focused || win.id === undefined) return { focused: false, url: null, incognito: win.incognito };
  const [tab] = await api.tabs.query({ active: true, windowId: win.id });
  return { focused: true, url: tab?.url ?? null, incognito: tab?.incognito ?? win.incognito };
}

const tabs = new ActiveTabReporter({
  now: () => Date.now(),
  snapshot,
  report: (host, atMs) => outbox.push({ path: ACTIVE_TAB_PATH, body: { domain: host, timestamp: Math.floor(atMs / 1000), browser: browserName() } }),
  reportPrivate: () => settings.reportPrivate,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
});

function notePrivate(tab: Tab): void {
  privateTabs.note(tab);
}

/** The request's host and server address, or null when it is not counted (not a site, or private). */
async function counted(d: RequestDetails): Promise<{ host: string; ip: string | null } | null> {
  // IP literals and localhost (netmon itself among them) are no sites: hostOfRequestUrl says null.
  const host = hostOfRequestUrl(d.url);
  if (host === null) return null;
  if (!settings.reportPrivate && (await privateTabs.isPrivate(d))) return null;
  return { host, ip: typeof d.ip === 'string' && d.ip !== '' ? d.ip : null };
}

async function checkSiteAccess(): Promise<void> {
  const had = siteAccess;
  siteAccess = await api.permissions.contains({ origins: SITE_ORIGINS }).catch(() => true);
  if (had !== siteAccess) renderBadge();
}

function sendBytes(): void {
  const now = Date.now();
  const entries = tally.take();
  if (entries.length > 0 || now - lastBytesSentMs >= ALIVE_EVERY_MS) {
    const since = Math.floor(tallySinceMs / 1000);
    const until = Math.max(since, Math.floor(now / 1000));
    const batches = entries.length === 0 ? [[]] : chunks(entries, MAX_ENTRIES);
    for (const batch of batches) outbox.push({ path: BYTES_PATH, body: { browser: browserName(), since, until, entries: batch } });
    lastBytesSentMs = now;
  }
  tallySinceMs = now;
  if (queueRestored) stateWriter.touch();
}

function bytesLoop(): void {
  sendBytes();
  setTimeout(bytesLoop, BYTES_EVERY_MS);
}

function status(): StatusReply {
  const state = outbox.state();
  return {
    state: settings.token === '' ? 'not-paired' : !siteAccess ? 'no-site-access' : (state ?? 'unknown'),
    detail: linkDetail,
    queued: outbox.size,
    dropped: outbox.dropped,
    sent: outbox.sent,
    browser: browserName(),
    port: settings.port,
    paired: settings.token !== '',
    siteAccess,
    privateAllowed,
    reportPrivate: settings.reportPrivate,
    linkOffer: linkOffer?.port ?? null,
  };
}

function emptyBytesReport(): Outgoing {
  const now = Math.floor(Date.now() / 1000);
  return { path: BYTES_PATH, body: { browser: browserName(), since: now, until: now, entries: [] } };
}

/** Checks a token against netmon with an empty byte report; saves it when netmon takes it (or when the user pasted it). */
async function pair(token: string, port: number, source: 'options' | 'link'): Promise<StatusReply> {
  const outcome = await postToProvenServer(fetch, port, token, emptyBytesReport());
  // A link only pairs when netmon itself accepts its token: a page cannot pair the extension with a token of its own.
  const save = outcome.kind === 'ok' || (source === 'options' && outcome.kind === 'not-running');
  if (save) {
    settings = { ...settings, token, port };
    await api.storage.local.set({ settings });
    outbox.kick();
  }
  if (outcome.kind === 'ok') showState('connected', 'paired');
  const reply = status();
  return { ...reply, state: outcome.kind === 'ok' ? 'connected' : reply.state, saved: save, detail: outcome.kind === 'ok' ? 'paired' : 'detail' in outcome ? outcome.detail : outcome.kind };
}

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!isMessage(message)) return undefined;
  // Only our own pages and our own content script talk to the background; which of them, the sender says.
  if (sender.id !== api.runtime.id) return undefined;
  const fromOwnPage = sender.url !== undefined && sender.url.startsWith(api.runtime.getURL(''));
  if (message.type !== 'pair' || message.source === 'options') {
    if (!fromOwnPage) return undefined;
  }
  switch (message.type) {
    case 'status':
      sendResponse(status());
      return undefined;
    case 'test':
      if (isPort(message.port) && message.port !== settings.port) {
        // The port field differs from the saved port: try that port with this pairing, send nothing else, keep the setting.
        const port = message.port;
        void postToProvenServer(fetch, port, settings.token, emptyBytesReport()).then((outcome) =>
          sendResponse({ ...status(), tested: { port, outcome: outcome.kind === 'ok' ? 'connected' : 'detail' in outcome && outcome.detail !== '' ? outcome.detail : outcome.kind } }),
        );
        return true;
      }
      outbox.push(emptyBytesReport());
      setTimeout(() => sendResponse(status()), 1000);
      return true;
    case 'pair': {
      if (!/^[0-9a-f]{64}$/.test(message.token) || !isPort(message.port)) return undefined;
      if (message.source === 'link') {
        if (fromOwnPage) return undefined;
        // The content script runs on 127.0.0.1 and localhost pages only; the page must be netmon's own port.
        const origin = sender.url === undefined ? null : new URL(sender.url);
        const fromNetmon = origin !== null && origin.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(origin.hostname) && Number(origin.port || 80) === message.port;
        if (!fromNetmon) return undefined;
        if (message.port !== settings.port) {
          // Not silent: the options page says a link for this port was seen and offers to pair with it.
          linkOffer = { port: message.port, token: message.token };
          void sessionArea.set({ [OFFER_KEY]: linkOffer }).catch(() => undefined);
          return undefined;
        }
      }
      void pair(message.token, message.port, message.source).then(sendResponse, () => sendResponse(status()));
      return true;
    }
    case 'unpair':
      settings = { ...settings, token: '' };
      void api.storage.local.set({ settings }).then(() => {
        showState('not-paired', 'unpaired');
        sendResponse(status());
      });
      return true;
    case 'accept-link': {
      const offer = linkOffer;
      if (offer === null) return undefined;
      void pair(offer.token, offer.port, 'link').then((reply) => {
        if (reply.saved === true) {
          linkOffer = null;
          void sessionArea.set({ [OFFER_KEY]: null }).catch(() => undefined);
        }
        sendResponse({ ...reply, linkOffer: linkOffer?.port ?? null });
      }, () => sendResponse(status()));
      return true;
    }
    case 'site-access':
      void checkSiteAccess().then(() => sendResponse(status()));
      return true;
    default:
      return undefined;
  }
});

api.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local' || changes['settings'] === undefined) return;
  settings = parseSettings(changes['settings'].newValue);
  if (settings.token === '') showState('not-paired', 'no pairing token');
  outbox.kick();
  tabs.poke();
});

api.tabs.onCreated.addListener((tab) => notePrivate(tab));
api.tabs.onActivated.addListener(() => tabs.poke());
api.tabs.onUpdated.addListener((_id, change, tab) => {
  notePrivate(tab);
  if (tab.active && (change.url !== undefined || change.status === 'complete')) tabs.poke();
});
api.tabs.onRemoved.addListener((id) => privateTabs.forget(id));
api.windows?.onFocusChanged.addListener(() => tabs.poke());
api.action.onClicked.addListener(() => void api.runtime.openOptionsPage());
api.permissions.onAdded.addListener(() => void checkSiteAccess());
api.permissions.onRemoved.addListener(() => void checkSiteAccess());
// First run: the options page, with what the extension does and how to pair it.
api.runtime.onInstalled.addListener((details) => {
  if (details.reason === 'install') void api.tabs.create({ url: api.runtime.getURL('options.html#welcome') }).catch(() => undefined);
});

// When each response started, so that a transfer's bytes are known to have run from then to its end.
// Kept in storage.session too: a long download outlives a worker stopped while it ran.
const STARTED_KEY = 'netmonStarted';
const startedAt = new Map<string, number>();
const MAX_IN_FLIGHT = 10_000;
const startedWriter = new SessionWriter((value) => sessionArea.set({ [STARTED_KEY]: value }), () => Object.fromEntries(startedAt));
let markStartedRestored: () => void = () => undefined;
const startedRestored = new Promise<void>((resolve) => (markStartedRestored = resolve));

const filter = { urls: ['<all_urls>'] };
// A WebSocket handshake (ws:, wss:) counts like a page: its response carries the server's address.
api.webRequest.onResponseStarted.addListener((d: RequestDetails) => {
  if (startedAt.size >= MAX_IN_FLIGHT) startedAt.clear();
  startedAt.set(d.requestId, d.timeStamp);
  startedWriter.touch();
  void counted(d).then((c) => {
    // The address as soon as the response starts: a long download's connection is known before it ends.
    if (c !== null && c.ip !== null) countBytes(c.host, c.ip, 0, 0, !gecko, d.timeStamp);
  });
}, filter);
api.webRequest.onCompleted.addListener((d: RequestDetails) => {
  void startedRestored.then(async () => {
    const start = startedAt.get(d.requestId) ?? d.timeStamp;
    if (startedAt.delete(d.requestId)) startedWriter.touch();
    const c = await counted(d);
    const bytes = c === null ? null : bytesOfRequest(d);
    if (c !== null && bytes !== null) countBytes(c.host, c.ip, bytes.bytesIn, bytes.bytesOut, bytes.estimate, start, d.timeStamp);
  });
}, filter, ['responseHeaders']);
api.webRequest.onErrorOccurred.addListener((d: RequestDetails) => {
  void startedRestored.then(() => {
    if (startedAt.delete(d.requestId)) startedWriter.touch();
  });
}, filter);

// A service worker that was stopped comes back on this alarm and picks up where it left off.
// Firefox allows alarms under 30 s: its event page then keeps the 5-s reports going on a quiet page.
api.alarms.create('netmon-wake', { periodInMinutes: gecko ? 1 / 6 : 0.5 });
api.alarms.onAlarm.addListener(() => {
  outbox.kick();
  tabs.poke();
});

async function start(): Promise<void> {
  const stored = await api.storage.local.get('settings').catch((): Record<string, unknown> => ({}));
  settings = parseSettings(stored['settings']);
  if (gecko) {
    const info = await api.runtime.getBrowserInfo?.();
    detected = detectBrowser({ name: info?.name });
  } else {
    const brands = (navigator as { userAgentData?: { brands?: { brand: string }[] } }).userAgentData?.brands?.map((b) => b.brand);
    detected = detectBrowser({ brands });
  }
  if (settings.token === '') showState('not-paired', 'no pairing token');
  try {
    const saved = await sessionArea.get([QUEUE_KEY, STARTED_KEY, OFFER_KEY, TALLY_KEY]);
    const kept = saved[TALLY_KEY] as { since?: unknown; entries?: unknown } | undefined;
    if (typeof kept?.since === 'number' && Array.isArray(kept.entries)) {
      tally.restore(kept.entries as BytesEntry[]);
      tallySinceMs = Math.min(tallySinceMs, kept.since);
    }
    const offer = saved[OFFER_KEY] as { port?: unknown; token?: unknown } | null | undefined;
    if (linkOffer === null && isPort(offer?.port) && typeof offer.token === 'string' && /^[0-9a-f]{64}$/.test(offer.token)) linkOffer = { port: offer.port, token: offer.token };
    const items = saved[QUEUE_KEY];
    queueRestored = true;
    outbox.restore(Array.isArray(items) ? (items as Queued<Outgoing>[]) : []);
    // Start times a stopped worker kept; a request seen since then keeps its own.
    const started = saved[STARTED_KEY];
    if (typeof started === 'object' && started !== null) {
      for (const [id, at] of Object.entries(started)) if (typeof at === 'number' && !startedAt.has(id)) startedAt.set(id, at);
    }
  } finally {
    queueRestored = true;
    stateWriter.touch();
    markStartedRestored();
  }
  try {
    for (const t of await api.tabs.query({})) notePrivate(t);
    privateAllowed = await api.extension.isAllowedIncognitoAccess();
  } finally {
    // Requests wait for this: none is judged private or not before every open tab is known.
    privateTabs.started(privateAllowed);
  }
  await checkSiteAccess();
  renderBadge();
  tabs.poke();
  bytesLoop();
}

void start();
