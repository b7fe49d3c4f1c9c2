import type { GapView } from '../../src-shared/contract/types.js';
import { gapMessages } from '../lib/gaps.js';

/** Names the stretches netmon was not running in the range shown; nothing when there were none. */
export function GapNotes({ gaps, timeZone }: { gaps: readonly GapView[] | undefined; timeZone?: string }) {
  const { messages, more } = gapMessages(gaps, timeZone);
  if (messages.length === 0) return null;
  return (
    <ul className="note info gaps" data-testid="gaps" aria-label="gaps in the record">
      {messages.map((m) => (
        <li key={m} data-testid="gap">
          {m}
        </li>
      ))}
      {more > 0 && <li className="muted">and {more} more time{more === 1 ? '' : 's'} netmon was not running in this range</li>}
    </ul>
  );
}
