import { useState } from 'react';
import { formatBytes, formatBytesShort, formatClock, formatRate, formatShare } from '../lib/format.js';
import { barScale, popoverPlanLine } from '../lib/plan-text.js';
import { routeHash } from '../lib/route.js';
import { recoveredText } from '../lib/storage-text.js';
import { totalOf, UNATTRIBUTED } from '../lib/selectors.js';
import { HISTORY_WINDOW_S } from '../state/live-history.js';
import { useNetmon, useServices } from '../state/services.js';
import { useApi } from '../state/use-api.js';
import { CollectingNote } from './CollectingNote.js';
import { ErrorNote } from './ErrorNote.js';
import { EstimateMark } from './EstimateMark.js';
import { Sparkline } from './Sparkline.js';

const PAUSES = [
  { value: '15', label: 'for 15 min' },
  { value: '60', label: 'for 1 hour' },
  { value: '480', label: 'for 8 hours' },
  { value: '', label: 'until resumed' },
] as const;

function SamplerHealth() {
  const status = useNetmon((s) => s.status);
  if (status === null || status.sampler.state === 'running') return null;
  const { sampler, state, reason, restarts } = status.sampler;
  return (
    <p className={state === 'failing' || state === 'stopped' ? 'note error' : 'note warn'} role="status" data-testid="sampler-health">
      sampler {sampler} {state}
      {reason !== null && `: ${reason}`}
      {restarts > 0 && ` (restarted ${restarts}×)`}
    </p>
  );
}

function StorageHealth() {
  const storage = useNetmon((s) => s.status?.storage ?? null);
  if (storage === null || (storage.ok && storage.recoveredTo === null)) return null;
  return (
    <p className={storage.ok ? 'note warn' : 'note error'} role="status" data-testid="storage-health">
      {storage.ok ? recoveredText(storage) : `cannot save: ${storage.error ?? 'unknown error'}`}
      {storage.pendingRows > 0 && ` — ${storage.pendingRows} rows waiting in memory`}
    </p>
  );
}

