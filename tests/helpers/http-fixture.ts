// A real `netmon serve` stack for the HTTP tests: a temp data folder, the real store (SQLite), the
// real config file, the handlers and the server on port 0. Requests go through node:http so that
// the tests can set any header a hostile client could (fetch forbids Host, for one).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { PauseState } from '../../src-shared/contract/types.js';
import { createApiHandlers, type ApiHandlers } from '../../src-main/api/handlers.js';
import { createNetworksAccess } from '../../src-main/api/networks.js';
import { createLiveFeed, type LiveFeed } from '../../src-main/api/live.js';
import { createPlansAccess } from '../../src-main/api/plans.js';
import { createStoreQueries } from '../../src-main/api/store-queries.js';
import { loadConfig, updateConfig } from '../../src-main/engine/config.js';
import { lastUsageAt } from '../../src-main/engine/queries/index.js';
import { createPrivacyAccess } from '../../src-main/engine/privacy/actions.js';
import { PrivacySettings } from '../../src-main/engine/privacy/list.js';
import { browserReportsIn, openStore, type BrowserReportRow, type Store } from '../../src-main/engine/store/index.js';
import type { AppUsage, ProcessSeen } from '../../src-main/engine/types.js';
import { createUsageCounters } from '../../src-main/engine/usage-counters.js';
import { loadOrCreatePairingToken } from '../../src-main/http/pairing.js';
import type { RateLimitOptions } from '../../src-main/http/rate-limit.js';
import { startHttpServer, type HttpServer } from '../../src-main/http/server.js';

/** Everything a test can observe of what was written. */
export interface Written {
  usageRaw: number;
  usageHourly: number;
  usageDaily: number;
  processes: number;
  browserReports: number;
  configFile: string;
  pause: PauseState;
}

export interface Fixture {
  dir: string;
  store: Store;
  /** The browser reports stored in a range (a query on the store's read handle). */
  reports: { list(range: { since: number; until: number }): BrowserReportRow[] };
  server: HttpServer;
  /** The handlers the server runs (what the shell's IPC calls too). */
  handlers: ApiHandlers;
  token: string;
  live: LiveFeed;
  written(): Written;
  close(): Promise<void>;
}

export interface FixtureOptions {
  rate?: RateLimitOptions;
  staticDir?: string;
  heartbeatMs?: number;
  maxLiveClients?: number;
  /** The server's monotonic clock (rate limits); a frozen one makes a flood deterministic. */
  mono?: () => number;
  /** Usage rows stored before the server starts. */
  seed?: AppUsage[];
  seedProcesses?: ProcessSeen[];
}

/** Starts the stack in a fresh temp folder. */
export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-http-'));
  const privacy = new PrivacySettings(dir);
  const store = openStore({ dataDir: dir, privacy });
  if (options.seed !== undefined || options.seedProcesses !== undefined) {
    store.append(options.seed ?? [], options.seedProcesses ?? []);
    const flushed = store.flush();
    if (!flushed.ok) throw new Error(flushed.error.message);
  }
  loadConfig(dir);
  const token = loadOrCreatePairingToken(dir);
  const reports = { list: (range: { since: number; until: number }) => browserReportsIn(store.db, range) };
  const live = createLiveFeed();
  const counters = createUsageCounters();
  counters.addAppUsage(options.seed ?? []);
  let pause: PauseState = { paused: false, until: null };
  const handlers = createApiHandlers({
    now: () => Date.now(),
    dataDir: dir,
    queries: createStoreQueries(store),
    capture: {
      state: () => pause,
      pause: (until) => (pause = { paused: true, until }),
      resume: () => (pause = { paused: false, until: null }),
    },
    config: {
      get: () => loadConfig(dir).config,
      set: (patch) => updateConfig(dir, patch),
    },
    status: {
      version: 'test',
      startedAt: Math.floor(Date.now() / 1000),
      samplerHealth: () => ({ sampler: 'replay', state: 'running', reason: null, restarts: 1, malformedLines: 0, lastSampleAt: Date.now(), details: {} }),
      storageHealth: () => ({ ok: true, error: null, pendingRows: 0, recoveredTo: null }),
      lastSampleAt: () => lastUsageAt(store.db),
      dataBytes: () => store.dataFolderSize().totalBytes,
    },
    live,
    browserReports: { record: (report) => store.recordBrowserReport(report) },
    privacy: createPrivacyAccess(privacy, store),
    networks: createNetworksAccess(store),
    plans: createPlansAccess(store, privacy),
  });
  const server = await startHttpServer({
    port: 0,
    handlers,
    token: () => token,
    live,
    metrics: () => ({ apps: counters.apps(), iface: counters.iface(), unattributed: counters.unattributed(), samplers: [], paused: pause.paused }),
    staticDir: options.staticDir,
    writeRateLimit: options.rate,
    heartbeatMs: options.heartbeatMs,
    maxLiveClients: options.maxLiveClients,
    mono: options.mono,
  });
  const count = (table: string): number => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    dir,
    store,
    reports,
    server,
    handlers,
    token,
    live,
    written: () => ({
      usageRaw: count('usage_raw'),
      usageHourly: count('usage_hourly'),
      usageDaily: count('usage_daily'),
      processes: count('processes'),
      browserReports: count('browser_reports'),
      configFile: readFileSync(path.join(dir, 'config.json'), 'utf8'),
      pause: { ...pause },
    }),
    async close() {
      await server.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A response as the tests look at it. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): unknown;
}

export interface RawRequest {
  method: string;
  /** Sent as is, without normalization (so `/../x` reaches the server as written). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
  /** Connect here (default 127.0.0.1). */
  address?: string;
}

/** Sends one request with exactly the headers given (plus Host, unless given). */
export function send(port: number, req: RawRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...req.headers };
    if (req.body !== undefined && req.chunked !== true && headers['content-length'] === undefined) {
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const r = http.request({ host: req.address ?? '127.0.0.1', port, method: req.method, path: req.path, headers, agent: false, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown });
      });
      res.on('error', reject);
    });
    // A server that refuses early may close the socket while the body is still going out.
    r.on('error', reject);
    if (req.body !== undefined) {
      if (req.chunked === true) {
        const buf = Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
        for (let i = 0; i < buf.length; i += 4096) r.write(buf.subarray(i, i + 4096));
      } else {
        r.write(req.body);
      }
    }
    r.end();
  });
}
