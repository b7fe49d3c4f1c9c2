// When to report the active tab: on a tab switch, a navigation or a change of window focus (after a
// short debounce, so that a burst of events is one report), and every 5 s while the same tab stays
// active in the focused window. Nothing while no browser window has focus. Only the hostname of the
// tab's URL is reported.
import { hostOfUrl } from './hostname.js';

/** What the browser says of its focused window's active tab. */
export interface TabSnapshot {
  /** False when no window of this browser has focus. */
  focused: boolean;
  url: string | null;
  incognito: boolean;
}

/** What the reporter needs from the browser (injected, so that tests drive time). */
export interface ActiveTabDeps {
  now(): number;
  snapshot(): Promise<TabSnapshot>;
  report(host: string, atMs: number): void;
  reportPrivate(): boolean;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface ActiveTabOptions {
  /** Quiet time after the last event before the tab is read (default 250 ms). */
  debounceMs?: number;
  /** Report again after this long on the same tab (default 5 s). */
  heartbeatMs?: number;
}

/** Decides when the active tab is reported. */
export class ActiveTabReporter {
  private readonly debounceMs: number;
  private readonly heartbeatMs: number;
  private debounce: unknown = null;
  private heartbeat: unknown = null;
  private lastHost: string | null = null;
  private lastSentMs = -Infinity;

  constructor(
    private readonly deps: ActiveTabDeps,
    options: ActiveTabOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 250;
    this.heartbeatMs = options.heartbeatMs ?? 5000;
  }

  /** A tab or window event happened: read the active tab once things settle. */
  poke(): void {
    if (this.debounce !== null) this.deps.clearTimer(this.debounce);
    this.debounce = this.deps.setTimer(() => {
      this.debounce = null;
      void this.check();
    }, this.debounceMs);
  }

  /** Stops the timers (the extension is being unloaded). */
  stop(): void {
    for (const t of [this.debounce, this.heartbeat]) if (t !== null) this.deps.clearTimer(t);
    this.debounce = null;
    this.heartbeat = null;
  }

  /** Reads the active tab now and reports it when it changed or the heartbeat is due. */
  async check(): Promise<void> {
    let snap: TabSnapshot;
    try {
      snap = await this.deps.snapshot();
    } catch {
      snap = { focused: false, url: null, incognito: false };
    }
    const host = snap.focused && (!snap.incognito || this.deps.reportPrivate()) ? hostOfUrl(snap.url) : null;
    if (this.heartbeat !== null) this.deps.clearTimer(this.heartbeat);
    this.heartbeat = null;
    if (host === null) {
      // Unfocused, a private window, or a page that is no site (about:, file:, an address): silence.
      this.lastHost = null;
      return;
    }
    const now = this.deps.now();
    // A little slack so that a heartbeat timer firing a few ms early still reports.
    if (host !== this.lastHost || now - this.lastSentMs >= this.heartbeatMs - 50) {
      this.deps.report(host, now);
      this.lastHost = host;
      this.lastSentMs = now;
    }
    this.heartbeat = this.deps.setTimer(() => {
      this.heartbeat = null;
      void this.check();
    }, this.heartbeatMs);
  }
}
