// /metrics output, read back by an independent parser of the Prometheus text format.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { escapeLabelValue, renderMetrics, type MetricsSnapshot } from '../../src-main/http/metrics.js';
import { createUsageCounters } from '../../src-main/engine/usage-counters.js';
import { UNATTRIBUTED, type SamplerHealth } from '../../src-main/engine/types.js';

interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value: string; labels?: Record<string, string> }>;
}
// The package ships CommonJS without type declarations; its shape is the one its README documents.
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

const health: SamplerHealth = {
  sampler: 'linux',
  state: 'degraded',
  reason: 'no interface counters',
  restarts: 3,
  malformedLines: 7,
  lastSampleAt: 1_700_000_123_500,
  details: {},
};

const snapshot: MetricsSnapshot = {
  apps: [
    { app: 'Google Chrome', bytesIn: 1_500_000, bytesOut: 20_000 },
    // Every character the format must escape, and a non-ASCII name.
    { app: 'we"ird\\app\nname', bytesIn: 1, bytesOut: 2 },
    { app: 'Zürich Café', bytesIn: 3, bytesOut: 4 },
  ],
  networks: [
    { network: 'wifi:aa:bb:cc:dd:ee:01', label: 'Home "5G"', bytesIn: 1_900_000, bytesOut: 45_000 },
    { network: 'unknown', label: 'unknown network', bytesIn: 100_000, bytesOut: 5_000 },
  ],
  iface: { bytesIn: 2_000_000, bytesOut: 50_000 },
  unattributed: { bytesIn: 499_996, bytesOut: 29_994 },
  samplers: [health],
  paused: false,
  liveClients: 2,
};

