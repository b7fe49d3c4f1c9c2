// The sampler's health facts (`status.sampler.details`, one record per sampler kind) in words a person
// reads: each known key has a label and a way to show its value; a key this table does not know yet
// is still shown in words (its camelCase split, a `…Ms` or `…S` suffix read as a duration), never as
// the raw key.
import { formatBytes } from '../../src-shared/units.js';
import { formatDuration } from './format.js';

type Value = string | number | boolean | null;

/** One fact as the settings page shows it. */
export interface SamplerFact {
  /** The raw key, for tests and data attributes; never shown. */
  key: string;
  label: string;
  value: string;
}

/** A duration given in milliseconds: `40 ms`, `1.5 s`, `3 min`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 10_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  return formatDuration(ms / 1000);
}

const yesNo = (v: Value): string => (v === true ? 'yes' : v === false ? 'no' : String(v));
const count = (v: Value): string => (typeof v === 'number' ? v.toLocaleString('en') : String(v));
const ms = (v: Value): string => (typeof v === 'number' ? formatMs(v) : String(v));
const seconds = (v: Value): string => (typeof v === 'number' ? formatMs(v * 1000) : String(v));
const percent = (v: Value): string => (typeof v === 'number' ? `${(v * 100).toFixed(1).replace(/\.0$/, '')} % of a core` : String(v));
const bytes = (v: Value): string => (typeof v === 'number' ? formatBytes(v) : String(v));
const text = (v: Value): string => String(v);

/** The samplers by name, as a person would call them. */
const SAMPLER_TITLES: Readonly<Record<string, string>> = {
  nettop: 'macOS nettop, per process',
  linux: 'ss socket counters, per connection',
  ebpf: 'eBPF capture helper, per connection',
};

/** The sampler's name (as `capture_method` calls it) with what it is: `linux: ss socket counters, per connection`. */
export function samplerTitle(name: string): string {
  const title = Object.hasOwn(SAMPLER_TITLES, name) ? SAMPLER_TITLES[name] : undefined;
  return title === undefined ? name : `${name}: ${title}`;
}

// Every key the samplers report today (nettop/, linux/ and ebpf/ sampler.ts, `health().details`).
const FACTS: Readonly<Record<string, { label: string; show: (v: Value) => string }>> = {
  // All samplers
  intervalMs: { label: 'reads counters every', show: ms },
  intervalS: { label: 'reads counters every', show: seconds },
  flows: { label: 'connections in the last sample', show: count },
  closedLastSample: { label: 'connections closed in the last sample', show: count },
  processesCached: { label: 'processes remembered', show: count },
  udp: { label: 'UDP traffic', show: text },
  // linux (ss)
  ssPath: { label: 'ss program', show: text },
  closeEvents: { label: 'close-event stream (ss -E)', show: text },
  closeEventsLineBuffered: { label: 'close events line-buffered (stdbuf)', show: yesNo },
  lastPollMs: { label: 'last poll took', show: ms },
  awaitingCloseEvent: { label: 'connections awaiting their close event', show: count },
  closedWithoutOwner: { label: 'closed connections with no known process', show: count },
  seesAllOwners: { label: "sees every user's processes", show: yesNo },
  // ebpf
  helperPath: { label: 'capture helper', show: text },
  helper: { label: 'capture helper state', show: text },
  helperPid: { label: 'capture helper process id', show: text },
  lastSnapshotMs: { label: 'last snapshot took', show: ms },
  packetStartsLastSample: { label: 'packet starts read in the last sample', show: count },
  connectionsNotCounted: { label: 'connections not counted (table full)', show: count },
  bytesNotCounted: { label: 'bytes not counted (table full)', show: bytes },
  ownersNotRecorded: { label: 'owners not recorded (table full)', show: count },
  packetStartsLost: { label: 'packet starts lost', show: count },
  ownerLookup: { label: 'owner lookup', show: text },
  // nettop
  mode: { label: 'mode', show: text },
  strategy: { label: 'strategy', show: text },
  childCpuShare: { label: "nettop's CPU use", show: percent },
  cpuBudget: { label: 'CPU budget', show: percent },
  deltas: { label: 'per-interval counters (nettop -d)', show: yesNo },
  perConnection: { label: 'per connection', show: yesNo },
  pid: { label: 'nettop process id', show: text },
  pollEveryS: { label: 'polls every', show: seconds },
  nextStreamingTryInS: { label: 'tries streaming again in', show: seconds },
  interfaceCounters: { label: 'interface totals', show: yesNo },
};

/** A key the table does not know, in words: `packetStartsLost` → `packet starts lost`. */
export function wordsOfKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

// An unknown key's unit from its suffix: `…Ms` milliseconds, `…S` seconds.
function unknownFact(key: string, value: Value): { label: string; value: string } {
  const unit = /[a-z]Ms$/.test(key) ? 'ms' : /[a-z]S$/.test(key) ? 's' : null;
  const label = wordsOfKey(unit === 'ms' ? key.slice(0, -2) : unit === 's' ? key.slice(0, -1) : key);
  if (value === null) return { label, value: '—' };
  if (typeof value === 'number' && unit !== null) return { label, value: formatMs(unit === 'ms' ? value : value * 1000) };
  return { label, value: typeof value === 'boolean' ? yesNo(value) : typeof value === 'number' ? count(value) : value };
}

/** The details as label and value, in the sampler's order; a null value is shown as `—`. */
export function samplerFacts(details: Readonly<Record<string, Value>>): SamplerFact[] {
  return Object.entries(details).map(([key, value]) => {
    const known = Object.hasOwn(FACTS, key) ? FACTS[key] : undefined;
    if (known === undefined) return { key, ...unknownFact(key, value) };
    return { key, label: known.label, value: value === null ? '—' : known.show(value) };
  });
}
