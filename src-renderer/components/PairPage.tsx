import { useState } from 'react';
import { isPlausibleToken } from '../api/pairing.js';
import { serverKnowsToken } from '../api/server-proof.js';
import { useServices } from '../state/services.js';
import { TokenForm } from './TokenForm.js';

/** What an unpaired browser shows: netmon answers nothing without the pairing token, so this is the way in. */
export function PairPage() {
  const { client, pairingProblem } = useServices();
  const [pasted, setPasted] = useState('');
  const [message, setMessage] = useState<string | null>(pairingProblem ?? null);
  const [busy, setBusy] = useState(false);

  const pair = async (): Promise<void> => {
    const token = pasted.trim().toLowerCase();
    if (!isPlausibleToken(token)) {
      setMessage('a pairing token is 64 hexadecimal characters');
      return;
    }
    setBusy(true);
    // The server proves it knows the token before the page keeps it (nothing of it is sent).
    const known = await serverKnowsToken((input, init) => fetch(input, init), '', window.location.host, token);
    setBusy(false);
    if (!known) {
      setMessage('netmon did not accept this token (or the server on this port is not netmon)');
      return;
    }
    client.pair(token);
    window.location.reload();
  };

  return (
    <main className="pair-page" id="main" data-testid="pair-page">
      <h1>Pair this browser</h1>
      <p>
        netmon shows your history only to browsers paired with it: other accounts on this machine can reach this port too. To pair,
        run <code>netmon serve --open</code> (it opens this page with a one-time code), or open the dashboard link <code>netmon serve</code>{' '}
        prints, or paste the token from the <code>pairing-token</code> file in netmon&apos;s data folder (the app shows it in its settings).
      </p>
      <TokenForm value={pasted} onChange={setPasted} onSubmit={() => void pair()} busy={busy} primary />
      {message !== null && (
        <p className="note error" data-testid="pair-problem">
          {message}
        </p>
      )}
    </main>
  );
}
