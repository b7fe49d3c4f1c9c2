import { Fragment, useEffect, useMemo, useState } from 'react';
import type { RangePreset } from '../../src-shared/contract/types.js';
import { formatBytes, formatDateTime, formatShare } from '../lib/format.js';
import { rangeRequest } from '../lib/ranges.js';
import { rollupDomains, totalOf, type DomainGroup } from '../lib/selectors.js';
import { useApi } from '../state/use-api.js';
import { useDomainDetail } from '../state/use-domain-detail.js';
import { replaceParams } from '../state/use-route.js';
import { NoDomainData } from './DomainsTable.js';
import { EmptyState } from './EmptyState.js';
import { EstimateMark } from './EstimateMark.js';
import { ErrorNote } from './ErrorNote.js';
import { presetLabel } from './RangeControls.js';
import { Segmented } from './Segmented.js';
import { TimelineChart } from './TimelineChart.js';

/** What an estimated domain figure is (badge tooltips and the detail's note). */
const ESTIMATE_WHY = "was placed by the browser's active tab or its own fetch log (a guess), not by the server address the bytes went to";

const PRESETS = ['today', '24h', '7d', '30d', '90d', '365d'] as const satisfies readonly RangePreset[];
type Preset = (typeof PRESETS)[number];

function isPreset(value: string | undefined): value is Preset {
  return (PRESETS as readonly string[]).includes(value ?? '');
}

/** Registrable domain of a hostname by the Public Suffix List; loaded only when there are domains to group. */
function useRegistrable(needed: boolean): ((host: string) => string) | null {
  const [fn, setFn] = useState<((host: string) => string) | null>(null);
  useEffect(() => {
    if (!needed || fn !== null) return;
    let cancelled = false;
    void import('tldts').then((tldts) => {
      if (!cancelled) setFn(() => (host: string) => tldts.getDomain(host) ?? host);
    });
    return () => {
      cancelled = true;
    };
  }, [needed, fn]);
  return fn;
}

