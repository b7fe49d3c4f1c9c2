// The active tab of each browser over time, from the extension's reports. The extension reports on
// every tab switch and navigation and every 5 s while the browser has focus, and nothing while it has
// not: so a report holds until the next one, or for `holdMs` at most (a browser that lost focus, or
// quit, stops counting as showing that tab).

interface TabReport {
  atMs: number;
  name: string;
}

/** Options of `ActiveTabs`. */
export interface ActiveTabOptions {
  /** How long one report holds without a newer one (default 15 s: three missed heartbeats). */
  holdMs?: number;
  /** How far back reports are kept (default 15 min). */
  horizonMs?: number;
}

/** The active tab per browser, as a timeline. */
export class ActiveTabs {
  private readonly holdMs: number;
  private readonly horizonMs: number;
  private readonly byBrowser = new Map<string, TabReport[]>();

  constructor(options: ActiveTabOptions = {}) {
    this.holdMs = options.holdMs ?? 15_000;
    this.horizonMs = options.horizonMs ?? 900_000;
  }

  /** Records that `browser` showed `name` at `atMs` (reports may arrive out of order). */
  record(browser: string, name: string, atMs: number): void {
    let list = this.byBrowser.get(browser);
    if (list === undefined) {
      list = [];
      this.byBrowser.set(browser, list);
    }
    let i = list.length;
    while (i > 0 && (list[i - 1]?.atMs ?? 0) > atMs) i -= 1;
    list.splice(i, 0, { atMs, name });
  }

  /** Milliseconds each host was the active tab of `browser` within [startMs, endMs). */
  shares(browser: string, startMs: number, endMs: number): Map<string, number> {
    const out = new Map<string, number>();
    const list = this.byBrowser.get(browser);
    if (list === undefined) return out;
    list.forEach((r, i) => {
      const next = list[i + 1]?.atMs ?? Infinity;
      const from = Math.max(r.atMs, startMs);
      const to = Math.min(next, r.atMs + this.holdMs, endMs);
      if (to > from) out.set(r.name, (out.get(r.name) ?? 0) + (to - from));
    });
    return out;
  }

  /** Drops reports that can no longer matter at `nowMs`, keeping each browser's latest. */
  prune(nowMs: number): void {
    for (const [browser, list] of this.byBrowser) {
      const keepFrom = list.findIndex((r) => r.atMs >= nowMs - this.horizonMs);
      const drop = keepFrom === -1 ? list.length - 1 : Math.max(0, keepFrom - 1);
      if (drop > 0) list.splice(0, drop);
      if (list.length === 0) this.byBrowser.delete(browser);
    }
  }
}
