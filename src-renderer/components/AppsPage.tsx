import { useMemo, useState } from 'react';
import type { RangePreset } from '../../src-shared/contract/types.js';
import { toCsv } from '../lib/csv.js';
import { downloadText } from '../lib/download.js';
import { formatBytes, formatDateTime, formatShare } from '../lib/format.js';
import { rangeRequest } from '../lib/ranges.js';
import { appRows, filterAppRows, sortAppRows, type AppSortKey, type SortDir } from '../lib/selectors.js';
import { useApi } from '../state/use-api.js';
import { replaceParams } from '../state/use-route.js';
import { AppDetail } from './AppDetail.js';
import { ErrorNote } from './ErrorNote.js';
import { EstimateMark } from './EstimateMark.js';
import { InOutBar } from './InOutBar.js';
import { presetLabel } from './RangeControls.js';
import { Segmented } from './Segmented.js';
import { SortHeader } from './SortHeader.js';

const PRESETS = ['1h', 'today', '24h', '7d', '30d', '90d', '365d'] as const satisfies readonly RangePreset[];
type Preset = (typeof PRESETS)[number];

function isPreset(value: string | undefined): value is Preset {
  return (PRESETS as readonly string[]).includes(value ?? '');
}

/** Every application in a range: a sortable, filterable table, its CSV, and one app in detail. */
export function AppsPage({ params }: { params: Record<string, string> }) {
  const preset: Preset = isPreset(params['range']) ? params['range'] : '7d';
  const selected = params['app'] ?? null;
  const [query, setQuery] = useState(params['q'] ?? '');
  const [sort, setSort] = useState<{ key: AppSortKey; dir: SortDir }>({ key: 'total', dir: 'desc' });
  const range = rangeRequest({ kind: 'preset', preset });
  const apps = useApi('apps:list', { ...range, limit: 1000 }, { refreshS: 120 });
  // One request: the list carries each app's last-seen time.
  const all = useMemo(() => (apps.data === null ? [] : appRows(apps.data.apps)), [apps.data]);
  const rows = useMemo(() => sortAppRows(filterAppRows(all, query), sort.key, sort.dir), [all, query, sort]);
  const selectedRow = all.find((r) => r.app === selected) ?? null;
  const maxTotal = rows.reduce((m, r) => Math.max(m, r.total), 0);
  const setParams = (next: { range?: string; app?: string | undefined }): void =>
    replaceParams('apps', { range: next.range ?? preset, app: 'app' in next ? next.app : (selected ?? undefined) });

  const exportCsv = (): void => {
    if (apps.data === null) return;
    const body = toCsv(
      ['app', 'bytes_in', 'bytes_out', 'bytes_total', 'share_percent', 'last_seen'],
      rows.map((r) => [r.app, r.bytesIn, r.bytesOut, r.total, Number((r.share * 100).toFixed(3)), r.lastSeen === null ? null : new Date(r.lastSeen * 1000).toISOString()]),
    );
    const day = (s: number): string => new Date(s * 1000).toISOString().slice(0, 10);
    downloadText(`netmon-apps-${day(apps.data.since)}-${day(apps.data.until)}.csv`, 'text/csv; charset=utf-8', body);
  };

  const sortProps = { sort, onSort: setSort };
  return (
    <div className="page" data-testid="page-apps" data-ready={apps.data !== null && apps.dataKey === apps.key ? 'true' : 'false'}>
      <div className="pagehead">
        <h1>Applications</h1>
        <span className="small muted">
          {apps.data === null ? '' : `${formatDateTime(apps.data.since)} – ${formatDateTime(apps.data.until)}`}
        </span>
        {apps.data?.approximate === true && <EstimateMark testId="apps-estimate" />}
        <span className="spacer" />
        <Segmented label="range" options={PRESETS.map((p) => ({ value: p, label: presetLabel(p) }))} value={preset} onChange={(p) => setParams({ range: p })} />
      </div>
      {apps.error !== null && <ErrorNote error={apps.error} what="applications" />}
      <div className={selectedRow === null ? 'grid' : 'grid apps'}>
        <section className="panel" aria-labelledby="h-apps-table">
          <div className="panelhead">
            <h2 id="h-apps-table">All applications</h2>
            <span className="small muted" data-testid="apps-count">
              {rows.length === all.length ? `${all.length} apps` : `${rows.length} of ${all.length} apps`}
            </span>
            <span className="spacer" />
            <input
              type="search"
              value={query}
              placeholder="filter by name"
              aria-label="filter applications by name"
              onChange={(e) => setQuery(e.target.value)}
              data-testid="apps-filter"
            />
            <button type="button" onClick={exportCsv} disabled={rows.length === 0} data-testid="apps-csv">
              export CSV
            </button>
          </div>
          <table data-testid="apps-table">
            <thead>
              <tr>
                <SortHeader label="application" column="app" {...sortProps} />
                <SortHeader label="downloaded" column="bytesIn" numeric {...sortProps} />
                <SortHeader label="uploaded" column="bytesOut" numeric {...sortProps} />
                <SortHeader label="total" column="total" numeric {...sortProps} />
                <SortHeader label="share" column="share" numeric {...sortProps} title="share of all bytes in the range, unattributed included" />
                <th scope="col" style={{ width: '12%' }}>
                  <span className="sr-only">received and sent</span>
                </th>
                <SortHeader label="last seen" column="lastSeen" numeric {...sortProps} title="when a process of the app was last seen in the range" />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.app} className={[r.app === selected ? 'selected' : '', r.unattributed || r.overhead ? 'unattributed' : ''].join(' ').trim() || undefined} data-app={r.app} data-kind={r.overhead ? 'overhead' : undefined}>
                  <td>
                    <button type="button" className="link" aria-pressed={r.app === selected} onClick={() => setParams({ app: r.app === selected ? undefined : r.app })}>
                      {r.app}
                    </button>
                    {r.overhead && <span className="faint"> — overhead: the tunnel’s own bytes, not an application</span>}
                  </td>
                  <td className="num">{formatBytes(r.bytesIn)}</td>
                  <td className="num">{formatBytes(r.bytesOut)}</td>
                  <td className="num">{formatBytes(r.total)}</td>
                  <td className="num">{formatShare(r.share, 1)}</td>
                  <td>
                    <InOutBar totals={r} scale={maxTotal > 0 ? r.total / maxTotal : 0} />
                  </td>
                  <td className="num small" data-last-seen={r.lastSeen ?? undefined}>
                    {r.lastSeen !== null ? formatDateTime(r.lastSeen) : <span className="faint">{r.unattributed ? 'n/a' : 'unknown'}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {apps.data !== null && rows.length === 0 && <p className="empty">{all.length === 0 ? 'no application traffic in this range' : `no application matches “${query}”`}</p>}
        </section>
        {selectedRow !== null && <AppDetail row={selectedRow} range={range} onClose={() => setParams({ app: undefined })} />}
      </div>
    </div>
  );
}
