// Per-host byte counts of the browser's own requests, between two reports. Firefox and Zen measure
// most requests (requestSize, responseSize: headers included); Chromium only tells Content-Length,
// which the engine treats as an estimate (as for a Firefox request it did not measure). Each count carries the server address, so that the engine
// can join that address's connection bytes to the host.
import type { BytesEntry } from './contract.js';

/** A header as webRequest gives it. */
export interface Header {
  name: string;
  value?: string | undefined;
}

/** The fields of a completed request this file reads (Firefox and Chromium both). */
export interface CompletedRequest {
  ip?: string | undefined;
  fromCache?: boolean | undefined;
  requestSize?: number | undefined;
  responseSize?: number | undefined;
  responseHeaders?: Header[] | undefined;
}

/** What one request moved, or null when nothing crossed the network (served from the cache). */
export function bytesOfRequest(d: CompletedRequest): { bytesIn: number; bytesOut: number; estimate: boolean } | null {
  if (d.fromCache === true) return null;
  const whole = (n: number | undefined): number | null => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.round(n) : null);
  const responseSize = whole(d.responseSize);
  const requestSize = whole(d.requestSize) ?? 0;
  // Firefox measures most requests, but gives 0 for some (a fetch() whose body a page consumed):
  // there, as in Chromium, Content-Length is the best there is, and an estimate.
  if (responseSize !== null && responseSize > 0) return { bytesIn: responseSize, bytesOut: requestSize, estimate: false };
  const header = d.responseHeaders?.find((h) => h.name.toLowerCase() === 'content-length')?.value;
  const length = header !== undefined && /^\d{1,15}$/.test(header.trim()) ? Number(header.trim()) : 0;
  return { bytesIn: length, bytesOut: requestSize, estimate: true };
}

/** Counts per (host, address, estimate) until taken. */
export class ByteTally {
  private readonly counts = new Map<string, BytesEntry>();

  /** Counts a transfer; `startMs`/`endMs` (epoch ms) say when it ran, so that the engine can tell hosts on one address apart. */
  add(domain: string, ip: string | null, bytesIn: number, bytesOut: number, estimate: boolean, startMs?: number, endMs?: number): void {
    const key = `${domain}\u0000${ip ?? ''}\u0000${estimate ? 1 : 0}`;
    const seen = this.counts.get(key);
    const start = startMs === undefined ? undefined : Math.round(startMs);
    const end = endMs === undefined ? start : Math.round(endMs);
    if (seen === undefined) {
      const entry: BytesEntry = { domain, ip, bytesIn, bytesOut, estimate };
      if (start !== undefined && end !== undefined) {
        entry.startedAt = Math.min(start, end);
        entry.endedAt = Math.max(start, end);
      }
      this.counts.set(key, entry);
      return;
    }
    seen.bytesIn += bytesIn;
    seen.bytesOut += bytesOut;
    if (start !== undefined && end !== undefined) {
      seen.startedAt = Math.min(seen.startedAt ?? start, start, end);
      seen.endedAt = Math.max(seen.endedAt ?? end, start, end);
    }
  }

  get size(): number {
    return this.counts.size;
  }

  /** The counts so far, without taking them (to keep them across a stopped worker). */
  peek(): BytesEntry[] {
    return [...this.counts.values()].map((e) => ({ ...e }));
  }

  /** Adds counts kept by a previous worker. */
  restore(entries: readonly BytesEntry[]): void {
    for (const e of entries) this.add(e.domain, e.ip, e.bytesIn, e.bytesOut, e.estimate, e.startedAt, e.endedAt);
  }

  /** The counts so far, largest first; the tally starts again from zero. */
  take(): BytesEntry[] {
    const entries = [...this.counts.values()].sort((a, b) => b.bytesIn + b.bytesOut - (a.bytesIn + a.bytesOut));
    this.counts.clear();
    return entries;
  }
}

/** `items` in runs of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
