// Settings › Pairing token: a paired dashboard shows the token for the extension; an unpaired one
// takes a pasted token, kept only when netmon confirms it (pairing:check).
import { useEffect, useState } from 'react';
import { isPlausibleToken } from '../api/pairing.js';
import { useServices } from '../state/services.js';
import { TokenForm } from './TokenForm.js';

/** The pairing token: shown (masked) to pair the extension, or pasted to pair this dashboard. */
export function PairingSettings({ dataDir, onPaired }: { dataDir: string | null; onPaired: () => void }) {
  const { client } = useServices();
  const [token, setToken] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const [pasted, setPasted] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void client.pairingToken().then((t) => {
      if (!cancelled) setToken(t);
    });
    return () => {
      cancelled = true;
    };
  }, [client, version]);

  const pair = async (): Promise<void> => {
    if (!isPlausibleToken(pasted)) {
      setMessage({ ok: false, text: 'a pairing token is 64 hexadecimal characters' });
      return;
    }
    client.pair(pasted);
    // pairing:check is a write that changes nothing: netmon answers it only for its own token.
    const probe = await client.call('pairing:check', {});
    if (probe.ok) {
      setMessage({ ok: true, text: 'paired: this dashboard can now change settings' });
      setPasted('');
      onPaired();
    } else {
      // Only a yes pairs: a token netmon refused, or one it could not check now, is not kept.
      client.pair(null);
      setMessage({
        ok: false,
        text: probe.error.code === 'unauthorized' ? 'netmon did not accept this token' : `could not check the token (${probe.error.message}); try again`,
      });
    }
    setVersion((v) => v + 1);
  };

  return (
    <div data-testid="pairing">
      {token !== null ? (
        <>
          <p className="small" style={{ margin: '0 0 4px' }}>
            Paste this token into the netmon browser extension to pair it. Anyone with it can change netmon&apos;s settings and purge data.
          </p>
          <div className="row">
            <code className="token" data-testid="pairing-token">
              {shown ? token : `${token.slice(0, 4)}${'•'.repeat(20)}`}
            </code>
            <button type="button" onClick={() => setShown(!shown)} aria-pressed={shown}>
              {shown ? 'hide' : 'show'}
            </button>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(token).then(() => setMessage({ ok: true, text: 'copied' }))}>
              copy
            </button>
            {client.pairable && (
              <button
                type="button"
                title="forget this token here, to pair again after netmon's token changed"
                onClick={() => {
                  client.pair(null);
                  setMessage(null);
                  setVersion((v) => v + 1);
                  onPaired();
                }}
              >
                forget
              </button>
            )}
          </div>
        </>
      ) : (
        <>
          <p className="small" style={{ margin: '0 0 4px' }}>
            This dashboard is not paired, so it can show everything but change nothing. The token is in the file{' '}
            <code>{dataDir === null ? 'pairing-token' : `${dataDir}/pairing-token`}</code>; <code>netmon serve</code> can also open the dashboard already paired.
          </p>
          <TokenForm value={pasted} onChange={setPasted} onSubmit={() => void pair()} />
        </>
      )}
      {message !== null && <p className={message.ok ? 'small' : 'note error'}>{message.text}</p>}
    </div>
  );
}