function family(families: ParsedFamily[], name: string): ParsedFamily {
  const found = families.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no family ${name}`);
  return found;
}

function value(families: ParsedFamily[], name: string, labels: Record<string, string>): number {
  const sample = family(families, name).metrics.find((m) => JSON.stringify(m.labels ?? {}) === JSON.stringify(labels));
  if (sample === undefined) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return Number(sample.value);
}

describe('renderMetrics', () => {
  const text = renderMetrics(snapshot);
  const families = parsePrometheus(text);

  it('is accepted by the parser, each family with HELP and TYPE', () => {
    expect(families.map((f) => f.name)).toEqual([
      'netmon_app_bytes_total',
      'netmon_network_bytes_total',
      'netmon_interface_bytes_total',
      'netmon_unattributed_bytes_total',
      'netmon_sampler_up',
      'netmon_sampler_state',
      'netmon_sampler_restarts_total',
      'netmon_sampler_malformed_lines_total',
      'netmon_sampler_last_sample_timestamp_seconds',
      'netmon_capture_paused',
      'netmon_live_clients',
    ]);
    for (const f of families) {
      expect(f.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      expect(f.help.length).toBeGreaterThan(5);
      expect(['COUNTER', 'GAUGE']).toContain(f.type);
      for (const m of f.metrics) expect(Number.isFinite(Number(m.value)) && m.value !== '').toBe(true);
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it('carries bytes per app and direction, label values round-tripping through the escapes', () => {
    expect(value(families, 'netmon_app_bytes_total', { app: 'Google Chrome', direction: 'in' })).toBe(1_500_000);
    expect(value(families, 'netmon_app_bytes_total', { app: 'Google Chrome', direction: 'out' })).toBe(20_000);
    expect(value(families, 'netmon_app_bytes_total', { app: 'we"ird\\app\nname', direction: 'out' })).toBe(2);
    expect(value(families, 'netmon_app_bytes_total', { app: 'Zürich Café', direction: 'in' })).toBe(3);
    expect(family(families, 'netmon_app_bytes_total').metrics).toHaveLength(6);
  });

  it('carries bytes per network and direction, with the name netmon knows it by', () => {
    expect(value(families, 'netmon_network_bytes_total', { network: 'wifi:aa:bb:cc:dd:ee:01', name: 'Home "5G"', direction: 'in' })).toBe(1_900_000);
    expect(value(families, 'netmon_network_bytes_total', { network: 'unknown', name: 'unknown network', direction: 'out' })).toBe(5_000);
    expect(family(families, 'netmon_network_bytes_total').type).toBe('COUNTER');
    expect(family(families, 'netmon_network_bytes_total').metrics).toHaveLength(4);
  });

  it('carries interface totals, unattributed bytes and sampler health', () => {
    expect(value(families, 'netmon_interface_bytes_total', { direction: 'in' })).toBe(2_000_000);
    expect(value(families, 'netmon_unattributed_bytes_total', { direction: 'out' })).toBe(29_994);
    expect(value(families, 'netmon_sampler_up', { sampler: 'linux' })).toBe(1);
    expect(value(families, 'netmon_sampler_state', { sampler: 'linux', state: 'degraded' })).toBe(1);
    expect(value(families, 'netmon_sampler_state', { sampler: 'linux', state: 'running' })).toBe(0);
    expect(family(families, 'netmon_sampler_state').metrics).toHaveLength(5);
    expect(value(families, 'netmon_sampler_restarts_total', { sampler: 'linux' })).toBe(3);
    expect(value(families, 'netmon_sampler_malformed_lines_total', { sampler: 'linux' })).toBe(7);
    expect(value(families, 'netmon_sampler_last_sample_timestamp_seconds', { sampler: 'linux' })).toBe(1_700_000_123.5);
    expect(value(families, 'netmon_live_clients', {})).toBe(2);
  });

  it('leaves the interface family out when the sampler has no interface counters', () => {
    const names = parsePrometheus(renderMetrics({ ...snapshot, iface: null })).map((f) => f.name);
    expect(names).not.toContain('netmon_interface_bytes_total');
  });

  it('carries what packets taught and what the capture could not keep, only when there is such a sampler', () => {
    const ebpf: SamplerHealth = { ...health, sampler: 'ebpf', details: { bytesNotCounted: 12_345, connectionsNotCounted: 3 } };
    const withNaming = parsePrometheus(
      renderMetrics({ ...snapshot, samplers: [ebpf], naming: { dnsAnswers: 40, tlsNames: 12, quicNames: 5, malformed: 1 } }),
    );
    expect(value(withNaming, 'netmon_names_learned_total', { source: 'dns' })).toBe(40);
    expect(value(withNaming, 'netmon_names_learned_total', { source: 'tls' })).toBe(12);
    expect(value(withNaming, 'netmon_names_learned_total', { source: 'quic' })).toBe(5);
    expect(value(withNaming, 'netmon_packets_unreadable_total', {})).toBe(1);
    expect(value(withNaming, 'netmon_sampler_bytes_not_counted_total', { sampler: 'ebpf' })).toBe(12_345);
    const names = families.map((f) => f.name);
    expect(names).not.toContain('netmon_names_learned_total');
    expect(names).not.toContain('netmon_sampler_bytes_not_counted_total');
  });

  it('shows the plan, its forecast quantiles, the budgets and alerts per kind; nothing of them without', () => {
    const withPlans = parsePrometheus(
      renderMetrics({
        ...snapshot,
        plans: {
          plan: { usedBytes: 412e9, quotaBytes: 500e9, forecast: { p20: 480e9, p50: 530e9, p80: 560e9 } },
          budgets: [{ targetKind: 'domain', target: 'youtube.com', usedBytes: 12e9, quotaBytes: 20e9, forecast: null }],
          alerts: { threshold: 2, forecast: 1, anomaly: 0 },
        },
      }),
    );
    expect(value(withPlans, 'netmon_plan_used_bytes', {})).toBe(412e9);
    expect(value(withPlans, 'netmon_plan_quota_bytes', {})).toBe(500e9);
    expect([0.2, 0.5, 0.8].map((q) => value(withPlans, 'netmon_plan_forecast_bytes', { quantile: String(q) }))).toEqual([480e9, 530e9, 560e9]);
    expect(value(withPlans, 'netmon_budget_used_bytes', { kind: 'domain', target: 'youtube.com' })).toBe(12e9);
    expect(value(withPlans, 'netmon_budget_quota_bytes', { kind: 'domain', target: 'youtube.com' })).toBe(20e9);
    expect(['threshold', 'forecast', 'anomaly'].map((kind) => value(withPlans, 'netmon_alerts_total', { kind }))).toEqual([2, 1, 0]);
    expect(family(withPlans, 'netmon_alerts_total').type).toBe('COUNTER');
    expect(family(withPlans, 'netmon_plan_forecast_bytes').type).toBe('GAUGE');
    // No forecast yet, no plan: those families are left out, never shown as 0.
    const names = parsePrometheus(renderMetrics({ ...snapshot, plans: { plan: { usedBytes: 1, quotaBytes: 2, forecast: null }, budgets: [], alerts: { threshold: 0, forecast: 0, anomaly: 0 } } })).map((f) => f.name);
    expect(names).toContain('netmon_plan_used_bytes');
    expect(names).not.toContain('netmon_plan_forecast_bytes');
    expect(names).not.toContain('netmon_budget_used_bytes');
    expect(families.map((f) => f.name).filter((n) => n.startsWith('netmon_plan') || n.startsWith('netmon_alerts'))).toEqual([]);
  });

  it('escapes exactly backslash, quote and newline', () => {
    expect(escapeLabelValue('a\\b"c\nd\te')).toBe('a\\\\b\\"c\\nd\te');
  });
});

describe('createUsageCounters', () => {
  it('sums per app, keeps the unattributed remainder apart, and sums interface bytes', () => {
    const counters = createUsageCounters();
    counters.addAppUsage([
      { ts: 10, durationS: 5, app: 'Firefox', bytesIn: 100, bytesOut: 10 },
      { ts: 10, durationS: 5, app: UNATTRIBUTED, bytesIn: 7, bytesOut: 1 },
    ]);
    counters.addAppUsage([{ ts: 15, durationS: 5, app: 'Firefox', bytesIn: 50, bytesOut: 5 }]);
    counters.addInterface({ bytesIn: 107, bytesOut: 11 });
    counters.addInterface({ bytesIn: 50, bytesOut: 5 });
    expect(counters.apps()).toEqual([{ app: 'Firefox', bytesIn: 150, bytesOut: 15 }]);
    expect(counters.unattributed()).toEqual({ bytesIn: 7, bytesOut: 1 });
    expect(counters.iface()).toEqual({ bytesIn: 157, bytesOut: 16 });
  });

  it('sums per network across apps and intervals, unattributed included, with the latest name of each', () => {
    const counters = createUsageCounters();
    expect(counters.networks()).toEqual([]);
    counters.addNetworkUsage(
      [
        { network: 'wired:02:00:00:00:00:0a', bytesIn: 100, bytesOut: 10 },
        { network: 'wired:02:00:00:00:00:0a', bytesIn: 7, bytesOut: 1 },
        { network: 'unknown', bytesIn: 3, bytesOut: 0 },
      ],
      [{ key: 'wired:02:00:00:00:00:0a', label: 'Wired · 000a' }],
    );
    counters.addNetworkUsage([{ network: 'wired:02:00:00:00:00:0a', bytesIn: 50, bytesOut: 5 }], [{ key: 'wired:02:00:00:00:00:0a', label: 'Office' }]);
    expect(counters.networks()).toEqual([
      { network: 'unknown', label: 'unknown', bytesIn: 3, bytesOut: 0 },
      { network: 'wired:02:00:00:00:00:0a', label: 'Office', bytesIn: 157, bytesOut: 16 },
    ]);
  });
});
