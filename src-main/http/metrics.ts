// GET /metrics in the Prometheus text exposition format 0.0.4: bytes per application and direction,
// per network, interface totals, unattributed bytes and the sampler's health. Counters count since the engine
// started (Prometheus' rate() handles the restart), so they never go down while it runs. The data
// plan and budgets (this cycle's used bytes, quota, forecast) are gauges; alerts count what is stored.
import type { PlanMetrics } from '../engine/plans/metrics.js';
import type { InterfaceTotals, SamplerHealth, SamplerState } from '../engine/types.js';

/** The Content-Type of the text exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What /metrics shows, gathered by the engine. */
export interface MetricsSnapshot {
  /** Bytes per application since start (the unattributed remainder excluded: it has its own metric). */
  apps: ReadonlyArray<{ app: string; bytesIn: number; bytesOut: number }>;
  /** Bytes per network since start (each network's rows, unattributed included); absent: none recorded. */
  networks?: ReadonlyArray<{ network: string; label: string; bytesIn: number; bytesOut: number }>;
  /** Interface bytes since start, or null when the sampler cannot read interface counters. */
  iface: InterfaceTotals | null;
  unattributed: InterfaceTotals;
  samplers: readonly SamplerHealth[];
  paused: boolean;
  /** Clients connected to the live feed. */
  liveClients: number;
  /** What packets taught about names (the eBPF sampler only); null or absent otherwise. */
  naming?: { dnsAnswers: number; tlsNames: number; quicNames: number; malformed: number } | null;
  /** The plan, budgets and alerts (engine/plans/metrics.ts); null or absent when unreadable. */
  plans?: PlanMetrics | null;
}

const SAMPLER_STATES: readonly SamplerState[] = ['starting', 'running', 'degraded', 'failing', 'stopped'];

/** Escapes a label value: backslash, double quote and line feed (the format's only escapes). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

type Labels = Record<string, string>;

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge', help: string, samples: ReadonlyArray<[Labels, number]>): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      this.lines.push(`${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`);
    }
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** Renders a snapshot in the text exposition format. */
export function renderMetrics(snapshot: MetricsSnapshot): string {
  const out = new Exposition();
  out.family(
    'netmon_app_bytes_total',
    'counter',
    'Bytes moved by each application since netmon started, by direction.',
    snapshot.apps.flatMap((a): Array<[Labels, number]> => [
      [{ app: a.app, direction: 'in' }, a.bytesIn],
      [{ app: a.app, direction: 'out' }, a.bytesOut],
    ]),
  );
  out.family(
    'netmon_network_bytes_total',
    'counter',
    'Bytes that crossed each network (the uplink of a physical interface) since netmon started, by direction.',
    (snapshot.networks ?? []).flatMap((n): Array<[Labels, number]> => [
      [{ network: n.network, name: n.label, direction: 'in' }, n.bytesIn],
      [{ network: n.network, name: n.label, direction: 'out' }, n.bytesOut],
    ]),
  );
  if (snapshot.iface !== null) {
    out.family('netmon_interface_bytes_total', 'counter', 'Bytes counted by the network interfaces (loopback excluded) since netmon started.', [
      [{ direction: 'in' }, snapshot.iface.bytesIn],
      [{ direction: 'out' }, snapshot.iface.bytesOut],
    ]);
  }
  out.family('netmon_unattributed_bytes_total', 'counter', 'Interface bytes no application could be tied to, since netmon started.', [
    [{ direction: 'in' }, snapshot.unattributed.bytesIn],
    [{ direction: 'out' }, snapshot.unattributed.bytesOut],
  ]);
  const samplers = snapshot.samplers;
  out.family(
    'netmon_sampler_up',
    'gauge',
    '1 when the sampler is running (possibly degraded), 0 when starting, failing or stopped.',
    samplers.map((s): [Labels, number] => [{ sampler: s.sampler }, s.state === 'running' || s.state === 'degraded' ? 1 : 0]),
  );
  out.family(
    'netmon_sampler_state',
    'gauge',
    'The sampler state: 1 for the current state, 0 for the others.',
    samplers.flatMap((s) => SAMPLER_STATES.map((state): [Labels, number] => [{ sampler: s.sampler, state }, s.state === state ? 1 : 0])),
  );
  out.family(
    'netmon_sampler_restarts_total',
    'counter',
    'Times the sampler was restarted after it died or stalled.',
    samplers.map((s): [Labels, number] => [{ sampler: s.sampler }, s.restarts]),
  );
  out.family(
    'netmon_sampler_malformed_lines_total',
    'counter',
    'Lines of the sampler output that could not be parsed and were skipped.',
    samplers.map((s): [Labels, number] => [{ sampler: s.sampler }, s.malformedLines]),
  );
  out.family(
    'netmon_sampler_last_sample_timestamp_seconds',
    'gauge',
    'Unix time of the last sample the sampler emitted.',
    samplers.filter((s) => s.lastSampleAt !== null).map((s): [Labels, number] => [{ sampler: s.sampler }, (s.lastSampleAt ?? 0) / 1000]),
  );
  // The eBPF sampler's kernel table was full: these bytes are in the interface totals (as unattributed) only.
  const notCounted = samplers.filter((s) => typeof s.details['bytesNotCounted'] === 'number');
  if (notCounted.length > 0) {
    out.family(
      'netmon_sampler_bytes_not_counted_total',
      'counter',
      'Bytes the sampler saw but could not keep per connection (its kernel table was full); they show as unattributed.',
      notCounted.map((s): [Labels, number] => [{ sampler: s.sampler }, Number(s.details['bytesNotCounted'])]),
    );
  }
  const naming = snapshot.naming ?? null;
  if (naming !== null) {
    out.family('netmon_names_learned_total', 'counter', 'Names learned from packets: DNS answers, TLS and QUIC server names.', [
      [{ source: 'dns' }, naming.dnsAnswers],
      [{ source: 'tls' }, naming.tlsNames],
      [{ source: 'quic' }, naming.quicNames],
    ]);
    out.family('netmon_packets_unreadable_total', 'counter', 'Packet starts that looked like DNS, TLS or QUIC but could not be parsed (skipped).', [[{}, naming.malformed]]);
  }
  if (snapshot.plans != null) renderPlans(out, snapshot.plans);
  out.family('netmon_capture_paused', 'gauge', '1 while the user has paused capture.', [[{}, snapshot.paused ? 1 : 0]]);
  out.family('netmon_live_clients', 'gauge', 'Clients connected to the live feed.', [[{}, snapshot.liveClients]]);
  return out.text();
}

