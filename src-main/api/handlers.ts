// The one implementation of the API's handlers, independent of transport: `netmon serve` exposes it
// over HTTP, the Electron shell over IPC. Every request is validated here with the contract's schema
// and every answer is a `Result`; a handler never throws across the boundary.
import type { z } from 'zod';
import type { ApiChannel } from '../../src-shared/contract/channels.js';
import { API_CHANNELS, browserActiveTabSchema, browserBytesSchema, type ApiParsedRequest } from '../../src-shared/contract/schemas.js';
import type { ConfigValues } from '../../src-shared/contract/settings.js';
import {
  assertNever,
  type ApiErrorCode,
  type ApiResponse,
  type AppListEntry,
  type BrowserBytesAccepted,
  type BrowserReportAccepted,
  type ByteTotals,
  type DomainTotal,
  type Equal,
  type GapView,
  type HeatmapCell,
  type PauseState,
  type ProcessView,
  type PurgeResult,
  type ResolvedRange,
  type Result,
  type SamplerHealthView,
  type StorageHealthView,
  type Timeline,
  type TimelinePoint,
} from '../../src-shared/contract/types.js';
import { ConfigError } from '../engine/config.js';
import { normalizeIp } from '../engine/domains/ip.js';
import type { ReportedBytes, ReportedHost } from '../engine/domains/types.js';
import { renderExport, type ExportTable } from '../engine/export.js';
import { createLogger } from '../engine/log.js';
import type { BrowserReportRow } from '../engine/store/index.js';
import type { SamplerHealth } from '../engine/types.js';
import { PlanInputError } from '../engine/plans/validate.js';
import type { PrivacyAccess } from '../engine/privacy/actions.js';
import { PrivacyError } from '../engine/privacy/list.js';
import { domainMatches } from '../../src-shared/privacy.js';
import type { PlansAccess } from './plans.js';
import type { LiveSource } from './live.js';
import { autoBucket, bucketCount, bucketStarts, localMidnight, localMonthStart, localWeekStart, MAX_TIMELINE_POINTS, resolveRange } from './ranges.js';

const log = createLogger('api');

type MaybePromise<T> = T | Promise<T>;

// The contract's mirror of the engine's sampler health must not drift from it (the settings are the
// contract's own table, so the engine's config needs no such check).
const _healthMatches: Equal<SamplerHealth, SamplerHealthView> = true;

/** Rows over a range and whether any of them is partly an estimate; a bare array means all measured. */
export type MaybeApproximate<T> = T[] | { rows: T[]; approximate: boolean };

function approximateRows<T>(answer: MaybeApproximate<T>): { rows: T[]; approximate: boolean } {
  return Array.isArray(answer) ? { rows: answer, approximate: false } : answer;
}

/** The query layer as the handlers need it; rows may be sparse, the handlers fill the gaps. */
export interface UsageQueries {
  /** Bytes of all traffic in the range (attributed and unattributed); `approximate` absent means measured. */
  totals(range: ResolvedRange): MaybePromise<ByteTotals & { approximate?: boolean }>;
  /** Applications by total bytes, largest first, at most `limit`, each with when it was last seen in the range. */
  apps(range: ResolvedRange, limit: number): MaybePromise<MaybeApproximate<AppListEntry>>;
  /** Processes seen behind `app` in the range, most recently seen first. */
  processes(app: string, range: ResolvedRange): MaybePromise<ProcessView[]>;
  /** Registrable domains by total bytes, for all traffic or one app, at most `limit`. */
  domains(range: ResolvedRange, app: string | null, limit: number): MaybePromise<MaybeApproximate<DomainTotal>>;
  /** Bytes per bucket (`ts` = bucket start), for all traffic or one app; empty buckets may be left out. */
  timeline(range: ResolvedRange, bucketS: number, app: string | null): MaybePromise<TimelinePoint[]>;
  /** Recorded gaps (netmon stopped, sleep, stalls) overlapping the range, oldest first; absent: none recorded. */
  gaps?(range: ResolvedRange): MaybePromise<GapView[]>;
  /** Bytes per local weekday (0 = Monday) and hour; empty cells may be left out. */
  heatmap(range: ResolvedRange): MaybePromise<MaybeApproximate<HeatmapCell>>;
  /** Deletes every stored row in the range (all tiers and browser reports, one transaction); returns the range actually purged (it may be widened) and the rows deleted. */
  purge(range: ResolvedRange): MaybePromise<PurgeResult>;
}

