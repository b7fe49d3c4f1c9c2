// The typed contract between the engine and every client (renderer over Electron IPC, renderer in a
// browser, CLI and scripts over HTTP under /api/v1). One map: channel name → request schema, kind and
// response type. Both transports validate requests with these schemas and answer with `Result`.
// Times are epoch seconds; ranges are half-open [since, until).
import { z } from 'zod';
import { CHANNEL_KINDS } from './channels.js';
import type { BudgetStatusView, BudgetView, ChangesView, PlanStatusView, PlansStatus } from './plans.js';
import type { Result } from './result.js';

/** Ranges the UI offers by name; `today`, `week` (from Monday) and `month` start at local midnight. */
export const RANGE_PRESETS = ['1h', '6h', '24h', '7d', '30d', '90d', '365d', 'today', 'week', 'month'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

/** Bucket widths a timeline can be cut into, in seconds (1 min, 5 min, 1 h, 1 day). */
export const BUCKET_SECONDS = [60, 300, 3600, 86_400] as const;
export type BucketSeconds = (typeof BUCKET_SECONDS)[number];

// 9999-12-31T23:59:59Z: keeps a range's arithmetic far from float trouble.
const MAX_EPOCH_S = 253_402_300_799;

/**
 * A whole number that arrives as a JSON number (IPC, POST body) or as a decimal string (an HTTP query
 * string). Anything else ("", "1e3", "0x10", " 5") is refused rather than coerced.
 */
function wholeNumber(min: number, max: number) {
  return z
    .union([z.number(), z.string().regex(/^\d{1,15}$/).transform(Number)], { error: 'expected a whole number' })
    .pipe(z.number().int('expected a whole number').min(min).max(max));
}

const epochSeconds = wholeNumber(0, MAX_EPOCH_S);

interface RangeShape {
  range?: RangePreset | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

function checkRange(value: RangeShape, ctx: z.core.$RefinementCtx): void {
  if (value.range !== undefined && (value.since !== undefined || value.until !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'give either range or since/until, not both', path: ['range'] });
  }
  if (value.since !== undefined && value.until !== undefined && value.until <= value.since) {
    ctx.addIssue({ code: 'custom', message: 'until must be after since', path: ['until'] });
  }
}

/** The names of the user's settings (the keys of `ConfigValues`). */
export const CONFIG_KEYS = [
  'sampling_interval_seconds',
  'web_server_port',
  'log_level',
  'data_retention_days_raw',
  'data_retention_days_hourly',
  'capture_method',
  'domain_rollup',
  'high_usage_threshold_gb',
  'enable_notifications',
] as const;

// The request schemas are built with the first request, not when the module loads: an idle engine
// that nobody asks anything never holds them. Their types are what the contract is made of.
function buildRequestSchemas() {
  const rangeFields = {
    range: z.enum(RANGE_PRESETS).optional(),
    since: epochSeconds.optional(),
    until: epochSeconds.optional(),
  };
  const appName = z.string().min(1, 'app must not be empty').max(256, 'app is at most 256 characters');
  const limit = wholeNumber(1, 1000);
  const bucket = z
    .union([z.literal('auto'), wholeNumber(1, 86_400)])
    .refine((b) => b === 'auto' || (BUCKET_SECONDS as readonly number[]).includes(b), {
      message: `bucket must be auto or one of ${BUCKET_SECONDS.join(', ')} (seconds)`,
    });
  const empty = z.strictObject({});
  const rangeRequest = z.strictObject({ ...rangeFields }).superRefine(checkRange);
  // A setting's value as the contract carries it; the engine's config validates each value.
  const configValue = z.union([z.string().max(256), z.number(), z.boolean()]);
  return {
    'status:get': empty,
    'usage:live': empty,
    'usage:summary': empty,
    'usage:timeline': z.strictObject({ ...rangeFields, bucket: bucket.optional() }).superRefine(checkRange),
    'usage:heatmap': rangeRequest,
    'apps:list': z.strictObject({ ...rangeFields, limit: limit.optional() }).superRefine(checkRange),
    'apps:processes': z.strictObject({ ...rangeFields, app: appName }).superRefine(checkRange),
    'apps:timeline': z.strictObject({ ...rangeFields, app: appName, bucket: bucket.optional() }).superRefine(checkRange),
    'domains:list': z.strictObject({ ...rangeFields, app: appName.optional(), limit: limit.optional() }).superRefine(checkRange),
    'config:get': empty,
    'config:set': z.partialRecord(z.enum(CONFIG_KEYS), configValue).refine((patch) => Object.keys(patch).length > 0, {
      message: 'name at least one setting to change',
    }),
    // Without minutes the pause lasts until resumed.
    'capture:pause': z.strictObject({ minutes: wholeNumber(1, 7 * 24 * 60).optional() }),
    'capture:resume': empty,
    'data:purge': z.strictObject({ since: epochSeconds, until: epochSeconds }).superRefine(checkRange),
    'data:export': z
      .strictObject({ ...rangeFields, format: z.enum(['csv', 'json']), by: z.enum(['app', 'domain', 'hour', 'day']).optional() })
      .superRefine(checkRange),
    // Plans and budgets: the shapes here; the engine checks the values and names a bad field (engine/plans/validate.ts).
    'plans:status': empty,
    'plans:set': z.strictObject({
      kind: z.string().max(32),
      quotaGb: z.number(),
      day: z.number().optional(),
      anchor: z.string().max(32).optional(),
      every: z.number().optional(),
      weekday: z.number().optional(),
      start: z.string().max(32).optional(),
      expiry: z.string().max(32).optional(),
      direction: z.string().max(16).optional(),
      freeHours: z.string().max(16).optional(),
      rollover: z.boolean().optional(),
      network: z.string().max(128).optional(),
    }),
    'plans:calibrate': z.strictObject({ usedGb: z.number().min(0, 'usedGb: must be 0 or more') }),
    'budgets:list': empty,
    'budgets:add': z.strictObject({ app: appName.optional(), domain: z.string().max(253).optional(), quotaGb: z.number(), direction: z.string().max(16).optional() }),
    'budgets:remove': z.strictObject({ id: wholeNumber(1, 2 ** 31) }),
    'changes:list': z.strictObject({ days: wholeNumber(1, 28).optional() }),
  } satisfies Record<keyof typeof CHANNEL_KINDS, z.ZodType>;
}

type RequestSchemas = ReturnType<typeof buildRequestSchemas>;
let requestSchemas: RequestSchemas | undefined;


/** Every request's schema, by channel. `kind` picks the HTTP method: GET for queries, POST for commands. */
export const API_CHANNELS = Object.fromEntries(
  Object.entries(CHANNEL_KINDS).map(([channel, kind]) => [
    channel,
    {
      kind,
      get request() {
        requestSchemas ??= buildRequestSchemas();
        return requestSchemas[channel as keyof RequestSchemas];
      },
    },
  ]),
) as { readonly [K in keyof RequestSchemas]: { readonly kind: (typeof CHANNEL_KINDS)[K]; readonly request: RequestSchemas[K] } };

/** A channel name, `area:verb`. */
export type ApiChannel = keyof typeof API_CHANNELS;

/** Channel names, for routing and for the preload's allow-list. */
export const API_CHANNEL_NAMES = Object.keys(API_CHANNELS) as ApiChannel[];

/** True when `name` is a channel of the contract. */
export function isApiChannel(name: string): name is ApiChannel {
  return Object.hasOwn(API_CHANNELS, name);
}

/** What a caller sends on a channel (numbers may also be decimal strings, as in a query string). */
export type ApiRequest<K extends ApiChannel> = z.input<(typeof API_CHANNELS)[K]['request']>;
/** A request after validation, as the handlers see it. */
export type ApiParsedRequest<K extends ApiChannel> = z.output<(typeof API_CHANNELS)[K]['request']>;

// ---- Responses -------------------------------------------------------------------------------

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

/** Applications by total bytes, largest first. */
export interface AppsList extends ResolvedRange, Approximate {
  apps: AppTotal[];
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

/** The user's settings (mirrors the engine's `Config`; a compile-time check keeps them equal). */
export interface ConfigValues {
  sampling_interval_seconds: number;
  web_server_port: number;
  log_level: 'debug' | 'info' | 'warn' | 'error';
  data_retention_days_raw: number;
  data_retention_days_hourly: number;
  capture_method: 'auto' | 'nettop' | 'linux' | 'ebpf';
  domain_rollup: boolean;
  high_usage_threshold_gb: number;
  enable_notifications: boolean;
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
  'plans:status': PlansStatus;
  'plans:set': PlanStatusView;
  'plans:calibrate': PlanStatusView;
  'budgets:list': { budgets: BudgetStatusView[] };
  'budgets:add': BudgetView;
  'budgets:remove': { removed: boolean };
  'changes:list': ChangesView;
}

/** What a channel answers. */
export type ApiResponse<K extends ApiChannel> = ApiResponses[K];

/** The whole API as a client sees it: one async function per channel, errors as values. */
export type ApiClient = { [K in ApiChannel]: (request: ApiRequest<K>) => Promise<Result<ApiResponse<K>>> };

// ---- Errors ------------------------------------------------------------------------------------

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

// ---- Live feed and the browser extension's endpoint --------------------------------------------

/** Events of the live feed (`GET /api/v1/live`, server-sent events): the event name and its data. */
export interface LiveEvents {
  rate: LiveRate;
  status: StatusInfo;
}

/** The extension's endpoint for the active tab. */
export const BROWSER_ACTIVE_TAB_PATH = '/api/browser/active-tab';
/** The extension's endpoint for what the browser fetched, per host and server address. */
export const BROWSER_BYTES_PATH = '/api/browser/bytes';

const browserName = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9 ._-]*$/i, 'browser is a short name such as zen, firefox or chrome');
const hostField = z.string().min(1, 'domain must not be empty').max(1024, 'domain is too long');

