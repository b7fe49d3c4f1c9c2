// Settings › Purge a range: everything recorded over whole local days, after a confirmation.
import { useState } from 'react';
import { formatDate, formatDateTime } from '../lib/format.js';
import { dayRange, epochToDateInput } from '../lib/ranges.js';
import { useServices } from '../state/services.js';
import { ErrorNote, type CallOutcome } from './ErrorNote.js';

/** Purges a range of whole local days after a confirmation. */
export function PurgeSettings({ canWrite, nowS }: { canWrite: boolean; nowS: number }) {
  const { client } = useServices();
  const today = epochToDateInput(nowS);
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<CallOutcome>(null);
  const range = dayRange(from, to);
  const run = async (): Promise<void> => {
    if (!range.ok) return;
    setConfirming(false);
    const result = await client.call('data:purge', { since: range.since, until: range.until });
    setOutcome(
      result.ok
        ? { ok: true, text: `deleted ${result.value.deletedRows} rows recorded ${formatDateTime(result.value.since)} – ${formatDateTime(result.value.until)}` }
        : { ok: false, error: result.error },
    );
  };
  return (
    <div data-testid="purge">
      <div className="row">
        <label className="small">
          from <input type="date" value={from} max={today} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="small">
          to <input type="date" value={to} max={today} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="button" className="danger" disabled={!canWrite || !range.ok} onClick={() => setConfirming(true)}>
          purge…
        </button>
        {!range.ok && <span className="small out">{range.message}</span>}
      </div>
      {confirming && range.ok && (
        <div className="note warn row" role="alertdialog" aria-label="confirm purge" style={{ marginTop: 6 }}>
          Delete everything recorded from {formatDate(range.since)} to {formatDate(range.until - 1)} (both days whole)? This cannot be undone.
          <button type="button" className="danger" onClick={() => void run()}>
            delete
          </button>
          <button type="button" onClick={() => setConfirming(false)} autoFocus>
            cancel
          </button>
        </div>
      )}
      {outcome?.ok === true && <p className="small">{outcome.text}</p>}
      {outcome?.ok === false && <ErrorNote error={outcome.error} what="purge" />}
    </div>
  );
}
