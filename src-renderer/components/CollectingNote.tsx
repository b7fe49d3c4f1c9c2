import { collectingMessage } from '../lib/collecting.js';
import { useNetmon } from '../state/services.js';

/** Says why views are empty while the engine is starting, paused or failing; nothing once data flows. */
export function CollectingNote() {
  const status = useNetmon((s) => s.status);
  const latest = useNetmon((s) => s.latest);
  const intervalS = useNetmon((s) => s.config?.sampling_interval_seconds ?? null);
  const message = collectingMessage({ status, latest, intervalS });
  if (message === null) return null;
  return (
    <p className="note info" role="status" data-testid="collecting">
      {message}
    </p>
  );
}