/** What the extension posts to `POST /api/browser/active-tab`; unknown fields are ignored, not refused. */
export const browserActiveTabSchema = z.object({
  /** The tab's hostname (never a URL); the engine reduces it to a lower-case ASCII hostname. */
  domain: hostField,
  /** When the tab became active, epoch seconds. */
  timestamp: epochSeconds,
  browser: browserName,
});
export type BrowserActiveTab = z.input<typeof browserActiveTabSchema>;

/** Most entries in one `POST /api/browser/bytes` (keeps a report under the 16 KiB body limit). */
export const MAX_BROWSER_BYTES_ENTRIES = 64;

const byteCount = z.number().int('expected a whole number of bytes').min(0).max(Number.MAX_SAFE_INTEGER);

/** One host at one server address, as the browser counted it. */
export const browserBytesEntrySchema = z.object({
  /** The request's hostname (never a URL), reduced by the engine like the active tab's. */
  domain: hostField,
  /** The server's IP address as the browser reported it (webRequest `ip`); null when it gave none. */
  ip: z.string().min(2).max(64).nullable(),
  bytesIn: byteCount,
  bytesOut: byteCount,
  /** True where the browser only knew Content-Length (Chromium), false for measured sizes (Firefox, Zen). */
  estimate: z.boolean(),
  /**
   * When the first of these transfers started and the last one ended, epoch milliseconds. Optional;
   * where hosts share an address, they let the engine share an interval's bytes by what ran in it.
   */
  startedAt: z.number().int().min(0).max(MAX_EPOCH_S * 1000).optional(),
  endedAt: z.number().int().min(0).max(MAX_EPOCH_S * 1000).optional(),
});

