import type { LedgerView } from '../../src-shared/networks.js';
import { ledgerFlagText } from '../lib/network-text.js';

/** Says plainly when an hour of the range shown was flagged by the ledger (connections over 1.2 × the interfaces); nothing otherwise. */
export function LedgerFlag({ ledger }: { ledger: LedgerView | null }) {
  if (ledger === null || ledger.flagged.length === 0) return null;
  const text = ledgerFlagText(ledger.flagged);
  return (
    <div className="note warn" role="note" data-testid="ledger-flag" data-flagged={ledger.flagged.length} data-hours={ledger.flagged.map((h) => h.hourStart).join(' ')}>
      <p style={{ margin: 0 }}>
        <strong>{text.headline}</strong> {text.meaning}
      </p>
      <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
        {text.hours.slice(0, 5).map((h) => (
          <li key={h} data-testid="ledger-flag-hour">
            {h}
          </li>
        ))}
        {text.hours.length > 5 && <li className="muted">and {text.hours.length - 5} more</li>}
      </ul>
    </div>
  );
}
