import { useEffect, useRef } from 'react';
import type { RangePreset } from '../../src-shared/contract/types.js';
import { overviewPreset, overviewRequests } from '../lib/overview-requests.js';
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
import { LiveGauge } from './LiveGauge.js';
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
  const requests = overviewRequests(zoom.view);
  const live = zoom.zoomed === null ? { refreshS: refreshFor(preset) } : {};
  const timeline = useApi('usage:timeline', requests.timeline, live);
  const apps = useApi('apps:list', requests.apps, live);
  const domains = useApi('domains:list', requests.domains, live);
  const summary = useApi('usage:summary', requests.summary, { refreshS: 30 });

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
  const label = zoom.zoomed === null ? `last ${presetLabel(preset)}` : 'zoomed range';
  return (
    <div className="page" data-testid="page-overview" data-ready={ready ? 'true' : 'false'}>
      <div className="pagehead">
        <h1>Overview</h1>
        <span className="spacer" />
        <RangeControls
          presets={TIMELINE_PRESETS}
          value={preset}
          onPreset={(p) => {
            zoom.reset();
            replaceParams('overview', { range: p });
          }}
          zoomed={zoom.zoomed}
          onZoomIn={() => shown !== null && zoom.zoomBy(0.5, shown)}
          onZoomOut={() => shown !== null && zoom.zoomBy(2, shown)}
          onReset={zoom.reset}
        />
      </div>
      <CollectingNote />
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
            <span className="small faint">all traffic, unattributed included · from local midnight</span>
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
              <p className="empty">no application traffic in this range</p>
            ) : (
              <AppsPie slices={pieSlices(apps.data.apps, 10)} onPick={(app) => navigate('apps', { range: preset, app })} />
            ))}
        </section>
        <section className="panel" aria-labelledby="h-domains">
          <div className="panelhead">
            <h2 id="h-domains">Top domains</h2>
            <span className="small muted">{label}</span>
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
