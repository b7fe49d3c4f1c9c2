// Time ranges as the command line names them: `today`, `24h`, `7d`, `30d`, or an ISO date/time.
import { localDayStart } from '../engine/store/time.js';

/** A half-open range [since, until) in epoch seconds. */
export interface TimeRange {
  since: number;
  until: number;
}


const RELATIVE = /^(\d+)([mhdw])$/;
const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Parses one end of a range; throws an Error whose message names the flag and the accepted forms. */
export function parseInstant(text: string, flag: string, nowSeconds: number): number {
  if (text === 'today') return localDayStart(nowSeconds);
  if (text === 'yesterday') return localDayStart(localDayStart(nowSeconds) - 1);
  if (text === 'now') return nowSeconds;
  const relative = RELATIVE.exec(text);
  if (relative !== null) {
    const [, count, unit] = relative;
    return nowSeconds - Number(count) * (UNIT_SECONDS[unit ?? 'h'] ?? 3600);
  }
  // A bare date means local midnight of that day (Date would read it as UTC).
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (dateOnly !== null) {
    const [, y, mo, d] = dateOnly;
    const local = new Date(Number(y), Number(mo) - 1, Number(d));
    if (local.getMonth() === Number(mo) - 1) return Math.floor(local.getTime() / 1000);
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return Math.floor(ms / 1000);
  }
  throw new Error(`${flag} ${JSON.stringify(text)}: expected today, yesterday, now, a span such as 24h / 7d / 30d, or an ISO date such as 2026-11-01 or 2026-11-01T08:00:00Z`);
}

/** The range `--since … --until …` names; `until` defaults to now. */
export function parseRange(since: string | undefined, until: string | undefined, nowSeconds: number, defaultSince = 'today'): TimeRange {
  const range = {
    since: parseInstant(since ?? defaultSince, '--since', nowSeconds),
    until: until === undefined ? nowSeconds : parseInstant(until, '--until', nowSeconds),
  };
  if (range.until <= range.since) {
    throw new Error(`--until (${new Date(range.until * 1000).toISOString()}) must be after --since (${new Date(range.since * 1000).toISOString()})`);
  }
  return range;
}
