// The extension's report ids seen lately: a report sent again (a retry after a lost answer, a queue
// restored after the extension's background was stopped) carries the id it had the first time and is
// counted once. Kept in memory for longer than the extension keeps a report (10 minutes), and bounded;
// a netmon restart forgets them (a report re-sent across it would count again).

/** How long an id is remembered (the extension drops a report after 10 minutes). */
export const REPORT_ID_TTL_MS = 15 * 60_000;
/** At most this many ids (the extension sends about one report every 5 s). */
export const REPORT_ID_MAX = 20_000;

export class RecentReportIds {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = REPORT_ID_TTL_MS,
    private readonly max = REPORT_ID_MAX,
  ) {}

  /** Takes `id` for a report being handled now; false when it was taken before (a duplicate). */
  claim(id: string, nowMs: number): boolean {
    this.expire(nowMs);
    if (this.seen.has(id)) return false;
    this.seen.set(id, nowMs);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }

  /** The report was not taken after all (an error the extension retries): its id is free again. */
  release(id: string): void {
    this.seen.delete(id);
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(nowMs: number): void {
    // Insertion order is time order: stop at the first id still fresh.
    for (const [id, at] of this.seen) {
      if (at > nowMs - this.ttlMs) break;
      this.seen.delete(id);
    }
  }
}
