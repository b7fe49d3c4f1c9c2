import type { NetworkView } from '../../src-shared/networks.js';
import { pickerLabel } from '../lib/network-text.js';

/** "All networks" or one of them: the filter of the Overview and History pages. */
export function NetworkPicker({ networks, value, onChange }: { networks: readonly NetworkView[] | null; value: string | null; onChange: (network: string | null) => void }) {
  // A network picked by link but not in this range's list still shows as picked.
  const known = networks ?? [];
  const missing = value !== null && !known.some((n) => n.network === value);
  return (
    <label className="small">
      network{' '}
      <select aria-label="network" data-testid="network-picker" value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}>
        <option value="">All networks</option>
        {known.map((n) => (
          <option key={n.network} value={n.network}>
            {pickerLabel(n)}
          </option>
        ))}
        {missing && <option value={value}>{value}</option>}
      </select>
    </label>
  );
}