function DomainDetailPanel({ group, since, until }: { group: DomainGroup; since: number; until: number }) {
  const hosts = useMemo(() => group.hosts.map((h) => h.domain), [group]);
  const detail = useDomainDetail(hosts, since, until);
  return (
    <section className="panel" aria-labelledby="h-domain-detail" data-testid="domain-detail" data-domain={group.domain}>
      <div className="panelhead">
        <h2 id="h-domain-detail">{group.domain}</h2>
        <span className="small muted">
          {formatBytes(group.total)} · ↓ {formatBytes(group.bytesIn)} · ↑ {formatBytes(group.bytesOut)}
        </span>
      </div>
      {totalOf(group.estimated) > 0 && (
        <p className="small muted" style={{ margin: '0 0 4px' }} data-testid="domain-detail-estimate">
          <EstimateMark why={ESTIMATE_WHY} /> {formatBytes(totalOf(group.estimated))} of it ({formatShare(totalOf(group.estimated), group.total)}) {ESTIMATE_WHY}
        </p>
      )}
      {detail.error !== null && <p className="note error">{detail.error}</p>}
      {detail.points === null ? (
        <p className="small muted">reading the timeline…</p>
      ) : (
        <TimelineChart timeline={{ since, until, bucketS: detail.bucketS, points: detail.points }} loading={false} height={150} testId="domain-timeline" />
      )}
      <h2 style={{ marginTop: 8 }}>Applications that used it</h2>
      {detail.apps === null ? (
        <p className="small muted">asking the busiest applications…</p>
      ) : detail.apps.length === 0 ? (
        <EmptyState title="no application is credited with this domain" />
      ) : (
        <table className="small" data-testid="domain-apps">
          <thead>
            <tr>
              <th>application</th>
              <th className="num">↓</th>
              <th className="num">↑</th>
              <th className="num">total</th>
            </tr>
          </thead>
          <tbody>
            {detail.apps.map((a) => (
              <tr key={a.app}>
                <td>{a.app}</td>
                <td className="num">{formatBytes(a.bytesIn)}</td>
                <td className="num">{formatBytes(a.bytesOut)}</td>
                <td className="num">{formatBytes(a.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Sites by bytes: registrable domains with their hosts, a domain's timeline and its applications. */
export function DomainsPage({ params }: { params: Record<string, string> }) {
  const preset: Preset = isPreset(params['range']) ? params['range'] : '7d';
  const selected = params['domain'] ?? null;
  const range = rangeRequest({ kind: 'preset', preset });
  const list = useApi('domains:list', { ...range, limit: 1000 }, { refreshS: 120 });
  const domains = list.data?.domains ?? [];
  const registrable = useRegistrable(domains.length > 0);
  const groups = useMemo(() => rollupDomains(domains, registrable ?? ((h) => h)), [domains, registrable]);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const grand = groups.reduce((t, g) => t + g.total, 0);
  const selectedGroup = groups.find((g) => g.domain === selected || g.hosts.some((h) => h.domain === selected)) ?? null;
  const setParams = (next: { range?: string; domain?: string | undefined }): void =>
    replaceParams('domains', { range: next.range ?? preset, domain: 'domain' in next ? next.domain : (selected ?? undefined) });
  const toggle = (domain: string): void =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(domain)) n.delete(domain);
      else n.add(domain);
      return n;
    });

  return (
    <div className="page" data-testid="page-domains" data-ready={list.data !== null && list.dataKey === list.key ? 'true' : 'false'}>
      <div className="pagehead">
        <h1>Domains</h1>
        <span className="small muted">{list.data === null ? '' : `${formatDateTime(list.data.since)} – ${formatDateTime(list.data.until)}`}</span>
        <span className="spacer" />
        <Segmented label="range" options={PRESETS.map((p) => ({ value: p, label: presetLabel(p) }))} value={preset} onChange={(p) => setParams({ range: p })} />
      </div>
      {list.error !== null && <ErrorNote error={list.error} what="domains" />}
      {list.data !== null && domains.length === 0 && (
        <section className="panel">
          <NoDomainData />
        </section>
      )}
      {domains.length > 0 && (
        <div className={selectedGroup === null ? 'grid' : 'grid apps'}>
          <section className="panel" aria-labelledby="h-domains-table">
            <div className="panelhead">
              <h2 id="h-domains-table">Top domains by bytes</h2>
              <span className="small muted">
                {groups.length} registrable domains · {domains.length} hosts
              </span>
              {list.data?.approximate === true && <EstimateMark testId="domains-estimate" />}
            </div>
            <table data-testid="domains-table">
              <thead>
                <tr>
                  <th scope="col">domain</th>
                  <th scope="col" className="num">
                    hosts
                  </th>
                  <th scope="col" className="num">
                    downloaded
                  </th>
                  <th scope="col" className="num">
                    uploaded
                  </th>
                  <th scope="col" className="num">
                    total
                  </th>
                  <th scope="col" className="num">
                    share
                  </th>
                </tr>
              </thead>
              <tbody>
                {groups.map((g) => (
                  <Fragment key={g.domain}>
                    <tr className={g === selectedGroup ? 'selected' : undefined} data-domain={g.domain}>
                      <td>
                        <button type="button" className="link" aria-pressed={g === selectedGroup} onClick={() => setParams({ domain: g === selectedGroup ? undefined : g.domain })}>
                          {g.domain}
                        </button>
                      </td>
                      <td className="num">
                        {g.hosts.length > 1 || g.hosts[0]?.domain !== g.domain ? (
                          <button type="button" className="link" aria-expanded={open.has(g.domain)} onClick={() => toggle(g.domain)}>
                            {g.hosts.length} {open.has(g.domain) ? '▾' : '▸'}
                          </button>
                        ) : (
                          g.hosts.length
                        )}
                      </td>
                      <td className="num">{formatBytes(g.bytesIn)}</td>
                      <td className="num">{formatBytes(g.bytesOut)}</td>
                      <td className="num">
                        {formatBytes(g.total)}
                        {totalOf(g.estimated) > 0 && (
                          <>
                            {' '}
                            <EstimateMark testId="domains-table-estimate" why={`${formatBytes(totalOf(g.estimated))} of it ${ESTIMATE_WHY}`} />
                          </>
                        )}
                      </td>
                      <td className="num">{formatShare(g.total, grand)}</td>
                    </tr>
                    {open.has(g.domain) &&
                      g.hosts.map((h) => (
                        <tr key={`${g.domain} ${h.domain}`} className="small" data-host={h.domain}>
                          <td style={{ paddingLeft: 22 }} className="muted">
                            {h.domain}
                          </td>
                          <td />
                          <td className="num muted">{formatBytes(h.bytesIn)}</td>
                          <td className="num muted">{formatBytes(h.bytesOut)}</td>
                          <td className="num muted">{formatBytes(totalOf(h))}</td>
                          <td className="num muted">{formatShare(totalOf(h), grand)}</td>
                        </tr>
                      ))}
                  </Fragment>
                ))}
              </tbody>
            </table>
            <p className="small faint" style={{ margin: '4px 0 0' }}>
              hosts are grouped under their registrable domain (Public Suffix List); with domain rollup on, netmon stores only the registrable domain
            </p>
          </section>
          {selectedGroup !== null && list.data !== null && <DomainDetailPanel group={selectedGroup} since={list.data.since} until={list.data.until} />}
        </div>
      )}
    </div>
  );
}