const QUANTILES = [
  ['0.2', 'p20'],
  ['0.5', 'p50'],
  ['0.8', 'p80'],
] as const;

function renderPlans(out: Exposition, plans: PlanMetrics): void {
  const plan = plans.plan;
  if (plan !== null) {
    out.family('netmon_plan_used_bytes', 'gauge', "Bytes counted against the data plan in its current cycle (the interface totals, free hours left out, the carrier's offset in).", [[{}, plan.usedBytes]]);
    out.family('netmon_plan_quota_bytes', 'gauge', "The data plan's quota for the current cycle (rollover included).", [[{}, plan.quotaBytes]]);
    if (plan.forecast !== null) {
      const f = plan.forecast;
      out.family('netmon_plan_forecast_bytes', 'gauge', 'Where the current cycle is forecast to end: the 20th, 50th and 80th percentiles.', QUANTILES.map(([q, k]): [Labels, number] => [{ quantile: q }, f[k]]));
    }
  }
  if (plans.budgets.length > 0) {
    const labels = (b: PlanMetrics['budgets'][number]): Labels => ({ kind: b.targetKind, target: b.target });
    out.family('netmon_budget_used_bytes', 'gauge', "Bytes of an app's or a site's budget used in its current cycle.", plans.budgets.map((b): [Labels, number] => [labels(b), b.usedBytes]));
    out.family('netmon_budget_quota_bytes', 'gauge', "An app's or a site's budget per cycle.", plans.budgets.map((b): [Labels, number] => [labels(b), b.quotaBytes]));
  }
  out.family(
    'netmon_alerts_total',
    'counter',
    'Alerts netmon has given (each once per cycle): thresholds of 80, 95 and 100 %, the forecast going over, unusual traffic.',
    (['threshold', 'forecast', 'anomaly'] as const).map((kind): [Labels, number] => [{ kind }, plans.alerts[kind]]),
  );
}
