// The plan, budgets and alerts in GET /metrics and in the Prometheus textfile (serve
// --metrics-textfile), on the real runtime: a 10 MB plan with 12 MB used today and a budget, after
// the engine's check stored its alert; both expositions read back by an independent parser.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPlans } from '../../src-main/engine/plans/checker.js';
import { startRuntime } from '../../src-main/runtime.js';

interface ParsedFamily {
  name: string;
  type: string;
  metrics: Array<{ value: string; labels?: Record<string, string> }>;
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

const root = mkdtempSync(path.join(os.tmpdir(), 'netmon-plan-metrics-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sample = (families: ParsedFamily[], name: string, labels: Record<string, string> = {}): number | undefined => {
  const v = families.find((f) => f.name === name)?.metrics.find((m) => JSON.stringify(m.labels ?? {}) === JSON.stringify(labels))?.value;
  return v === undefined ? undefined : Number(v);
};

describe('plan metrics', () => {
  it('shows used, quota, budgets and alerts per kind in /metrics and the textfile; no forecast before 3 days', async () => {
    const textfile = path.join(root, 'netmon.prom');
    const runtime = await startRuntime({ dataDir: path.join(root, 'data'), port: 0, sampler: 'linux', intervalS: 1, logToFile: false, metricsTextfile: textfile });
    try {
      const nowS = Math.floor(Date.now() / 1000);
      const before = parsePrometheus(await (await fetch(`http://127.0.0.1:${runtime.server.port}/metrics`, { headers: { authorization: `Bearer ${runtime.token}` } })).text());
      // No plan yet: no plan gauges, the alert counters at 0.
      expect(before.map((f) => f.name)).not.toContain('netmon_plan_used_bytes');
      expect(sample(before, 'netmon_alerts_total', { kind: 'threshold' })).toBe(0);

      expect((await runtime.handlers.invoke('plans:set', { kind: 'monthly', day: 1, quotaGb: 0.01 })).ok).toBe(true);
      expect((await runtime.handlers.invoke('budgets:add', { app: 'Photos', quotaGb: 0.02 })).ok).toBe(true);
      runtime.store.append([
        { ts: nowS - 60, durationS: 60, app: 'Photos', bytesIn: 1_000_000, bytesOut: 7_000_000 },
        { ts: nowS - 60, durationS: 60, app: 'Firefox', bytesIn: 4_000_000, bytesOut: 0 },
      ]);
      expect(runtime.store.flush().ok).toBe(true);
      expect(runtime.store.withWriter((db) => checkPlans(db, nowS, { anomalies: false })).map((a) => a.kind)).toEqual(['threshold']);

      const reply = await fetch(`http://127.0.0.1:${runtime.server.port}/metrics`, { headers: { authorization: `Bearer ${runtime.token}` } });
      const families = parsePrometheus(await reply.text());
      expect(sample(families, 'netmon_plan_used_bytes')).toBe(12_000_000);
      expect(sample(families, 'netmon_plan_quota_bytes')).toBe(10_000_000);
      expect(families.find((f) => f.name === 'netmon_plan_used_bytes')?.type).toBe('GAUGE');
      // One day of history: no forecast, so no forecast gauge (never a made-up figure).
      expect(families.map((f) => f.name)).not.toContain('netmon_plan_forecast_bytes');
      expect(sample(families, 'netmon_budget_used_bytes', { kind: 'app', target: 'Photos' })).toBe(8_000_000);
      expect(sample(families, 'netmon_budget_quota_bytes', { kind: 'app', target: 'Photos' })).toBe(20_000_000);
      expect(families.find((f) => f.name === 'netmon_alerts_total')?.type).toBe('COUNTER');
      expect([sample(families, 'netmon_alerts_total', { kind: 'threshold' }), sample(families, 'netmon_alerts_total', { kind: 'forecast' }), sample(families, 'netmon_alerts_total', { kind: 'anomaly' })]).toEqual([1, 0, 0]);

      // The textfile is rewritten every interval (1 s here) with the same figures.
      const deadline = Date.now() + 10_000;
      let fromFile: ParsedFamily[] = [];
      while (Date.now() < deadline) {
        try {
          fromFile = parsePrometheus(readFileSync(textfile, 'utf8'));
          if (sample(fromFile, 'netmon_alerts_total', { kind: 'threshold' }) === 1) break;
        } catch {
          // not written yet
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(sample(fromFile, 'netmon_plan_used_bytes')).toBe(12_000_000);
      expect(sample(fromFile, 'netmon_plan_quota_bytes')).toBe(10_000_000);
      expect(sample(fromFile, 'netmon_alerts_total', { kind: 'threshold' })).toBe(1);
    } finally {
      await runtime.stop();
    }
  });
});
