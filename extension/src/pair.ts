// One-click pairing: on netmon's own dashboard link (`http://127.0.0.1:PORT/#pair=TOKEN`, as
// `netmon serve` prints it), hand the token to the background before the page reads it. The
// background keeps it only if netmon on the configured port accepts it, so a page that opens such a
// link with a token of its own pairs nothing.
import { extensionApi } from './browser-api.js';
import { FRAGMENT_KEY } from './lib/contract.js';

const token = new URLSearchParams(location.hash.replace(/^#/, '')).get(FRAGMENT_KEY)?.toLowerCase() ?? '';
if (/^[0-9a-f]{64}$/.test(token) && location.protocol === 'http:') {
  const port = location.port === '' ? 80 : Number(location.port);
  void extensionApi()
    .runtime.sendMessage({ type: 'pair', token, port, source: 'link' })
    .catch(() => undefined);
}
