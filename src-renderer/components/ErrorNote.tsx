import { routeHash } from '../lib/route.js';

/** A failed call's error, as the client returns it. */
export type CallError = { code: string; message: string };

/** What a write said when it finished: a line to show, or its error. */
export type CallOutcome = { ok: true; text: string } | { ok: false; error: CallError } | null;

/** A failed call, said plainly; a missing pairing points to where the dashboard is paired. */
export function ErrorNote({ error, what }: { error: CallError; what?: string }) {
  const prefix = what === undefined ? '' : `${what}: `;
  if (error.code === 'unauthorized') {
    return (
      <p className="note warn" role="alert">
        {prefix}this dashboard is not paired with netmon yet, so it cannot change anything. <a href={routeHash('settings')}>Pair it in Settings</a>.
      </p>
    );
  }
  return (
    <p className="note error" role="alert">
      {prefix}
      {error.message} <span className="faint">({error.code})</span>
    </p>
  );
}
