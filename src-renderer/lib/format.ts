// Numbers and times as the UI shows them. Bytes are decimal (1 KB = 1000 B, as the CLI prints them);
// times are local to the time zone given (the browser's by default), and always labelled with it.
import { formatBytes } from '../../src-shared/units.js';

export { formatBytes };

const SHORT_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;
const LOCALE = 'en-GB';

/** Bytes with three significant digits, for axes and tight cells: `1.5 GB`, `12.3 MB`, `512 B`. */
export function formatBytesShort(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < SHORT_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
  return `${Number(value.toFixed(digits))} ${SHORT_UNITS[unit]}`;
}

/** A rate in bytes per second: `1.50 MB/s`, `0 B/s`. */
export function formatRate(bytesPerS: number): string {
  const text = formatBytes(Math.round(bytesPerS));
  return text === '—' ? text : `${text}/s`;
}

/** A part of a whole as a percentage: `12.3 %`, `<0.1 %` for a sliver, `—` when the whole is empty. */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0) || part < 0) return '—';
  const pct = (part / whole) * 100;
  if (pct === 0) return '0 %';
  if (pct < 0.1) return '<0.1 %';
  return `${pct.toFixed(1)} %`;
}

// Building a DateTimeFormat costs far more than using one, and a chart formats hundreds of times.
const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(epochS: number, timeZone: string | undefined, options: Intl.DateTimeFormatOptions): string {
  const key = `${timeZone ?? ''} ${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(LOCALE, { ...options, timeZone });
    formatters.set(key, format);
  }
  return format.format(new Date(epochS * 1000));
}

/** A relative change as a signed whole percentage: `+4 %`, `−12 %`, `±0 %` when it rounds to nothing. */
export function formatChange(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  const pct = Math.round(fraction * 100);
  if (pct === 0) return '±0 %';
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct)} %`;
}

/** `14:05` (24-hour clock). */
export function formatClock(epochS: number, timeZone?: string): string {
  return parts(epochS, timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** `Mon 3 Nov`. */
export function formatDay(epochS: number, timeZone?: string): string {
  return parts(epochS, timeZone, { weekday: 'short', day: 'numeric', month: 'short' });
}

/** `3 Nov 2025, 14:05`. */
export function formatDateTime(epochS: number, timeZone?: string): string {
  return parts(epochS, timeZone, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** `3 Nov 2025`. */
export function formatDate(epochS: number, timeZone?: string): string {
  return parts(epochS, timeZone, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** `Nov 2025`. */
export function formatMonth(epochS: number, timeZone?: string): string {
  return parts(epochS, timeZone, { month: 'short', year: 'numeric' });
}

/** A time-axis tick for a chart spanning `spanS` seconds: clock times within two days, dates beyond. */
export function formatTick(epochS: number, spanS: number, timeZone?: string): string {
  if (spanS <= 2 * 86_400) return formatClock(epochS, timeZone);
  if (spanS <= 14 * 86_400) return formatDay(epochS, timeZone);
  return parts(epochS, timeZone, { day: 'numeric', month: 'short' });
}

/** How long ago, for a status line: `just now`, `12 s ago`, `3 min ago`, `2 h ago`, `4 d ago`. */
export function formatAgo(secondsAgo: number): string {
  if (!Number.isFinite(secondsAgo)) return '—';
  const s = Math.max(0, Math.round(secondsAgo));
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A duration: `45 s`, `3 min`, `2 h 5 min`, `3 d 4 h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) {
    const m = Math.floor((s % 3600) / 60);
    return m === 0 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 3600)} h ${m} min`;
  }
  const h = Math.floor((s % 86_400) / 3600);
  return h === 0 ? `${Math.floor(s / 86_400)} d` : `${Math.floor(s / 86_400)} d ${h} h`;
}

/** The time zone the page shows times in: `Europe/Berlin (GMT+1)`. */
export function timeZoneLabel(atEpochS: number, timeZone?: string): string {
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset =
    new Intl.DateTimeFormat(LOCALE, { timeZone: zone, timeZoneName: 'shortOffset' })
      .formatToParts(new Date(atEpochS * 1000))
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  return offset === '' ? zone : `${zone} (${offset})`;
}

/** The width of a timeline bucket in words, for axis captions: `per minute`, `per 5 min`, `per hour`, `per day`. */
export function bucketLabel(bucketS: number): string {
  switch (bucketS) {
    case 60:
      return 'per minute';
    case 3600:
      return 'per hour';
    case 86_400:
      return 'per day';
    case 604_800:
      return 'per week';
    default:
      return bucketS % 60 === 0 ? `per ${bucketS / 60} min` : `per ${bucketS} s`;
  }
}
