// The contract's values as they cross a boundary: the result of every call, its error codes, and each
// channel's response type. No dependency beyond the channel table (request types come from the
// schemas, as types only): the renderer, the preload and the extension may import all of it.
// Times are epoch seconds; ranges are half-open [since, until).
import type { ApiChannel } from './channels.js';
import type { ApiRequest } from './schemas.js';
import type { ConfigValues } from './settings.js';
// The plan, budget, alert and "what changed" shapes live beside the contract (zod-free, types only).
import type { BudgetStatusView, BudgetView, ChangesView, PlanStatusView, PlansStatus } from '../plans.js';
import type { ForgetOutcome, PrivacyList, PrivacySetOutcome } from '../privacy.js';
import type { LedgerView, NetworkApps, NetworkMarkOutcome, NetworksList, NetworkTimeline } from '../networks.js';

// ---- Results and errors ------------------------------------------------------------------------

/** Error codes a client can switch on; the HTTP transport maps each to one status. */
export const API_ERROR_CODES = [
  'bad-request',
  'not-found',
  'method-not-allowed',
  'unauthorized',
  'forbidden-host',
  'forbidden-origin',
  'unsupported-media-type',
  'payload-too-large',
  'rate-limited',
  'unavailable',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** A failed call: a code to switch on and a sentence for the user. */
export interface Failure<C extends string = ApiErrorCode> {
  ok: false;
  error: { code: C; message: string };
}

/** Outcome of a call that crosses a boundary (IPC, HTTP): a value or a coded error, never a throw. */
export type Result<T, C extends string = ApiErrorCode> = { ok: true; value: T } | Failure<C>;

/** A failed result. */
export function failure<C extends string = ApiErrorCode>(code: C, message: string): Failure<C> {
  return { ok: false, error: { code, message } };
}

/** True when `value` has the shape of a `Result` (the check on every answer that crossed a boundary). */
export function isResult(value: unknown): value is Result<unknown, string> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'value' in value;
  if (value.ok !== false || !('error' in value)) return false;
  const error = value.error;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && 'message' in error && typeof error.message === 'string';
}

