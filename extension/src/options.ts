// The options page: pairing (paste the token or the dashboard link), the port, private windows and
// the browser's name. Settings go to storage.local, where the background picks them up.
import { extensionApi, type StatusReply } from './browser-api.js';
import { SITE_ORIGINS } from './lib/hostname.js';
import { parsePairingInput, parseSettings, type Settings } from './lib/settings.js';

const api = extensionApi();

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`options page: #${id} is missing`);
  return found as T;
}

const WORDS: Record<StatusReply['state'], string> = {
  connected: 'Connected to netmon',
  'not-running': 'netmon is not running (no answer)',
  'not-paired': 'Not paired',
  problem: 'netmon refuses the reports',
  'no-site-access': 'No site access: nothing is counted',
  unknown: 'Not connected yet',
};

function showStatus(s: StatusReply): void {
  const node = el('status');
  node.dataset['state'] = s.state;
  const queued = s.queued > 0 ? ` · ${s.queued} reports waiting` : '';
  const dropped = s.dropped > 0 ? ` · ${s.dropped} dropped (older than 10 minutes)` : '';
  node.textContent = `${WORDS[s.state]} — 127.0.0.1:${s.port}, reporting as “${s.browser}”${queued}${dropped}`;
  // At a glance: each of the four things that decide whether sites get counted.
  el('glance-connection').textContent =
    s.state === 'not-running' || s.state === 'problem' ? `${WORDS[s.state]}${s.detail === '' ? '' : ` (${s.detail})`}` : s.state === 'connected' ? `connected to 127.0.0.1:${s.port}` : 'not connected yet';
  el('glance-pairing').textContent = s.paired ? 'paired' : 'not paired: paste the token or the link below';
  el('glance-access').textContent = s.siteAccess ? 'allowed on all sites' : 'no site access: the browser does not let the extension see sites';
  el('glance-private').textContent = `${s.privateAllowed === null ? 'unknown whether the extension may run there' : s.privateAllowed ? 'the extension may run there' : 'the extension is kept out of them'}; ${s.reportPrivate ? 'reported' : 'not reported'}`;
  el('allow-access').hidden = s.siteAccess;
  // A pairing link opened for another port than the one set does nothing by itself: it is offered here.
  el('link-offer').hidden = s.linkOffer === null;
  el('link-offer-text').textContent = s.linkOffer === null ? '' : `netmon's pairing link for port ${s.linkOffer} was opened, but this extension is set to port ${s.port}.`;
  el('unpair').hidden = !s.paired;
}

async function refresh(): Promise<void> {
  showStatus((await api.runtime.sendMessage({ type: 'status' })) as StatusReply);
}

async function loadSettings(): Promise<Settings> {
  return parseSettings((await api.storage.local.get('settings'))['settings']);
}

async function saveSettings(patch: Partial<Settings>): Promise<void> {
  await api.storage.local.set({ settings: { ...(await loadSettings()), ...patch } });
}

async function init(): Promise<void> {
  const s = await loadSettings();
  el<HTMLInputElement>('port').value = String(s.port);
  el<HTMLInputElement>('private').checked = s.reportPrivate;
  el<HTMLSelectElement>('browser').value = s.browser ?? '';
  el<HTMLFormElement>('pair-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const result = el('pair-result');
    const parsed = parsePairingInput(el<HTMLInputElement>('token').value);
    if (!parsed.ok) {
      result.textContent = parsed.error;
      return;
    }
    const port = parsed.port ?? Number(el<HTMLInputElement>('port').value);
    void api.runtime.sendMessage({ type: 'pair', token: parsed.token, port, source: 'options' }).then((reply) => {
      const r = reply as StatusReply | undefined;
      if (r === undefined) {
        result.textContent = 'the port is not valid';
        return;
      }
      el<HTMLInputElement>('token').value = '';
      el<HTMLInputElement>('port').value = String(r.port);
      result.textContent = r.saved === true ? (r.state === 'connected' ? 'Paired.' : 'Saved; netmon did not answer yet — it will connect when netmon runs.') : `Not saved: ${r.detail}`;
      showStatus(r);
    });
  });
  if (location.hash === '#welcome') el('welcome').hidden = false;
  // The click is the user gesture permissions.request needs.
  el('allow-access').addEventListener('click', () => {
    void api.permissions
      .request({ origins: SITE_ORIGINS })
      .catch(() => false)
      .then(() => api.runtime.sendMessage({ type: 'site-access' }))
      .then((reply) => showStatus(reply as StatusReply));
  });
  el('accept-link').addEventListener('click', () => {
    void api.runtime.sendMessage({ type: 'accept-link' }).then((reply) => {
      const r = reply as StatusReply;
      el('pair-result').textContent = r.saved === true ? `Paired with netmon on port ${r.port}.` : `Not paired: ${r.detail}`;
      el<HTMLInputElement>('port').value = String(r.port);
      showStatus(r);
    });
  });
  el('unpair').addEventListener('click', () => {
    void api.runtime.sendMessage({ type: 'unpair' }).then((reply) => {
      el('pair-result').textContent = 'Unpaired: nothing is sent until you pair again.';
      showStatus(reply as StatusReply);
    });
  });
  el('test').addEventListener('click', () => {
    el('pair-result').textContent = 'Testing…';
    // The port in the field, which may not be saved yet.
    void api.runtime.sendMessage({ type: 'test', port: Number(el<HTMLInputElement>('port').value) }).then((reply) => {
      const r = reply as StatusReply;
      showStatus(r);
      el('pair-result').textContent = r.tested === undefined ? '' : `Port ${r.tested.port}: ${r.tested.outcome === 'connected' ? 'netmon answers and takes this pairing (press Pair to use this port)' : r.tested.outcome}`;
    });
  });
  el<HTMLInputElement>('private').addEventListener('change', (e) => void saveSettings({ reportPrivate: (e.target as HTMLInputElement).checked }));
  el<HTMLSelectElement>('browser').addEventListener('change', (e) => {
    const v = (e.target as HTMLSelectElement).value;
    void saveSettings({ browser: v === '' ? null : v });
  });
  await refresh();
  setInterval(() => void refresh(), 2000);
}

void init();