/** Pausing and resuming capture. */
export interface CaptureControl {
  state(): PauseState;
  /** Pauses until `untilS` (epoch seconds), or until resumed when null. */
  pause(untilS: number | null): MaybePromise<PauseState>;
  resume(): MaybePromise<PauseState>;
}

/** Reading and changing the settings (the engine's config.json). */
export interface ConfigAccess {
  get(): MaybePromise<ConfigValues>;
  /** Validates and applies a change; throws `ConfigError` naming each refused key. */
  set(patch: Partial<Record<keyof ConfigValues, string | number | boolean>>): MaybePromise<ConfigValues>;
}

/** Where browser reports land. */
export interface BrowserReportSink {
  /** Stores one report and returns its row id (the store; a purge deletes them with the usage rows). */
  record(report: BrowserReportRow): MaybePromise<number>;
}

/** Where the extension's reports meet the engine's domain attribution (engine/domains). */
export interface BrowserDomainSink {
  /** The active tab of `browser` showed `host` at `atMs` (epoch ms). */
  activeTab(browser: string, host: ReportedHost, atMs: number): void;
  /** What `browser` fetched between `fromMs` and `toMs` (epoch ms), per host and server address. */
  bytes(browser: string, entries: readonly ReportedBytes[], fromMs: number, toMs: number): void;
}

/** The facts the status is made of. */
export interface StatusSource {
  version: string;
  /** Epoch seconds the engine started. */
  startedAt: number;
  samplerHealth(): SamplerHealth;
  /** Epoch seconds of the last stored sample, or null. */
  lastSampleAt(): MaybePromise<number | null>;
  /** Bytes of the data folder on disk (engine/store/folder.ts). */
  dataBytes(): number;
  /** Whether buffered rows reach the database (a full or read-only disk keeps them in memory). */
  storageHealth(): StorageHealthView;
}

/** Everything the handlers need from the engine. */
export interface ApiDeps {
  /** Wall clock, epoch milliseconds. */
  now: () => number;
  dataDir: string;
  queries: UsageQueries;
  capture: CaptureControl;
  config: ConfigAccess;
  status: StatusSource;
  live: LiveSource;
  browserReports: BrowserReportSink;
  /** Domain attribution; without it the reports are only validated (and active tabs stored). */
  browserDomains?: BrowserDomainSink | undefined;
  /** Plans, budgets and "what changed" (api/plans.ts); without it those channels answer unavailable. */
  plans?: PlansAccess | undefined;
  /** Privacy levels and forget (engine/privacy); without it those channels answer unavailable. */
  privacy?: PrivacyAccess | undefined;
}

/** An error a dependency may throw to choose the code the client sees. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API's handlers: one entry point per transport call, validated, errors as values. */
export interface ApiHandlers {
  /** Validates `request` against the channel's schema and runs it. */
  invoke<K extends ApiChannel>(channel: K, request: unknown): Promise<Result<ApiResponse<K>>>;
  /** The browser extension's active-tab report (an HTTP-only endpoint, same validation rules). */
  reportActiveTab(body: unknown): Promise<Result<BrowserReportAccepted>>;
  /** The browser extension's per-host byte counts (HTTP-only, same rules: hostnames only, never URLs). */
  reportBrowserBytes(body: unknown): Promise<Result<BrowserBytesAccepted>>;
}

