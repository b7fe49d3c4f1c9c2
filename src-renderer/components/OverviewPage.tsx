import { useEffect, useRef } from 'react';
import type { RangePreset } from '../../src-shared/contract/types.js';
import { networkRequests, overviewPreset, overviewRequests } from '../lib/overview-requests.js';
import { TIMELINE_PRESETS } from '../lib/ranges.js';
import { pieSlices } from '../lib/selectors.js';
import { routeHash } from '../lib/route.js';
import { useServices } from '../state/services.js';
import { useApi } from '../state/use-api.js';
import { navigate, replaceParams } from '../state/use-route.js';
import { useZoom } from '../state/use-zoom.js';
import { AppsPie } from './AppsPie.js';
import { CollectingNote } from './CollectingNote.js';
import { DomainsTable } from './DomainsTable.js';
import { ErrorNote } from './ErrorNote.js';
import { EstimateMark } from './EstimateMark.js';
import { GapNotes } from './GapNotes.js';
import { LedgerFlag } from './LedgerFlag.js';
import { LiveGauge } from './LiveGauge.js';
import { NetworkBreakdown } from './NetworkBreakdown.js';
import { NetworkPicker } from './NetworkPicker.js';
import { PlanPanel } from './PlanPanel.js';
import { QuickStats } from './QuickStats.js';
import { RangeControls, presetLabel } from './RangeControls.js';
import { TimelineChart } from './TimelineChart.js';

/** How often a range's views ask again as the live feed ticks: short ranges follow closely. */
function refreshFor(preset: RangePreset): number {
  return preset === '1h' ? 10 : preset === '24h' ? 30 : 120;
}

