// The contract's request schemas (zod): the only file under src-shared that imports zod, so that the
// renderer and the extension, which import the rest of the contract as values, never bundle it (they
// may import this file's types). Both transports validate every request with these schemas; the
// engine validates config.json with `configSchema`, derived from the settings table.
import { z } from 'zod';
import { API_CHANNEL_NAMES, CHANNEL_KINDS, type ApiChannel, type ShellChannel } from './channels.js';
import { MAX_BROWSER_BYTES_ENTRIES } from './http.js';
import { MAX_NETWORK_LABEL } from '../networks.js';
import { CONFIG_KEYS, SETTINGS, type ConfigKey, type ConfigValues, type Setting } from './settings.js';
import { BUCKET_SECONDS, RANGE_PRESETS, assertNever, type RangePreset } from './types.js';

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

// ---- Settings ----------------------------------------------------------------------------------

function settingSchema(setting: Setting): z.ZodType {
  switch (setting.type) {
    case 'int':
      return z.number().int().min(setting.min).max(setting.max);
    case 'number':
      return z.number().min(setting.min).max(setting.max);
    case 'choice':
      return z.enum(setting.options as [string, ...string[]]);
    case 'toggle':
      return z.boolean();
    default:
      return assertNever(setting, 'setting');
  }
}

/** One schema per setting, from the settings table (config.json is validated key by key with these). */
export const configSchema = z.object(Object.fromEntries(CONFIG_KEYS.map((key) => [key, settingSchema(SETTINGS[key])]))) as unknown as z.ZodObject<{
  [K in ConfigKey]: z.ZodType<ConfigValues[K]>;
}>;

// ---- API requests ------------------------------------------------------------------------------

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
  const networkKey = z.string().min(1, 'network must not be empty').max(200, 'network is at most 200 characters');
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
    'config:set': z.partialRecord(z.enum(CONFIG_KEYS as [ConfigKey, ...ConfigKey[]]), configValue).refine((patch) => Object.keys(patch).length > 0, {
      message: 'name at least one setting to change',
    }),
    // Without minutes the pause lasts until resumed.
    'capture:pause': z.strictObject({ minutes: wholeNumber(1, 7 * 24 * 60).optional() }),
    'capture:resume': empty,
    'data:purge': z.strictObject({ since: epochSeconds, until: epochSeconds }).superRefine(checkRange),
    'data:export': z
      .strictObject({ ...rangeFields, format: z.enum(['csv', 'json']), by: z.enum(['app', 'domain', 'hour', 'day']).optional() })
      .superRefine(checkRange),
    'pairing:check': empty,
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
      network: z.string().max(200).optional(),
    }),
    'plans:calibrate': z.strictObject({ usedGb: z.number().min(0, 'usedGb: must be 0 or more') }),
    'budgets:list': empty,
    'budgets:add': z.strictObject({ app: appName.optional(), domain: z.string().max(253).optional(), quotaGb: z.number(), direction: z.string().max(16).optional() }),
    'budgets:remove': z.strictObject({ id: wholeNumber(1, 2 ** 31) }),
    'privacy:list': empty,
    'privacy:set': z.strictObject({ kind: z.enum(['app', 'domain', 'network']), name: appName, level: z.enum(['hide', 'private', 'normal']) }),
    // Forget deletes history for good: the request must say so.
    'privacy:forget': z.strictObject({ kind: z.enum(['app', 'domain', 'network']), name: appName, confirm: z.literal(true, 'confirm: true is required: forgetting deletes every row of the name') }),
    'changes:list': z.strictObject({ days: wholeNumber(1, 28).optional() }),
    // Networks (src-shared/networks.ts): a network is its id (networks.key, as `netmon report --by network --json` gives it).
    'networks:list': rangeRequest,
    'networks:timeline': z.strictObject({ ...rangeFields, network: networkKey, bucket: bucket.optional() }).superRefine(checkRange),
    'networks:apps': z.strictObject({ ...rangeFields, network: networkKey, limit: limit.optional() }).superRefine(checkRange),
    'networks:ledger': rangeRequest,
    // null (or blank) gives netmon's label back; the engine trims and checks the name.
    'networks:rename': z.strictObject({ network: networkKey, label: z.string().max(MAX_NETWORK_LABEL, `label is at most ${MAX_NETWORK_LABEL} characters`).nullable() }),
    // null gives netmon's guess back.
    'networks:metered': z.strictObject({ network: networkKey, metered: z.boolean().nullable() }),
  } satisfies Record<ApiChannel, z.ZodType>;
}

type RequestSchemas = ReturnType<typeof buildRequestSchemas>;
let requestSchemas: RequestSchemas | undefined;

/** Every request's schema, by channel. `kind` picks the HTTP method: GET for queries, POST for commands. */
export const API_CHANNELS = Object.fromEntries(
  API_CHANNEL_NAMES.map((channel) => [
    channel,
    {
      kind: CHANNEL_KINDS[channel],
      get request() {
        requestSchemas ??= buildRequestSchemas();
        return requestSchemas[channel];
      },
    },
  ]),
) as { readonly [K in keyof RequestSchemas]: { readonly kind: (typeof CHANNEL_KINDS)[K]; readonly request: RequestSchemas[K] } };

/** What a caller sends on a channel (numbers may also be decimal strings, as in a query string). */
export type ApiRequest<K extends ApiChannel> = z.input<(typeof API_CHANNELS)[K]['request']>;
/** A request after validation, as the handlers see it. */
export type ApiParsedRequest<K extends ApiChannel> = z.output<(typeof API_CHANNELS)[K]['request']>;

// ---- The shell's own requests (IPC only) --------------------------------------------------------

/** What each of the shell's channels takes; validated by the shell before it acts. */
export const SHELL_REQUESTS = {
  'pairing:token': z.strictObject({}),
  'login-item:get': z.strictObject({}),
  'login-item:set': z.strictObject({ enabled: z.boolean() }),
} satisfies Record<ShellChannel, z.ZodType>;
/** What a page sends on one of the shell's channels. */
export type ShellRequest<K extends ShellChannel> = z.input<(typeof SHELL_REQUESTS)[K]>;

// ---- The browser extension's reports ------------------------------------------------------------

const browserName = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9 ._-]*$/i, 'browser is a short name such as zen, firefox or chrome');
const hostField = z.string().min(1, 'domain must not be empty').max(1024, 'domain is too long');
/** A report's own id, drawn by the extension once per report: a report sent again (a retry, a restored queue) is counted once. */
const reportId = z.string().regex(/^[0-9a-f]{32}$/, 'reportId is 32 lower-case hexadecimal characters').optional();

/** What the extension posts to `POST /api/browser/active-tab`; unknown fields are ignored, not refused. */
export const browserActiveTabSchema = z.object({
  /** The tab's hostname (never a URL); the engine reduces it to a lower-case ASCII hostname. */
  domain: hostField,
  /** When the tab became active, epoch seconds. */
  timestamp: epochSeconds,
  browser: browserName,
  reportId,
});
export type BrowserActiveTab = z.input<typeof browserActiveTabSchema>;

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
    reportId,
  })
  .refine((r) => r.until >= r.since, { message: 'until must not be before since', path: ['until'] });
export type BrowserBytes = z.input<typeof browserBytesSchema>;
