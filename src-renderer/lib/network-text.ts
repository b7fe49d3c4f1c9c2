// What the views say about networks: a network's kind and metered mark in words, the picker's
// options, and the ledger's flagged hours as a plain sentence (what it means for the figures shown).
import type { FlaggedHour, NetworkView } from '../../src-shared/networks.js';
import { formatBytes, formatDate, formatDateTime, formatClock } from './format.js';

const KINDS: Record<string, string> = { wifi: 'Wi-Fi', wired: 'wired', hotspot: 'hotspot', tether: 'tethered phone', cellular: 'cellular' };

/** A link kind in words ('' when netmon could not tell). */
export function kindText(kind: string): string {
  return KINDS[kind] ?? kind;
}

/** `metered`, `not metered` or `metered?`, and who said so. */
export function meteredText(n: Pick<NetworkView, 'metered' | 'meteredBy'>): string {
  const word = n.metered === null ? 'metered?' : n.metered ? 'metered' : 'not metered';
  return n.meteredBy === 'user' ? `${word} (your mark)` : word;
}

/** The picker's option for a network: its name, and its kind where that adds something. */
export function pickerLabel(n: Pick<NetworkView, 'label' | 'kind' | 'metered'>): string {
  const kind = kindText(n.kind);
  const extra = [kind !== '' && !n.label.toLowerCase().includes(kind.toLowerCase()) ? kind : null, n.metered === true ? 'metered' : null].filter((x) => x !== null);
  return extra.length === 0 ? n.label : `${n.label} · ${extra.join(', ')}`;
}

/** An hour's span: `Sat 5 Dec 2026, 15:00–16:00`. */
export function hourSpan(hourStart: number, timeZone?: string): string {
  return `${formatDateTime(hourStart, timeZone)}–${formatClock(hourStart + 3600, timeZone)}`;
}

/** The plain words for flagged hours in a range: what happened, and what it means for the figures. */
export function ledgerFlagText(flagged: readonly FlaggedHour[], timeZone?: string): { headline: string; meaning: string; hours: string[] } {
  const n = flagged.length;
  const headline =
    n === 1
      ? `In one hour of this range (${hourSpan(flagged[0]?.hourStart ?? 0, timeZone)}) the apps' connections counted more than 1.2 × what the network interfaces counted.`
      : `In ${n} hours of this range the apps' connections counted more than 1.2 × what the network interfaces counted.`;
  const meaning =
    'A content filter (a security or VPN app’s network extension) may hide the interface’s traffic from netmon. For those hours the total is the connections’ sum, and per-app figures may add up to more than the interface total.';
  const hours = flagged.map((h) => {
    const sockets = h.sockets.bytesIn + h.sockets.bytesOut;
    const physical = h.physical.bytesIn + h.physical.bytesOut;
    return `${hourSpan(h.hourStart, timeZone)}: connections ${formatBytes(sockets)}, interfaces ${formatBytes(physical)}`;
  });
  return { headline, meaning, hours };
}

/** The status line's short form: `1 flagged hour in the last 24 h`. */
export function ledgerStatusText(flagged: number): string {
  return `ledger: ${flagged} flagged hour${flagged === 1 ? '' : 's'} in the last 24 h (connections over 1.2 × the interfaces)`;
}

/** When netmon last saw a network, or that it is the unknown one. */
export function lastSeenText(lastSeen: number | null, nowS: number, timeZone?: string): string {
  return lastSeen === null ? '—' : formatDate(lastSeen, timeZone) === formatDate(nowS, timeZone) ? `today ${formatClock(lastSeen, timeZone)}` : formatDateTime(lastSeen, timeZone);
}
