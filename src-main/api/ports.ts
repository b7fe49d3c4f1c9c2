// The ports of the API: what the handlers need from the engine, as interfaces. runtime.ts plugs in
// the engine's parts (store-queries.ts, plans.ts, the monitor, config, the live feed); tests plug in
// fakes. A port may answer synchronously or with a promise, and a query's rows may be sparse: the
// handlers fill the grid (engine/queries/grid.ts).
import type { PrivacyAccess } from '../engine/privacy/actions.js';
import type { ApiParsedRequest } from '../../src-shared/contract/schemas.js';
import type { ConfigValues } from '../../src-shared/contract/settings.js';
import type {
  ApiResponses,
  Equal,
  AppListEntry,
  ByteTotals,
  DomainTotal,
  GapView,
  HeatmapCell,
  PauseState,
  ProcessView,
  PurgeResult,
  ResolvedRange,
  SamplerHealthView,
  StorageHealthView,
  TimelinePoint,
} from '../../src-shared/contract/types.js';
import type { ReportedBytes, ReportedHost } from '../engine/domains/types.js';
import type { BrowserReportRow } from '../engine/store/index.js';
import type { SamplerHealth } from '../engine/types.js';
import type { LiveSource } from './live.js';
import type { NetworksAccess } from './networks.js';

// The contract's mirror of the engine's sampler health must not drift from it (the settings are the
// contract's own table, so the engine's config needs no such check).
const _healthMatches: Equal<SamplerHealth, SamplerHealthView> = true;

/** An answer now or later. */
export type MaybePromise<T> = T | Promise<T>;

/** Rows over a range and whether any of them is partly an estimate; a bare array means all measured. */
export type MaybeApproximate<T> = T[] | { rows: T[]; approximate: boolean };

/** Reads a `MaybeApproximate` answer as rows and a flag. */
export function approximateRows<T>(answer: MaybeApproximate<T>): { rows: T[]; approximate: boolean } {
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

/** What the handlers ask of plans (plans.ts over the store); each call takes "now" in epoch seconds. */
export interface PlansAccess {
  status(nowS: number): ApiResponses['plans:status'];
  set(request: ApiParsedRequest<'plans:set'>, nowS: number): ApiResponses['plans:set'];
  calibrate(request: ApiParsedRequest<'plans:calibrate'>, nowS: number): ApiResponses['plans:calibrate'];
  budgets(nowS: number): ApiResponses['budgets:list'];
  addBudget(request: ApiParsedRequest<'budgets:add'>, nowS: number): ApiResponses['budgets:add'];
  removeBudget(request: ApiParsedRequest<'budgets:remove'>): ApiResponses['budgets:remove'];
  changes(request: ApiParsedRequest<'changes:list'>, nowS: number): ApiResponses['changes:list'];
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
  /** Plans, budgets and "what changed" (plans.ts); without it those channels answer unavailable. */
  plans?: PlansAccess | undefined;
  /** Privacy levels and forget (engine/privacy); without it those channels answer unavailable. */
  privacy?: PrivacyAccess | undefined;
  /** Per-network views and the user's network marks (networks.ts); without it those channels answer unavailable. */
  networks?: NetworksAccess | undefined;
}
