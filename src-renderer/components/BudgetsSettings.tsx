// Settings › Budgets: per-cycle budgets for one app or one site, added and removed here (the engine
// validates and names a bad field); the same rows `netmon budget list` shows.
import { useState } from 'react';
import { usedText } from '../lib/plan-text.js';
import { useServices } from '../state/services.js';
import { useApi } from '../state/use-api.js';
import { ErrorNote } from './ErrorNote.js';

export function BudgetsSettings({ canWrite }: { canWrite: boolean }) {
  const { client } = useServices();
  const budgets = useApi('budgets:list', {});
  const [kind, setKind] = useState<'app' | 'domain'>('domain');
  const [name, setName] = useState('');
  const [quota, setQuota] = useState('');
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (): Promise<void> => {
    setBusy(true);
    const quotaGb = Number(quota);
    const result = await client.call('budgets:add', kind === 'app' ? { app: name, quotaGb } : { domain: name, quotaGb });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setName('');
    setQuota('');
    budgets.reload();
  };
  const remove = async (id: number): Promise<void> => {
    const result = await client.call('budgets:remove', { id });
    if (!result.ok) setError(result.error);
    budgets.reload();
  };

  return (
    <div data-testid="budgets-settings">
      {budgets.error !== null && <ErrorNote error={budgets.error} what="budgets" />}
      {budgets.data !== null && budgets.data.budgets.length === 0 && <p className="small muted">no budgets yet</p>}
      {budgets.data !== null && budgets.data.budgets.length > 0 && (
        <table className="small" data-testid="budgets-list">
          <tbody>
            {budgets.data.budgets.map((b) => (
              <tr key={b.budget.id} data-level={b.level}>
                <td>
                  {b.budget.target.kind === 'app' ? 'app' : 'site'} <strong>{b.budget.target.name}</strong>
                </td>
                <td className="num">{usedText(b)} this cycle</td>
                <td>
                  <button type="button" disabled={!canWrite} onClick={() => void remove(b.budget.id)} aria-label={`remove the budget for ${b.budget.target.name}`}>
                    remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <select aria-label="budget for" value={kind} onChange={(e) => setKind(e.target.value === 'app' ? 'app' : 'domain')} disabled={!canWrite}>
          <option value="domain">site</option>
          <option value="app">app</option>
        </select>
        <input aria-label="app or site" placeholder={kind === 'app' ? 'Steam' : 'youtube.com'} value={name} onChange={(e) => setName(e.target.value)} disabled={!canWrite} data-testid="budget-name" />
        <input aria-label="quota in GB per cycle" placeholder="GB per cycle" inputMode="decimal" size={8} value={quota} onChange={(e) => setQuota(e.target.value)} disabled={!canWrite} data-testid="budget-quota" />
        <button type="submit" className="primary" disabled={!canWrite || busy || name.trim() === '' || quota.trim() === ''} data-testid="budget-add">
          add budget
        </button>
      </form>
      <p className="small faint">A budget follows the plan&apos;s billing cycle (the calendar month without a plan) and warns at 80, 95 and 100 %.</p>
      {error !== null && <ErrorNote error={error} />}
    </div>
  );
}
