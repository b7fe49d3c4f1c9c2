import type { ByteTotals } from '../../src-shared/contract/types.js';
import { formatShare } from '../lib/format.js';

/** Received and sent as one bar, split in proportion; `scale` (0..1) shortens it against a larger row. */
export function InOutBar({ totals, scale = 1 }: { totals: ByteTotals; scale?: number }) {
  const total = totals.bytesIn + totals.bytesOut;
  const inPct = total > 0 ? (totals.bytesIn / total) * 100 * scale : 0;
  const outPct = total > 0 ? (totals.bytesOut / total) * 100 * scale : 0;
  return (
    <div className="bar" role="img" aria-label={`received ${formatShare(totals.bytesIn, total)}, sent ${formatShare(totals.bytesOut, total)}`}>
      <span className="b-in" style={{ width: `${inPct}%` }} />
      <span className="b-out" style={{ width: `${outPct}%` }} />
    </div>
  );
}
