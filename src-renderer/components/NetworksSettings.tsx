// Settings › Networks: every network netmon saw (its name, how its id was made, kind, whether it is
// metered and why, when last seen, bytes this month); rename one, or mark it metered or not (the
// user's mark beats the OS flag and netmon's guesses; "netmon's guess" gives it back). The same marks
// as `netmon network rename|metered`, stored in the database's networks table.
import { useState } from 'react';
import { networkIdKind, UNKNOWN_NETWORK, type NetworkView } from '../../src-shared/networks.js';
import { formatBytes } from '../lib/format.js';
import { kindText, lastSeenText } from '../lib/network-text.js';
import { totalOf } from '../lib/selectors.js';
import { useServices } from '../state/services.js';
import { useApi } from '../state/use-api.js';
import { ErrorNote, type CallOutcome } from './ErrorNote.js';
import { EstimateMark } from './EstimateMark.js';

type Mark = 'auto' | 'metered' | 'not-metered';
const MARKS: Record<Mark, boolean | null> = { auto: null, metered: true, 'not-metered': false };

function markOf(n: NetworkView): Mark {
  return n.meteredBy === 'netmon' ? 'auto' : n.metered === true ? 'metered' : 'not-metered';
}

/** One network's row: its facts, a name field and the metered choice. */
function NetworkRow({ n, canWrite, nowS, onDone }: { n: NetworkView; canWrite: boolean; nowS: number; onDone: (outcome: CallOutcome) => void }) {
  const { client } = useServices();
  const [name, setName] = useState(n.userLabel ?? '');
  const fixed = n.network === UNKNOWN_NETWORK;
  const rename = async (): Promise<void> => {
    const result = await client.call('networks:rename', { network: n.network, label: name.trim() === '' ? null : name });
    onDone(result.ok ? { ok: true, text: `${n.network} is now called “${result.value.network.label}”` } : { ok: false, error: result.error });
  };
  const mark = async (value: Mark): Promise<void> => {
    const result = await client.call('networks:metered', { network: n.network, metered: MARKS[value] });
    onDone(result.ok ? { ok: true, text: `${result.value.network.label}: ${result.value.network.metered === true ? 'metered' : result.value.network.metered === false ? 'not metered' : 'metered?'} (${result.value.network.meteredReason})` } : { ok: false, error: result.error });
  };
  return (
    <tr data-network={n.network}>
      <td>
        <div>{n.label}</div>
        <div className="faint" title={n.network}>
          {networkIdKind(n.network)}
          {n.userLabel !== null && ` · netmon calls it ${n.netmonLabel}`}
        </div>
      </td>
      <td>{kindText(n.kind) || '—'}</td>
      <td>
        <select aria-label={`metered: ${n.label}`} value={markOf(n)} disabled={!canWrite || fixed} onChange={(e) => void mark(e.target.value as Mark)}>
          <option value="auto">netmon’s guess{n.meteredBy === 'netmon' ? ` (${n.metered === null ? 'not known' : n.metered ? 'metered' : 'not metered'})` : ''}</option>
          <option value="metered">metered</option>
          <option value="not-metered">not metered</option>
        </select>
        <div className="faint" data-testid="metered-reason">{n.meteredReason}</div>
      </td>
      <td>{lastSeenText(n.lastSeen, nowS)}</td>
      <td className="num">{formatBytes(totalOf(n))}</td>
      <td>
        {!fixed && (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void rename();
            }}
          >
            <input aria-label={`name: ${n.label}`} placeholder={n.netmonLabel} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
            <button type="submit" disabled={!canWrite || name.trim() === (n.userLabel ?? '')}>
              rename
            </button>
          </form>
        )}
      </td>
    </tr>
  );
}

/** The networks list with its controls. */
export function NetworksSettings({ canWrite, nowS }: { canWrite: boolean; nowS: number }) {
  const list = useApi('networks:list', { range: 'month' });
  const [outcome, setOutcome] = useState<CallOutcome>(null);
  const done = (o: CallOutcome): void => {
    setOutcome(o);
    list.reload();
  };
  return (
    <div data-testid="networks-settings">
      {list.error !== null && <ErrorNote error={list.error} what="networks" />}
      {list.data !== null &&
        (list.data.networks.length === 0 ? (
          <p className="small muted">no network recorded yet</p>
        ) : (
          <table className="small">
            <thead>
              <tr>
                <th>network</th>
                <th>kind</th>
                <th>metered</th>
                <th>last seen</th>
                <th className="num">this month {list.data.approximate && <EstimateMark />}</th>
                <th>name</th>
              </tr>
            </thead>
            <tbody>
              {list.data.networks.map((n) => (
                // Keyed by the user's name too, so a rename made elsewhere refills the field.
                <NetworkRow key={`${n.network}|${n.userLabel ?? ''}`} n={n} canWrite={canWrite} nowS={nowS} onDone={done} />
              ))}
            </tbody>
          </table>
        ))}
      {outcome?.ok === true && (
        <p className="small" data-testid="networks-saved">
          {outcome.text}
        </p>
      )}
      {outcome?.ok === false && <ErrorNote error={outcome.error} what="networks" />}
    </div>
  );
}
