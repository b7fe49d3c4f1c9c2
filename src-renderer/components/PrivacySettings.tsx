// Settings › Privacy: hide an app, domain or network from the views, keep it private (counted under
// "Private" or "Private network", its name or id never stored), back to normal, or forget its history
// after a confirmation. A network is named by its id (`netmon report --by network --json`).
import { useEffect, useState } from 'react';
import type { PrivacyEntry, PrivacyKind } from '../../src-shared/privacy.js';
import { useServices } from '../state/services.js';
import { ErrorNote, type CallOutcome } from './ErrorNote.js';

type Level = 'hide' | 'private' | 'normal';
const WORDS: Record<Level, string> = { hide: 'hidden from the views', private: 'counted under "Private", name not stored', normal: 'normal' };
/** What a level means for a kind: a private network is counted under "Private network", its id and label not stored. */
const words = (kind: PrivacyKind, level: Level): string => (kind === 'network' && level === 'private' ? 'counted under "Private network", id and label not stored' : WORDS[level]);

/** The privacy list with its controls. */
export function PrivacySettings({ canWrite }: { canWrite: boolean }) {
  const { client } = useServices();
  const [entries, setEntries] = useState<PrivacyEntry[] | null>(null);
  const [kind, setKind] = useState<PrivacyKind>('app');
  const [name, setName] = useState('');
  const [forgetting, setForgetting] = useState<{ kind: PrivacyKind; name: string } | null>(null);
  const [outcome, setOutcome] = useState<CallOutcome>(null);

  useEffect(() => {
    void client.call('privacy:list', {}).then((r) => setEntries(r.ok ? r.value.entries : []));
  }, [client]);

  const set = async (k: PrivacyKind, n: string, level: Level): Promise<void> => {
    const result = await client.call('privacy:set', { kind: k, name: n, level });
    if (result.ok) {
      setEntries(result.value.entries);
      const moved = (result.value.moved ?? []).map((m) => `; ${m}`).join('');
      setOutcome({ ok: true, text: `${k} ${n}: ${words(k, level)}${result.value.folded > 0 ? ` (${result.value.folded} stored rows moved under Private)` : ''}${moved}` });
    } else setOutcome({ ok: false, error: result.error });
  };
  const forget = async (): Promise<void> => {
    if (forgetting === null) return;
    const target = forgetting;
    setForgetting(null);
    const result = await client.call('privacy:forget', { ...target, confirm: true });
    const rows = result.ok ? Object.values(result.value.deleted).reduce((a, b) => a + b, 0) : 0;
    setOutcome(result.ok ? { ok: true, text: `forgot ${target.kind} ${target.name}: ${rows} rows deleted` } : { ok: false, error: result.error });
  };

  return (
    <div data-testid="privacy">
      {entries === null ? (
        <p className="muted">reading the list…</p>
      ) : entries.length === 0 ? (
        <p className="small muted">every app, domain and network is shown and stored as usual</p>
      ) : (
        <table className="small">
          <tbody>
            {entries.map((e) => (
              <tr key={`${e.kind}:${e.name}`}>
                <td>{e.kind}</td>
                <td>{e.name}</td>
                <td>{words(e.kind, e.level)}</td>
                <td>
                  <button type="button" disabled={!canWrite} onClick={() => void set(e.kind, e.name, 'normal')}>
                    normal
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row">
        <select aria-label="kind" value={kind} onChange={(e) => setKind(e.target.value as PrivacyKind)}>
          <option value="app">app</option>
          <option value="domain">domain</option>
          <option value="network">network</option>
        </select>
        <input aria-label="name" placeholder={kind === 'app' ? 'Firefox' : kind === 'domain' ? 'example.com' : 'wifi:aa:bb:cc:dd:ee:ff'} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="button" disabled={!canWrite || name.trim() === ''} onClick={() => void set(kind, name.trim(), 'hide')}>
          hide
        </button>
        <button type="button" disabled={!canWrite || name.trim() === ''} onClick={() => void set(kind, name.trim(), 'private')}>
          private
        </button>
        <button type="button" className="danger" disabled={!canWrite || name.trim() === ''} onClick={() => setForgetting({ kind, name: name.trim() })}>
          forget…
        </button>
      </div>
      {forgetting !== null && (
        <div className="note warn row" role="alertdialog" aria-label="confirm forget" style={{ marginTop: 6 }}>
          Delete every stored row of the {forgetting.kind} {forgetting.name}, in every tier? This cannot be undone.
          <button type="button" className="danger" onClick={() => void forget()}>
            forget
          </button>
          <button type="button" onClick={() => setForgetting(null)} autoFocus>
            cancel
          </button>
        </div>
      )}
      {outcome?.ok === true && <p className="small">{outcome.text}</p>}
      {outcome?.ok === false && <ErrorNote error={outcome.error} what="privacy" />}
    </div>
  );
}
