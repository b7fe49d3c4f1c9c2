import { RETENTION_ESTIMATE_WHY } from '../lib/selectors.js';

/** The small "estimate" badge (same look as the month projection's), its tooltip saying why. */
export function EstimateMark({ why = RETENTION_ESTIMATE_WHY, testId }: { why?: string; testId?: string }) {
  return (
    <span className="estimate" title={why} data-testid={testId}>
      estimate
    </span>
  );
}