/**
 * What the extension posts to `POST /api/browser/bytes`: what the browser fetched in [since, until]
 * (epoch seconds), per host and server address. An empty `entries` still tells that the extension runs.
 */
export const browserBytesSchema = z
  .object({
    browser: browserName,
    since: epochSeconds,
    until: epochSeconds,
    entries: z.array(browserBytesEntrySchema).max(MAX_BROWSER_BYTES_ENTRIES, `at most ${MAX_BROWSER_BYTES_ENTRIES} entries per report`),
  })
  .refine((r) => r.until >= r.since, { message: 'until must not be before since', path: ['until'] });
export type BrowserBytes = z.input<typeof browserBytesSchema>;

/** What the engine made of a byte report (`stored` is false while capture is paused). */
export interface BrowserBytesAccepted {
  stored: boolean;
  /** Entries taken. */
  accepted: number;
  /** Entries refused (a host that is not a hostname, an address that is not one): nothing of them is kept. */
  refused: number;
}

/** What the engine made of an active-tab report (`stored` is false while capture is paused). */
export interface BrowserReportAccepted {
  stored: boolean;
  id: number | null;
  hostname: string;
  /** Registrable domain (Public Suffix List), or the hostname where it has none. */
  domain: string;
}

/** The header that carries the pairing token on writes (`Authorization: Bearer TOKEN` works too). */
export const PAIRING_TOKEN_HEADER = 'x-netmon-token';

/** The fragment key under which `netmon serve` hands the pairing token to the dashboard it prints (`/#pair=TOKEN`). */
export const PAIRING_FRAGMENT_KEY = 'pair';

// ---- Clients -----------------------------------------------------------------------------------

/** What a client needs from a transport: send one channel's request, get its result. */
export type ApiTransport = (channel: ApiChannel, request: unknown) => Promise<Result<unknown>>;

/** A typed client over any transport (Electron IPC in the shell, fetch in a browser). */
export function createApiClient(transport: ApiTransport): ApiClient {
  const client: Partial<Record<ApiChannel, (request: unknown) => Promise<Result<unknown>>>> = {};
  for (const channel of API_CHANNEL_NAMES) client[channel] = (request) => transport(channel, request);
  return client as ApiClient;
}

/** How a channel's request travels over HTTP: GET with a query string for queries, POST with JSON for commands. */
export function apiHttpRequest(channel: ApiChannel, request: object): { method: 'GET' | 'POST'; path: string; body: string | null } {
  const path = `/api/v1/${channel}`;
  if (API_CHANNELS[channel].kind === 'command') return { method: 'POST', path, body: JSON.stringify(request) };
  // src-shared has no DOM or Node types, so no URLSearchParams: encodeURIComponent is the same encoding here.
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(request) as Array<[string, unknown]>) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TypeError(`${channel}: parameter ${key} must be a string, number or boolean`);
    }
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  const query = pairs.join('&');
  return { method: 'GET', path: query === '' ? path : `${path}?${query}`, body: null };
}
