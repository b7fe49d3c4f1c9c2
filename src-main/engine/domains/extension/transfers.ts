// What each browser fetched, per host and when, from the extension's byte reports: the estimate for
// a browser's bytes whose server address the sampler does not know (nettop's per-process rows on
// macOS carry none). Those bytes are shared out by what the browser itself moved per host during the
// interval; the caller falls back to the active tab when it moved nothing then.
import type { NameWeight } from './ip-map.js';

/** A span of transfers and its bytes. */
export interface Transfer {
  fromMs: number;
  toMs: number;
  bytes: number;
}

/** The part of a transfer's bytes that fell in [startMs, endMs], spread evenly over its span widened by `slackMs`. */
export function bytesWithin(t: Transfer, startMs: number, endMs: number, slackMs: number): number {
  const from = t.fromMs - slackMs;
  const to = t.toMs + slackMs;
  const overlap = Math.min(to, endMs) - Math.max(from, startMs);
  return overlap > 0 && to > from ? (t.bytes * overlap) / (to - from) : 0;
}

/** Per browser, the hosts' transfers of the last minutes (at most `maxPerBrowser`, oldest dropped). */
export class TransferLog {
  private readonly byBrowser = new Map<string, (Transfer & { name: string })[]>();

  constructor(
    private readonly slackMs = 1000,
    private readonly maxPerBrowser = 4096,
  ) {}

  record(browser: string, name: string, bytes: number, fromMs: number, toMs: number): void {
    if (!(Number.isFinite(bytes) && bytes > 0)) return;
    let list = this.byBrowser.get(browser);
    if (list === undefined) {
      list = [];
      this.byBrowser.set(browser, list);
    }
    list.push({ name, bytes, fromMs: Math.min(fromMs, toMs), toMs: Math.max(fromMs, toMs) });
    if (list.length > this.maxPerBrowser) list.splice(0, list.length - this.maxPerBrowser);
  }

  /** The hosts `browser` moved bytes from during [startMs, endMs], weighted by those bytes. */
  weights(browser: string, startMs: number, endMs: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const t of this.byBrowser.get(browser) ?? []) {
      const w = bytesWithin(t, startMs, endMs, this.slackMs);
      if (w > 0) out.set(t.name, (out.get(t.name) ?? 0) + w);
    }
    return out;
  }

  /** Forgets transfers that ended before `beforeMs`. */
  prune(beforeMs: number): void {
    for (const [browser, list] of this.byBrowser) {
      const kept = list.filter((t) => t.toMs + this.slackMs >= beforeMs);
      if (kept.length === 0) this.byBrowser.delete(browser);
      else this.byBrowser.set(browser, kept);
    }
  }
}

/** A map of weights as a sorted list. */
export function weightList(weights: ReadonlyMap<string, number>): NameWeight[] {
  return [...weights].map(([name, weight]) => ({ name, weight })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