/** Marks a switch as exhaustive: a new union member becomes a compile error here. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

// ---- Ranges ------------------------------------------------------------------------------------

/** Ranges the UI offers by name; `today`, `week` (from Monday) and `month` start at local midnight. */
export const RANGE_PRESETS = ['1h', '6h', '24h', '7d', '30d', '90d', '365d', 'today', 'week', 'month'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

/** Bucket widths a timeline can be cut into, in seconds (1 min, 5 min, 1 h, 1 day). */
export const BUCKET_SECONDS = [60, 300, 3600, 86_400] as const;
export type BucketSeconds = (typeof BUCKET_SECONDS)[number];

// ---- Responses ---------------------------------------------------------------------------------

/** Bytes received and sent. */
export interface ByteTotals {
  bytesIn: number;
  bytesOut: number;
}

/** The range a response covers, as the engine resolved it (epoch seconds, half-open). */
export interface ResolvedRange {
  since: number;
  until: number;
}

/** A sampler's state as the status shows it (mirrors the engine's `SamplerHealth`). */
export interface SamplerHealthView {
  sampler: string;
  state: 'starting' | 'running' | 'degraded' | 'failing' | 'stopped';
  reason: string | null;
  restarts: number;
  malformedLines: number;
  /** Epoch milliseconds, as the sampler reports it. */
  lastSampleAt: number | null;
  details: Record<string, string | number | boolean | null>;
}

/** Whether capture is paused, and until when (epoch seconds; null: until resumed). */
export interface PauseState {
  paused: boolean;
  until: number | null;
}

/** Whether rows reach the database; while they cannot, they wait in memory (bounded) and this says why. */
export interface StorageHealthView {
  ok: boolean;
  /** The latest write failure in words a user can act on ("the disk is full: …"), or null. */
  error: string | null;
  /** Rows measured but not yet written. */
  pendingRows: number;
  /** Set when a damaged database was moved aside at start: where the old file was kept. */
  recoveredTo: string | null;
  /** What was copied out of that damaged database, in one line ("recovered 1200 rows: …"), or null. */
  salvaged?: string | null;
}

/** The engine's health for the status bar and the popover. */
export interface StatusInfo {
  version: string;
  sampler: SamplerHealthView;
  pause: PauseState;
  /** Epoch seconds of the last stored sample, or null before the first. */
  lastSampleAt: number | null;
  dataDir: string;
  /** Bytes on disk of the data folder (database, WAL, logs, config). */
  dataBytes: number;
  /** Seconds since the engine started. */
  uptimeS: number;
  storage: StorageHealthView;
}

/** One application's current rate. */
export interface AppRate {
  app: string;
  bytesInPerS: number;
  bytesOutPerS: number;
}

/** The current rate and the busiest applications, pushed on the live feed every interval. */
export interface LiveRate {
  /** Epoch seconds of the interval's end. */
  ts: number;
  intervalS: number;
  bytesInPerS: number;
  bytesOutPerS: number;
  topApps: AppRate[];
}

/**
 * Whether part of a range's figures is an estimate: where retention deleted the finer rows, bytes are
 * spread evenly from the coarser (hourly or daily) totals that remain.
 */
export interface Approximate {
  approximate: boolean;
}

/** Totals of one named period. */
export interface PeriodTotals extends ResolvedRange, ByteTotals, Approximate {}

/** Today, this week (from Monday) and this month, each from local midnight to now. */
export interface UsageSummary {
  today: PeriodTotals;
  week: PeriodTotals;
  month: PeriodTotals;
}

/** One bucket of a timeline; `ts` is the bucket's start. */
export interface TimelinePoint extends ByteTotals {
  ts: number;
  /** True when part of the bucket's bytes is spread from a coarser total (see `Approximate`); absent or false: measured. */
  approximate?: boolean;
}

/** A stretch the engine did not measure, in epoch seconds. 'netmon-stopped': netmon was not running; the bytes moved then are counted at the restart. */
export interface GapView {
  start: number;
  end: number;
  reason: 'sleep-or-clock-jump' | 'sampler-restart' | 'stall' | 'paused' | 'netmon-stopped' | (string & {});
}

/** Bytes over time, in buckets of `bucketS` seconds (empty buckets included as zeros). */
export interface Timeline extends ResolvedRange, Approximate {
  bucketS: BucketSeconds;
  /** The application the timeline is for, or null for all traffic. */
  app: string | null;
  points: TimelinePoint[];
  /** The recorded gaps overlapping the range, oldest first (absent from an engine that does not record them). */
  gaps?: GapView[];
}

/** One cell of the hour-of-week heatmap: weekday 0 is Monday, hours in local time. */
export interface HeatmapCell extends ByteTotals {
  weekday: number;
  hour: number;
}

/** Usage by hour of the week: always 168 cells, Monday 00:00 first. */
export interface Heatmap extends ResolvedRange, Approximate {
  cells: HeatmapCell[];
}

/** An application's totals over a range. */
export interface AppTotal extends ByteTotals {
  app: string;
}

/** An application in the apps list: its totals and when a process of it was last seen in the range. */
export interface AppListEntry extends AppTotal {
  /** Epoch seconds; null when no process of it was recorded in the range (unattributed bytes, say). */
  lastSeen: number | null;
}

/** Applications by total bytes, largest first. */
export interface AppsList extends ResolvedRange, Approximate {
  apps: AppListEntry[];
}

/** A process seen behind an application. */
export interface ProcessView {
  name: string;
  pid: number;
  path: string | null;
  /** Epoch seconds when it was last seen. */
  lastSeen: number;
}

/** The processes behind one application over a range. */
export interface AppProcesses extends ResolvedRange {
  app: string;
  processes: ProcessView[];
}

/** A registrable domain's totals over a range. */
export interface DomainTotal extends ByteTotals {
  domain: string;
  /** The part of the bytes placed by the active tab (a guess) rather than by the server address the browser reported. */
  estimated?: ByteTotals;
}

/** Domains by total bytes, largest first, for all traffic or one application. */
export interface DomainsList extends ResolvedRange, Approximate {
  app: string | null;
  domains: DomainTotal[];
}

/** What a purge removed. */
export interface PurgeResult extends ResolvedRange {
  deletedRows: number;
}

/** A file for the user to save: the export of a range. */
export interface ExportFile {
  filename: string;
  contentType: 'text/csv; charset=utf-8' | 'application/json; charset=utf-8';
  body: string;
}

/** The answer to `pairing:check`: only a request with a valid token gets one. */
export interface PairingCheck {
  paired: true;
}

/** The response type of each channel. */
export interface ApiResponses {
  'status:get': StatusInfo;
  'usage:live': LiveRate | null;
  'usage:summary': UsageSummary;
  'usage:timeline': Timeline;
  'usage:heatmap': Heatmap;
  'apps:list': AppsList;
  'apps:processes': AppProcesses;
  'apps:timeline': Timeline;
  'domains:list': DomainsList;
  'config:get': ConfigValues;
  'config:set': ConfigValues;
  'capture:pause': PauseState;
  'capture:resume': PauseState;
  'data:purge': PurgeResult;
  'data:export': ExportFile;
  'pairing:check': PairingCheck;
  'plans:status': PlansStatus;
  'plans:set': PlanStatusView;
  'plans:calibrate': PlanStatusView;
  'budgets:list': { budgets: BudgetStatusView[] };
  'budgets:add': BudgetView;
  'budgets:remove': { removed: boolean };
  'privacy:list': PrivacyList;
  'privacy:set': PrivacySetOutcome;
  'privacy:forget': ForgetOutcome;
  'changes:list': ChangesView;
  'networks:list': NetworksList;
  'networks:timeline': NetworkTimeline;
  'networks:apps': NetworkApps;
  'networks:ledger': LedgerView;
  'networks:rename': NetworkMarkOutcome;
  'networks:metered': NetworkMarkOutcome;
}

/** What a channel answers. */
export type ApiResponse<K extends ApiChannel> = ApiResponses[K];

/** One async function per API channel, errors as values (the preload bridge's `api`). */
export type ChannelFunctions = { [K in ApiChannel]: (request: ApiRequest<K>) => Promise<Result<ApiResponse<K>>> };

/** True when A and B are the same type (for compile-time checks that two lists agree). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
// Every API channel has a response type, and nothing else has one.
type _ResponsesCoverChannels = Assert<Equal<keyof ApiResponses, ApiChannel>>;

// ---- Live feed and the browser extension's endpoints --------------------------------------------

/** Events of the live feed (`GET /api/v1/live`, server-sent events; IPC `live:event`): the event name and its data. */
export interface LiveEvents {
  rate: LiveRate;
  status: StatusInfo;
}

/** One event of the live feed, as every transport delivers it. */
export type LiveEvent = { [K in keyof LiveEvents]: { event: K; data: LiveEvents[K] } }[keyof LiveEvents];

/** What the engine made of a byte report (`stored` is false while capture is paused). */
export interface BrowserBytesAccepted {
  stored: boolean;
  /** Entries taken. */
  accepted: number;
  /** Entries refused (a host that is not a hostname, an address that is not one): nothing of them is kept. */
  refused: number;
  /** True when a report with this reportId was taken before: nothing of it is counted again. */
  duplicate?: boolean;
}

/** What the engine made of an active-tab report (`stored` is false while capture is paused). */
export interface BrowserReportAccepted {
  stored: boolean;
  id: number | null;
  hostname: string;
  /** Registrable domain (Public Suffix List), or the hostname where it has none. */
  domain: string;
  /** True when a report with this reportId was taken before: it is not stored again. */
  duplicate?: boolean;
}