/** Turns zod's issues into one line a user can act on: `since: expected a whole number; …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length === 0 ? 'request' : issue.path.map(String).join('.');
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

function fail(code: ApiErrorCode, message: string): { ok: false; error: { code: ApiErrorCode; message: string } } {
  return { ok: false, error: { code, message } };
}

// Reports from a clock this far ahead are refused rather than stored in the future.
const MAX_FUTURE_S = 600;

// engine/domains/hostname.ts carries tldts (the Public Suffix List as a trie): loaded with the first
// browser report rather than at start, so that a `netmon serve` nobody has paired a browser with never holds it.
const loadHostname = () => import('../engine/domains/hostname.js');
let hostnameModule: ReturnType<typeof loadHostname> | null = null;

/** Builds the handlers over the engine's parts. */
export function createApiHandlers(deps: ApiDeps): ApiHandlers {
  const nowS = (): number => Math.floor(deps.now() / 1000);

  const timeline = async (
    req: { range?: ApiParsedRequest<'usage:timeline'>['range']; since?: number; until?: number; bucket?: number | 'auto' | undefined },
    app: string | null,
  ): Promise<Timeline> => {
    const range = resolveRange(req, nowS());
    const bucketS = req.bucket === undefined || req.bucket === 'auto' ? autoBucket(range) : (req.bucket as Timeline['bucketS']);
    if (bucketCount(range, bucketS) > MAX_TIMELINE_POINTS) {
      throw new ApiError('bad-request', `bucket ${bucketS}s over this range gives more than ${MAX_TIMELINE_POINTS} points: choose a wider bucket or auto`);
    }
    const starts = bucketStarts(range, bucketS);
    const points: TimelinePoint[] = starts.map((ts) => ({ ts, bytesIn: 0, bytesOut: 0 }));
    let approximate = false;
    for (const row of await deps.queries.timeline(range, bucketS, app)) {
      // Rows land in the bucket that holds them, whatever alignment the query layer used.
      let lo = 0;
      let hi = starts.length - 1;
      if (hi < 0 || row.ts < (starts[0] ?? 0)) continue;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] ?? 0) <= row.ts) lo = mid;
        else hi = mid - 1;
      }
      const point = points[lo];
      if (point === undefined) continue;
      point.bytesIn += row.bytesIn;
      point.bytesOut += row.bytesOut;
      // A bucket is an estimate as soon as one row it holds is; an estimated row of zero bytes still is
      // (nothing proves the hour was idle), so the flag does not depend on the bytes.
      if (row.approximate === true) {
        point.approximate = true;
        approximate = true;
      }
    }
    if (deps.queries.gaps === undefined) return { ...range, bucketS, app, approximate, points };
    return { ...range, bucketS, app, approximate, points, gaps: await deps.queries.gaps(range) };
  };

  const plans = (): PlansAccess => {
    if (deps.plans === undefined) throw new ApiError('unavailable', 'plans are not available in this engine');
    return deps.plans;
  };
  const privacy = (): PrivacyAccess => {
    if (deps.privacy === undefined) throw new ApiError('unavailable', 'privacy levels are not available in this engine');
    return deps.privacy;
  };

  const exportRows = async (req: ApiParsedRequest<'data:export'>, range: ResolvedRange): Promise<Omit<ExportTable, 'range'>> => {
    const by = req.by ?? 'app';
    switch (by) {
      case 'app': {
        // The query layer tells per range, not per app, whether bytes were spread from coarser totals.
        const answer = approximateRows(await deps.queries.apps(range, 1000));
        const rows = answer.rows.map((r) => ({ key: r.app, bytesIn: r.bytesIn, bytesOut: r.bytesOut, approximate: answer.approximate }));
        return { keyName: 'app', approximate: answer.approximate, rows };
      }
      case 'domain': {
        const answer = approximateRows(await deps.queries.domains(range, null, 1000));
        const rows = answer.rows.map((r) => ({
          key: r.domain,
          bytesIn: r.bytesIn,
          bytesOut: r.bytesOut,
          estimated: r.estimated ?? { bytesIn: 0, bytesOut: 0 },
          approximate: answer.approximate,
        }));
        return { keyName: 'domain', approximate: answer.approximate, rows };
      }
      case 'hour':
      case 'day': {
        const t = await timeline({ since: range.since, until: range.until, bucket: by === 'hour' ? 3600 : 86_400 }, null);
        return { keyName: 'ts', approximate: t.approximate, rows: t.points.map((p) => ({ key: p.ts, bytesIn: p.bytesIn, bytesOut: p.bytesOut, approximate: p.approximate === true })) };
      }
      default:
        return assertNever(by, 'export grouping');
    }
  };

  const impl: { [K in ApiChannel]: (req: ApiParsedRequest<K>) => Promise<ApiResponse<K>> } = {
    'status:get': async () => {
      const now = nowS();
      return {
        version: deps.status.version,
        sampler: deps.status.samplerHealth(),
        pause: deps.capture.state(),
        lastSampleAt: await deps.status.lastSampleAt(),
        dataDir: deps.dataDir,
        dataBytes: deps.status.dataBytes(),
        uptimeS: Math.max(0, now - deps.status.startedAt),
        storage: deps.status.storageHealth(),
      };
    },
    'usage:live': () => Promise.resolve(deps.live.latestRate()),
    'usage:summary': async () => {
      const now = nowS();
      const period = async (since: number) => {
        const t = await deps.queries.totals({ since, until: now });
        return { since, until: now, bytesIn: t.bytesIn, bytesOut: t.bytesOut, approximate: t.approximate ?? false };
      };
      return { today: await period(localMidnight(now)), week: await period(localWeekStart(now)), month: await period(localMonthStart(now)) };
    },
    'usage:timeline': (req) => timeline(req, null),
    'usage:heatmap': async (req) => {
      const range = resolveRange(req, nowS());
      const cells: HeatmapCell[] = [];
      for (let weekday = 0; weekday < 7; weekday++) for (let hour = 0; hour < 24; hour++) cells.push({ weekday, hour, bytesIn: 0, bytesOut: 0 });
      const answer = approximateRows(await deps.queries.heatmap(range));
      for (const row of answer.rows) {
        const cell = cells[row.weekday * 24 + row.hour];
        if (cell === undefined || row.weekday < 0 || row.weekday > 6 || row.hour < 0 || row.hour > 23) continue;
        cell.bytesIn += row.bytesIn;
        cell.bytesOut += row.bytesOut;
      }
      return { ...range, approximate: answer.approximate, cells };
    },
    'apps:list': async (req) => {
      const range = resolveRange(req, nowS());
      const answer = approximateRows(await deps.queries.apps(range, req.limit ?? 100));
      const hidden = deps.privacy?.hidden('app');
      return { ...range, approximate: answer.approximate, apps: hidden === undefined ? answer.rows : answer.rows.filter((r) => !hidden.has(r.app)) };
    },
    'apps:processes': async (req) => {
      const range = resolveRange(req, nowS());
      return { ...range, app: req.app, processes: await deps.queries.processes(req.app, range) };
    },
    'apps:timeline': (req) => timeline(req, req.app),
    'domains:list': async (req) => {
      const range = resolveRange(req, nowS());
      const app = req.app ?? null;
      const answer = approximateRows(await deps.queries.domains(range, app, req.limit ?? 100));
      const hidden = deps.privacy?.hidden('domain');
      return { ...range, app, approximate: answer.approximate, domains: hidden === undefined ? answer.rows : answer.rows.filter((r) => ![...hidden].some((h) => domainMatches(h, r.domain))) };
    },
    'config:get': async () => deps.config.get(),
    'config:set': async (req) => deps.config.set(req),
    'capture:pause': async (req) => deps.capture.pause(req.minutes === undefined ? null : nowS() + req.minutes * 60),
    'capture:resume': async () => deps.capture.resume(),
    // Privacy: the engine removes everything recorded in the range in one transaction (usage and domain
    // tiers, browser reports) and drops what it still holds in memory for it.
    'data:purge': async (req) => deps.queries.purge({ since: req.since, until: req.until }),
    'data:export': async (req) => {
      const range = resolveRange(req, nowS());
      return renderExport({ range, ...(await exportRows(req, range)) }, req.format, req.by ?? 'app');
    },
    'plans:status': () => Promise.resolve(plans().status(nowS())),
    'plans:set': (req) => Promise.resolve(plans().set(req, nowS())),
    'plans:calibrate': (req) => Promise.resolve(plans().calibrate(req, nowS())),
    'budgets:list': () => Promise.resolve(plans().budgets(nowS())),
    'budgets:add': (req) => Promise.resolve(plans().addBudget(req, nowS())),
    'budgets:remove': (req) => Promise.resolve(plans().removeBudget(req)),
    'changes:list': (req) => Promise.resolve(plans().changes(req, nowS())),
    'privacy:list': () => Promise.resolve(privacy().list()),
    'privacy:set': (req) => Promise.resolve(privacy().set(req.kind, req.name, req.level)),
    'privacy:forget': (req) => Promise.resolve(privacy().forget(req.kind, req.name)),
    // The transport answers only a request whose token is valid (http/guard.ts); nothing changes.
    'pairing:check': () => Promise.resolve({ paired: true }),
  };

  const runGuarded = async <T>(what: string, run: () => Promise<T>): Promise<Result<T>> => {
    try {
      return { ok: true, value: await run() };
    } catch (err) {
      if (err instanceof ApiError) return fail(err.code, err.message);
      if (err instanceof ConfigError || err instanceof PlanInputError || err instanceof PrivacyError) return fail('bad-request', err.message);
      // The client gets no internals (paths, SQL); the log has them.
      log.error(`${what} failed`, { error: err });
      return fail('internal', `${what} failed; see the log for details`);
    }
  };

  return {
    async invoke<K extends ApiChannel>(channel: K, request: unknown): Promise<Result<ApiResponse<K>>> {
      if (!Object.hasOwn(API_CHANNELS, channel)) return fail('not-found', `no channel ${JSON.stringify(channel)}`);
      const parsed = API_CHANNELS[channel].request.safeParse(request);
      if (!parsed.success) return fail('bad-request', describeIssues(parsed.error));
      const handler = impl[channel] as (req: ApiParsedRequest<K>) => Promise<ApiResponse<K>>;
      return runGuarded(channel, () => handler(parsed.data as ApiParsedRequest<K>));
    },

    async reportActiveTab(body: unknown): Promise<Result<BrowserReportAccepted>> {
      const parsed = browserActiveTabSchema.safeParse(body);
      if (!parsed.success) return fail('bad-request', describeIssues(parsed.error));
      const { normalizeHostname } = await (hostnameModule ??= loadHostname());
      const host = normalizeHostname(parsed.data.domain);
      if (!host.ok) return fail('bad-request', host.reason);
      const receivedAt = nowS();
      if (parsed.data.timestamp > receivedAt + MAX_FUTURE_S) {
        return fail('bad-request', 'timestamp: is in the future (epoch seconds expected, not milliseconds)');
      }
      // While paused nothing is recorded, browser reports included; the extension is not told off for it.
      if (deps.capture.state().paused) return { ok: true, value: { stored: false, id: null, hostname: host.hostname, domain: host.domain } };
      deps.browserDomains?.activeTab(parsed.data.browser, host, parsed.data.timestamp * 1000);
      return runGuarded('browser report', async () => {
        const id = await deps.browserReports.record({
          receivedAt,
          ts: parsed.data.timestamp,
          hostname: host.hostname,
          domain: host.domain,
          browser: parsed.data.browser.toLowerCase(),
        });
        return { stored: true, id, hostname: host.hostname, domain: host.domain };
      });
    },

    async reportBrowserBytes(body: unknown): Promise<Result<BrowserBytesAccepted>> {
      const parsed = browserBytesSchema.safeParse(body);
      if (!parsed.success) return fail('bad-request', describeIssues(parsed.error));
      const report = parsed.data;
      if (report.until > nowS() + MAX_FUTURE_S) return fail('bad-request', 'until: is in the future (epoch seconds expected, not milliseconds)');
      const { normalizeHostname } = await (hostnameModule ??= loadHostname());
      const entries: ReportedBytes[] = [];
      for (const e of report.entries) {
        const host = normalizeHostname(e.domain);
        const ip = e.ip === null ? null : normalizeIp(e.ip);
        // Privacy rule as for the active tab: an entry that is not a bare hostname is refused, not trimmed.
        if (!host.ok || (e.ip !== null && ip === null)) continue;
        entries.push({ hostname: host.hostname, domain: host.domain, ip, bytesIn: e.bytesIn, bytesOut: e.bytesOut, estimate: e.estimate, startedAt: e.startedAt, endedAt: e.endedAt });
      }
      const refused = report.entries.length - entries.length;
      if (deps.capture.state().paused) return { ok: true, value: { stored: false, accepted: 0, refused } };
      log.debug('browser bytes', {
        browser: report.browser,
        since: report.since,
        until: report.until,
        entries: entries.map((e) => `${e.domain}@${e.ip ?? '-'} ${e.bytesIn}+${e.bytesOut} ${e.startedAt ?? ''}..${e.endedAt ?? ''}`).join('; '),
      });
      deps.browserDomains?.bytes(report.browser, entries, report.since * 1000, report.until * 1000);
      return { ok: true, value: { stored: deps.browserDomains !== undefined, accepted: entries.length, refused } };
    },
  };
}
