// Settings › Export: a preset range as a CSV or JSON file, rendered by the engine (data:export).
import { useState } from 'react';
import type { RangePreset } from '../../src-shared/contract/types.js';
import { downloadText } from '../lib/download.js';
import { useServices } from '../state/services.js';
import { ErrorNote, type CallError } from './ErrorNote.js';

const EXPORT_RANGES = ['today', '7d', '30d', '90d', '365d'] as const satisfies readonly RangePreset[];

/** Exports a preset range as CSV or JSON rows per application, domain, hour or day. */
export function ExportSettings() {
  const { client } = useServices();
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [by, setBy] = useState<'app' | 'domain' | 'hour' | 'day'>('app');
  const [range, setRange] = useState<(typeof EXPORT_RANGES)[number]>('30d');
  const [error, setError] = useState<CallError | null>(null);
  const run = async (): Promise<void> => {
    const result = await client.call('data:export', { range, format, by });
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    downloadText(result.value.filename, result.value.contentType, result.value.body);
  };
  return (
    <div className="row" data-testid="export">
      <label className="small">
        range{' '}
        <select value={range} onChange={(e) => setRange(e.target.value as typeof range)}>
          {EXPORT_RANGES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="small">
        rows per{' '}
        <select value={by} onChange={(e) => setBy(e.target.value as typeof by)}>
          <option value="app">application</option>
          <option value="domain">domain</option>
          <option value="hour">hour</option>
          <option value="day">day</option>
        </select>
      </label>
      <label className="small">
        format{' '}
        <select value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
          <option value="csv">CSV</option>
          <option value="json">JSON</option>
        </select>
      </label>
      <button type="button" onClick={() => void run()}>
        export
      </button>
      {error !== null && <ErrorNote error={error} what="export" />}
    </div>
  );
}
