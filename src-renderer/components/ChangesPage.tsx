// "What changed": apps and sites this window against the last and the median of the four before,
// by absolute change, with badges and unusual days (their one-line cause). The engine ranks and scores.
import { formatBytes, formatDay } from '../lib/format.js';
import { badgeLabel, signedBytes } from '../lib/plan-text.js';
import { replaceParams } from '../state/use-route.js';
import { useApi } from '../state/use-api.js';
import { ErrorNote } from './ErrorNote.js';
import { Segmented } from './Segmented.js';

const WINDOWS = [
  { value: '7', label: 'week' },
  { value: '14', label: '2 weeks' },
  { value: '28', label: '4 weeks' },
] as const;

export function ChangesPage({ params }: { params: Record<string, string> }) {
  const days = WINDOWS.some((w) => w.value === params['days']) ? Number(params['days']) : 7;
  const changes = useApi('changes:list', { days }, { refreshS: 300 });
  const view = changes.data;
  const anomalies = view?.rows.filter((r) => r.anomaly !== null) ?? [];
  return (
    <div className="page" data-testid="page-changes" data-ready={view !== null ? 'true' : 'false'}>
      <div className="pagehead">
        <h1>What changed</h1>
        <span className="spacer" />
        <Segmented label="window" options={WINDOWS} value={String(days)} onChange={(v) => replaceParams('changes', { days: v })} />
      </div>
      {changes.error !== null && <ErrorNote error={changes.error} what="changes" />}
      {view !== null && (
        <>
          <section className="panel" aria-labelledby="h-unusual">
            <div className="panelhead">
              <h2 id="h-unusual">Unusual days</h2>
              <span className="small faint">against the same weekday of the previous 4–8 weeks (modified z-score ≥ 3.5, and ≥ 200 MB or ≥ 5 % of the window)</span>
            </div>
            {view.reason !== null && <p className="note info">{view.reason}</p>}
            {view.scored && anomalies.length === 0 && <p className="empty">nothing unusual in this window</p>}
            <ul className="causes" data-testid="changes-causes">
              {anomalies.slice(0, 8).map((r) => (
                <li key={`${r.kind}:${r.name}`}>
                  <strong>{r.anomaly?.cause}</strong> <span className="muted">on {r.anomaly === null ? '' : formatDay(r.anomaly.dayStart)}, usually {formatBytes(r.anomaly?.usual ?? 0)} (z {r.anomaly?.z.toFixed(1)})</span>
                </li>
              ))}
            </ul>
          </section>
          <section className="panel" aria-labelledby="h-changes">
            <div className="panelhead">
              <h2 id="h-changes">Apps and sites</h2>
              <span className="small muted">
                last {days} days vs the {days} before vs the median of the four before · sorted by absolute change
              </span>
            </div>
            <table className="data" data-testid="changes-table">
              <thead>
                <tr>
                  <th>app or site</th>
                  <th className="num">this</th>
                  <th className="num">last</th>
                  <th className="num">median</th>
                  <th className="num">change</th>
                  <th>notes</th>
                </tr>
              </thead>
              <tbody>
                {view.rows.map((r) => (
                  <tr key={`${r.kind}:${r.name}`} data-name={r.name}>
                    <td>
                      {r.name} {r.kind === 'domain' && <span className="faint small">site</span>}
                    </td>
                    <td className="num">{formatBytes(r.thisWindow)}</td>
                    <td className="num">{formatBytes(r.lastWindow)}</td>
                    <td className="num">{formatBytes(r.median4)}</td>
                    <td className={`num ${r.delta >= 0 ? 'out' : 'in'}`}>{signedBytes(r.delta)}</td>
                    <td>
                      {r.badges.map((b) => (
                        <span key={b} className={`badge badge-${b}`}>
                          {badgeLabel(b)}
                        </span>
                      ))}
                      {r.anomaly !== null && <span className="badge badge-unusual">unusual {r.anomaly.date}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