function PauseControl() {
  const { client, store } = useServices();
  const pause = useNetmon((s) => s.status?.pause ?? null);
  const [minutes, setMinutes] = useState<string>('15');
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const canWrite = client.canWrite();
  const apply = async (paused: boolean): Promise<void> => {
    setBusy(true);
    const result = paused ? await client.call('capture:pause', minutes === '' ? {} : { minutes: Number(minutes) }) : await client.call('capture:resume', {});
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    const status = store.getState().status;
    if (status !== null) store.getState().setStatus({ ...status, pause: result.value });
  };
  if (pause?.paused === true) {
    return (
      <div className="row" data-testid="pause-control" data-paused="true">
        <span className="small">paused{pause.until === null ? ' until resumed' : ` until ${formatClock(pause.until)}`}</span>
        <button type="button" className="primary" disabled={busy || !canWrite} onClick={() => void apply(false)}>
          resume
        </button>
        {error !== null && <ErrorNote error={error} />}
      </div>
    );
  }
  return (
    <div className="row" data-testid="pause-control" data-paused="false">
      <button type="button" disabled={busy || !canWrite || pause === null} onClick={() => void apply(true)}>
        pause
      </button>
      <select aria-label="pause for" value={minutes} onChange={(e) => setMinutes(e.target.value)} disabled={!canWrite}>
        {PAUSES.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </select>
      {!canWrite && (
        <a className="small" href={routeHash('settings')} target="_blank" rel="noopener">
          pair to pause
        </a>
      )}
      {error !== null && <ErrorNote error={error} />}
    </div>
  );
}

/** The menubar's view (about 360 × 480): the rate now, today, the top five apps, pause, the way to the dashboard. */
export function Popover() {
  const latest = useNetmon((s) => s.latest);
  const history = useNetmon((s) => s.history);
  const connection = useNetmon((s) => s.connection);
  // A sampler in trouble has its own note above; the collecting note would repeat it.
  const samplerOk = useNetmon((s) => s.status === null || s.status.sampler.state === 'running' || s.status.sampler.state === 'starting');
  const summary = useApi('usage:summary', {}, { refreshS: 15 });
  const apps = useApi('apps:list', { range: 'today', limit: 5 }, { refreshS: 15 });
  const plans = useApi('plans:status', {}, { refreshS: 60 });
  const plan = plans.data?.plan ?? null;
  const today = summary.data?.today ?? null;
  const todayTotal = today === null ? 0 : totalOf(today);
  return (
    <div className="popover" data-testid="popover" data-ready={summary.data !== null && apps.data !== null ? 'true' : 'false'}>
      <header>
        <strong>netmon</strong>
        <span className="spacer" />
        <span className="small muted" title={`live feed: ${connection}`}>
          <span className={`dot ${connection}`} aria-hidden="true" />
          {connection === 'open' ? 'live' : connection}
        </span>
      </header>
      <div className="now" aria-label="current rate">
        <div>
          <div className="small muted">
            <span className="in">↓</span> download
          </div>
          <div className="rate" data-testid="rate-in">
            {latest === null ? '—' : formatRate(latest.bytesInPerS)}
          </div>
        </div>
        <div>
          <div className="small muted">
            <span className="out">↑</span> upload
          </div>
          <div className="rate" data-testid="rate-out">
            {latest === null ? '—' : formatRate(latest.bytesOutPerS)}
          </div>
        </div>
      </div>
      <div>
        <Sparkline points={history} width={336} height={36} windowS={HISTORY_WINDOW_S} />
        <div className="small faint">last {HISTORY_WINDOW_S / 60} min{latest !== null && `, each point a ${latest.intervalS} s average`}</div>
      </div>
      {plan !== null && (
        <div className={`planline level-${plan.level}`} data-testid="popover-plan">
          <div className="planbar small-bar" aria-hidden="true">
            <span className="used" style={{ width: `${barScale(plan).used}%` }} />
            <span className="quota" style={{ left: `${barScale(plan).quota}%` }} />
          </div>
          {popoverPlanLine(plan)}
        </div>
      )}
      <SamplerHealth />
      <StorageHealth />
      {samplerOk && <CollectingNote />}
      <div className="today">
        <span className="muted">today {today?.approximate === true && <EstimateMark testId="today-estimate" />}</span>
        <span className="value" data-testid="today-total">
          {today === null ? '—' : formatBytes(todayTotal)}
        </span>
      </div>
      {today !== null && (
        <div className="small" style={{ textAlign: 'right', marginTop: -6 }}>
          <span className="in">↓ {formatBytesShort(today.bytesIn)}</span> <span className="out">↑ {formatBytesShort(today.bytesOut)}</span>
        </div>
      )}
      <div>
        <div className="small muted">
          top apps today {apps.data?.approximate === true && <EstimateMark testId="popover-apps-estimate" />}
        </div>
        {apps.error !== null && <ErrorNote error={apps.error} />}
        {apps.data !== null && apps.data.apps.length === 0 && <p className="small muted">nothing recorded today yet</p>}
        {apps.data !== null && apps.data.apps.length > 0 && (
          <table data-testid="popover-apps">
            <tbody>
              {apps.data.apps.map((a) => (
                <tr key={a.app} className={a.app === UNATTRIBUTED ? 'unattributed' : undefined}>
                  <td style={{ maxWidth: 170, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{a.app === UNATTRIBUTED ? 'Unattributed' : a.app}</td>
                  <td className="num">{formatBytesShort(totalOf(a))}</td>
                  <td className="num small muted">{formatShare(totalOf(a), todayTotal)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <footer>
        <PauseControl />
        <span style={{ flex: 1 }} />
        <a href={routeHash('overview')} target="_blank" rel="noopener" data-testid="open-dashboard">
          open dashboard
        </a>
      </footer>
    </div>
  );
}