/** The first page: the live rate, the totals, the timeline, the top apps and domains. */
export function OverviewPage({ params }: { params: Record<string, string> }) {
  const { now } = useServices();
  const nowS = (): number => Math.floor(now() / 1000);
  const preset = overviewPreset(params);
  const zoom = useZoom(preset, nowS);
  // One network picked (`network=ID`), or all of them: the timeline and the top apps follow it.
  const network = params['network'] ?? null;
  const requests = overviewRequests(zoom.view);
  const onNetwork = network === null ? null : networkRequests(zoom.view, network);
  const live = zoom.zoomed === null ? { refreshS: refreshFor(preset) } : {};
  const allTimeline = useApi('usage:timeline', onNetwork === null ? requests.timeline : null, live);
  const networkTimeline = useApi('networks:timeline', onNetwork?.timeline ?? null, live);
  const timeline = onNetwork === null ? allTimeline : networkTimeline;
  const allApps = useApi('apps:list', onNetwork === null ? requests.apps : null, live);
  const networkApps = useApi('networks:apps', onNetwork?.apps ?? null, live);
  const apps = onNetwork === null ? allApps : networkApps;
  const domains = useApi('domains:list', requests.domains, live);
  const summary = useApi('usage:summary', requests.summary, { refreshS: 30 });
  const networks = useApi('networks:list', requests.networks, live);
  const ledger = useApi('networks:ledger', requests.ledger, live);
  const pickNetwork = (next: string | null): void => replaceParams('overview', { range: preset, network: next ?? undefined });
  const networkName = network === null ? null : (networks.data?.networks.find((n) => n.network === network)?.label ?? network);

  const ready = timeline.data !== null && summary.data !== null && timeline.dataKey === timeline.key;
  const marked = useRef(false);
  useEffect(() => {
    if (ready && !marked.current) {
      marked.current = true;
      // The benchmark's "first meaningful paint": totals and the timeline are on screen.
      performance.mark('netmon:overview-ready');
    }
  }, [ready]);

  const shown = timeline.data === null ? null : { since: timeline.data.since, until: timeline.data.until };
  const span = zoom.zoomed === null ? `last ${presetLabel(preset)}` : 'zoomed range';
  const label = networkName === null ? span : `${span} · ${networkName}`;
  return (
    <div className="page" data-testid="page-overview" data-ready={ready ? 'true' : 'false'} data-network={network ?? ''}>
      <div className="pagehead">
        <h1>Overview</h1>
        <span className="spacer" />
        <NetworkPicker networks={networks.data?.networks ?? null} value={network} onChange={pickNetwork} />
        <RangeControls
          presets={TIMELINE_PRESETS}
          value={preset}
          onPreset={(p) => {
            zoom.reset();
            replaceParams('overview', { range: p, network: network ?? undefined });
          }}
          zoomed={zoom.zoomed}
          onZoomIn={() => shown !== null && zoom.zoomBy(0.5, shown)}
          onZoomOut={() => shown !== null && zoom.zoomBy(2, shown)}
          onReset={zoom.reset}
        />
      </div>
      <CollectingNote />
      <LedgerFlag ledger={ledger.data} />
      <div className="grid overview-top">
        <section className="panel" aria-labelledby="h-live">
          <div className="panelhead">
            <h2 id="h-live">Now</h2>
          </div>
          <LiveGauge />
        </section>
        <section className="panel" aria-labelledby="h-totals">
          <div className="panelhead">
            <h2 id="h-totals">Totals</h2>
            <span className="small faint">all traffic on every network, unattributed included · from local midnight</span>
          </div>
          {summary.error !== null && <ErrorNote error={summary.error} what="totals" />}
          {summary.data !== null && <QuickStats summary={summary.data} nowS={nowS()} />}
        </section>
      </div>
      <PlanPanel />
      <section className="panel" aria-labelledby="h-timeline">
        <div className="panelhead">
          <h2 id="h-timeline">Timeline</h2>
          <span className="small muted">{label}</span>
        </div>
        {timeline.error !== null && <ErrorNote error={timeline.error} what="timeline" />}
        <GapNotes gaps={timeline.data?.gaps} />
        {timeline.data !== null && <TimelineChart timeline={timeline.data} loading={timeline.loading || timeline.dataKey !== timeline.key} onZoom={zoom.zoomTo} />}
      </section>
      <section className="panel" aria-labelledby="h-networks">
        <div className="panelhead">
          <h2 id="h-networks">By network</h2>
          <span className="small muted">{span}</span>
        </div>
        {networks.error !== null && <ErrorNote error={networks.error} what="networks" />}
        {networks.data !== null && <NetworkBreakdown list={networks.data} picked={network} onPick={pickNetwork} />}
      </section>
      <div className="grid two">
        <section className="panel" aria-labelledby="h-apps">
          <div className="panelhead">
            <h2 id="h-apps">Top applications</h2>
            <span className="small muted">{label}</span>
            {apps.data?.approximate === true && <EstimateMark testId="top-apps-estimate" />}
            <span className="spacer" />
            <a className="small" href={routeHash('apps', { range: preset })}>
              all applications →
            </a>
          </div>
          {apps.error !== null && <ErrorNote error={apps.error} what="applications" />}
          {apps.data !== null &&
            (apps.data.apps.length === 0 ? (
              <p className="empty">no application traffic in this range{network === null ? '' : ' on this network'}</p>
            ) : (
              <AppsPie slices={pieSlices(apps.data.apps, 10)} onPick={(app) => navigate('apps', { range: preset, app })} />
            ))}
        </section>
        <section className="panel" aria-labelledby="h-domains">
          <div className="panelhead">
            <h2 id="h-domains">Top domains</h2>
            <span className="small muted">{network === null ? span : `${span} · all networks (sites are not recorded per network)`}</span>
            {domains.data?.approximate === true && <EstimateMark testId="top-domains-estimate" />}
            <span className="spacer" />
            <a className="small" href={routeHash('domains', { range: preset })}>
              all domains →
            </a>
          </div>
          {domains.error !== null && <ErrorNote error={domains.error} what="domains" />}
          {domains.data !== null && <DomainsTable domains={domains.data.domains} />}
        </section>
      </div>
    </div>
  );
}
