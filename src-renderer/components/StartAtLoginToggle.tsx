// Start at login, in the app's settings (the Electron shell only: a browser dashboard has no such
// control). The same switch as the tray menu's checkbox: the shell's login-item:get/set channels.
import { useEffect, useState } from 'react';
import type { NetmonBridge, StartAtLogin } from '../../src-shared/contract/ipc.js';
import { ErrorNote, type CallError } from './ErrorNote.js';

/** A checkbox over the shell's login item; disabled where the platform cannot do it. */
export function StartAtLoginToggle({ control }: { control: NetmonBridge['startAtLogin'] }) {
  const [state, setState] = useState<StartAtLogin | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CallError | null>(null);
  useEffect(() => {
    let cancelled = false;
    void control.get().then((result) => {
      if (cancelled) return;
      if (result.ok) setState(result.value);
      else setError(result.error);
    });
    return () => {
      cancelled = true;
    };
  }, [control]);

  const change = async (enabled: boolean): Promise<void> => {
    setBusy(true);
    const result = await control.set(enabled);
    setBusy(false);
    if (result.ok) {
      setState(result.value);
      setError(null);
    } else {
      setError(result.error);
    }
  };

  return (
    <div className="row" style={{ marginTop: 12 }} data-testid="start-at-login">
      <label className="small">
        <input
          type="checkbox"
          checked={state?.enabled === true}
          disabled={state === null || !state.supported || busy}
          onChange={(e) => void change(e.target.checked)}
        />{' '}
        Start netmon at login
      </label>
      {state !== null && !state.supported && <span className="hint">not offered on this system</span>}
      {state?.requiresApproval === true && <span className="hint">allow netmon in System Settings → General → Login Items</span>}
      {error !== null && <ErrorNote error={error} what="start at login" />}
    </div>
  );
}
