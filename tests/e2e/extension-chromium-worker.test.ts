// The Chromium extension's service worker stopped while reports wait, for real: Chromium stops an idle
// worker after 30 s, or at any time, and everything it held in memory (timers included) goes with it.
// netmon is held (SIGSTOP, so it takes connections but answers nothing) while a tab visits three sites;
// the worker is stopped (CDP Target.closeTarget) well under a second after the last report was queued,
// netmon goes on, and the worker starts again (the options page asks it for its status). Each
// active-tab report queued before the stop must reach netmon exactly once: counted by the report id the
// extension gave it (stored with the row, schema v8), read from the queue the worker kept just before
// it stopped. The worker started again reports the active tab anew (a new report, a new id), which may
// fall in the same second as the last report before the stop: the hostname and second cannot tell a
// report sent twice from that one, the id can.
import Database from 'better-sqlite3';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumExtensionSupport, launchChromiumWithExtension, pairChromium, sleep, startExtensionStack, stopServiceWorker, type ExtensionStack } from './extension-helpers.js';

const { ready, why } = chromiumExtensionSupport();

const SITES = ['one.q.test', 'two.q.test', 'three.q.test'];

describe.skipIf(!ready)(`the Chromium extension: reports queued before its worker stopped arrive once${ready ? '' : ` (skipped: ${why})`}`, () => {
  let stack: ExtensionStack;
  let context: BrowserContext;
  let rows: { id: number; hostname: string; ts: number; received_at: number; report_id: string | null }[] = [];
  /** The active-tab reports the worker kept in storage.session just before it was stopped. */
  let queuedBeforeStop: { domain: string; timestamp: number; reportId: string; atMs: number }[] = [];
  /** When the test stopped the worker, and when the worker started again (its performance.timeOrigin), epoch ms. */
  let stoppedAtMs = 0;
  let restartedAtMs = 0;
  let markerAfterStop: unknown = 'not read';
  let stoppedAtS = 0;
  let finalState = '';

  beforeAll(async () => {
    stack = await startExtensionStack('netmon-ext-worker-');
    const { dataDir, serve, dashboard } = stack;
    context = await launchChromiumWithExtension(
      stack,
      SITES.map((h) => `MAP ${h} ${stack.pair.serverAddress}`),
    );
    const serveGroup = serve.child.pid ?? 0;
    try {
      const { worker, extensionId, optionsUrl } = await pairChromium(context, dashboard);
      const page = await context.newPage();
      process.kill(-serveGroup, 'SIGSTOP');
      for (const host of SITES) {
        await page.goto(`http://${host}:8080/room`);
        // The last report is queued about 300 ms after its page loaded (a 250-ms debounce).
        if (host !== SITES[SITES.length - 1]) await sleep(2000);
      }
      await worker.evaluate(() => ((globalThis as { netmonTestMarker?: number }).netmonTestMarker = 1));
      await sleep(400);
      stoppedAtS = Math.floor(Date.now() / 1000);
      queuedBeforeStop = await worker.evaluate(async () => {
        const session = (globalThis as unknown as { chrome: { storage: { session: { get(key: string): Promise<Record<string, unknown>> } } } }).chrome.storage.session;
        const kept = (await session.get('netmonQueue'))['netmonQueue'] as { atMs: number; value: { path: string; body: { domain?: string; timestamp?: number; reportId?: string } } }[] | undefined;
        return (kept ?? []).filter((q) => q.value.path.endsWith('/active-tab')).map((q) => ({ domain: q.value.body.domain ?? '', timestamp: q.value.body.timestamp ?? 0, reportId: q.value.body.reportId ?? '', atMs: q.atMs }));
      });
      stoppedAtMs = Date.now();
      await stopServiceWorker(context, extensionId);
      process.kill(-serveGroup, 'SIGCONT');
      await sleep(500);
      // The options page asks the worker for its status, which starts it again.
      const options = await context.newPage();
      await options.goto(optionsUrl);
      markerAfterStop = await worker.evaluate(() => (globalThis as { netmonTestMarker?: number }).netmonTestMarker ?? null);
      restartedAtMs = await worker.evaluate(() => performance.timeOrigin);
      const until = Date.now() + 40_000;
      for (;;) {
        finalState = (await options.textContent('#status')) ?? '';
        if (/^Connected/.test(finalState) && !/waiting/.test(finalState)) break;
        if (Date.now() > until) break;
        await sleep(500);
      }
    } finally {
      try {
        process.kill(-serveGroup, 'SIGCONT');
      } catch {
        // Gone already.
      }
      await context.close();
      await stack.stopServers();
    }
    const db = new Database(path.join(dataDir, 'network_monitor.db'), { readonly: true });
    rows = db.prepare('SELECT id, hostname, ts, received_at, report_id FROM browser_reports ORDER BY id').all() as typeof rows;
    db.close();
    if (process.env['NETMON_DEBUG_E2E'] !== undefined) console.log(JSON.stringify({ rows, queuedBeforeStop, stoppedAtS, stoppedAtMs, restartedAtMs, markerAfterStop, finalState }, null, 1));
  }, 180_000);

  afterAll(() => {
    stack?.destroy();
  });

  it('the worker really stopped and started again, and sent its queue', () => {
    expect(markerAfterStop).toBeNull();
    expect(finalState).toMatch(/^Connected/);
    expect(finalState).not.toMatch(/waiting/);
  });

  it('every site visited while netmon was held is stored, the last one queued just before the stop included', () => {
    // Reported before the stop (the worker started again reports the tab anew, later).
    const before = rows.filter((r) => r.ts <= stoppedAtS).map((r) => r.hostname);
    for (const host of SITES) expect(before, JSON.stringify({ rows, stoppedAtS })).toContain(host);
  });

  it('the worker kept a report of each site, with its id, when it was stopped', () => {
    // In the order visited (a slow page load may add a 5-s heartbeat report of the site before it).
    expect([...new Set(queuedBeforeStop.map((q) => q.domain))], JSON.stringify(queuedBeforeStop)).toEqual(SITES);
    for (const q of queuedBeforeStop) expect(q.reportId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('each report queued before the stop is stored exactly once, by its report id', () => {
    const seen = JSON.stringify({ rows, queuedBeforeStop, stoppedAtS, stoppedAtMs, restartedAtMs });
    for (const q of queuedBeforeStop) {
      const stored = rows.filter((r) => r.report_id === q.reportId);
      expect(stored.map((r) => ({ hostname: r.hostname, ts: r.ts })), seen).toEqual([{ hostname: q.domain, ts: q.timestamp }]);
    }
  });

  it('no report is stored twice, and every other report is a new one the worker made after the stop', () => {
    const seen = JSON.stringify({ rows, queuedBeforeStop, stoppedAtS, stoppedAtMs, restartedAtMs });
    for (const r of rows) expect(r.report_id, seen).toMatch(/^[0-9a-f]{32}$/);
    const ids = rows.map((r) => r.report_id);
    expect(new Set(ids).size, seen).toBe(ids.length);
    const before = new Set(queuedBeforeStop.map((q) => q.reportId));
    // A report made after the stop carries the time it was made: the second of the stop or later.
    for (const r of rows.filter((x) => !before.has(x.report_id ?? ''))) expect(r.ts, seen).toBeGreaterThanOrEqual(stoppedAtS);
  });
});
