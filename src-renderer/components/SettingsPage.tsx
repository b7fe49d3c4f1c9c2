import { useEffect, useState } from 'react';
import type { ConfigValues } from '../../src-shared/contract/settings.js';
import type { RangePreset } from '../../src-shared/contract/types.js';
import { isPlausibleToken } from '../api/pairing.js';
import { TokenForm } from './TokenForm.js';
import { samplerFacts, samplerTitle } from '../lib/sampler-facts.js';
import { downloadText } from '../lib/download.js';
import { formatAgo, formatBytes, formatDate, formatDateTime, formatDuration } from '../lib/format.js';
import { dayRange, epochToDateInput } from '../lib/ranges.js';
import { changesOf, draftOf, FIELDS, type Draft } from '../lib/settings-form.js';
import { recoveredText } from '../lib/storage-text.js';
import { useNetmon, useServices } from '../state/services.js';
import { BudgetsSettings } from './BudgetsSettings.js';
import { ErrorNote } from './ErrorNote.js';
import { StartAtLoginToggle } from './StartAtLoginToggle.js';

type CallError = { code: string; message: string };

function SettingsForm({ config, canWrite }: { config: ConfigValues; canWrite: boolean }) {
  const { client, store } = useServices();
  const [draft, setDraft] = useState<Draft>(() => draftOf(config));
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: CallError } | null>(null);
  const check = changesOf(config, draft);
  const dirty = check.ok ? Object.keys(check.patch).length > 0 : true;
  const problems = check.ok ? {} : check.problems;

  const save = async (): Promise<void> => {
    if (!check.ok || Object.keys(check.patch).length === 0) return;
    setSaving(true);
    const result = await client.call('config:set', check.patch);
    setSaving(false);
    if (result.ok) {
      store.getState().setConfig(result.value);
      setDraft(draftOf(result.value));
      setOutcome({ ok: true, text: `saved: ${Object.keys(check.patch).join(', ')}` });
    } else {
      setOutcome({ ok: false, error: result.error });
    }
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      aria-label="settings"
      data-testid="settings-form"
    >
      <div className="form">
        {FIELDS.map((f) => {
          const id = `setting-${f.key}`;
          const problem = problems[f.key];
          return (
            <div key={f.key} style={{ display: 'contents' }}>
              <label htmlFor={id}>{f.label}</label>
              <div className="row" style={{ flexWrap: 'nowrap' }}>
                {f.kind === 'number' && (
                  <input
                    id={id}
                    type="number"
                    min={f.min}
                    max={f.max}
                    step={f.step === 1 ? 1 : 'any'}
                    value={String(draft[f.key])}
                    aria-invalid={problem !== undefined}
                    onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
                  />
                )}
                {f.kind === 'number' && f.unit !== '' && <span className="muted small nowrap">{f.unit}</span>}
                {f.kind === 'choice' && (
                  <select id={id} value={String(draft[f.key])} onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}>
                    {f.options.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                )}
                {f.kind === 'toggle' && <input id={id} type="checkbox" checked={draft[f.key] === true} onChange={(e) => setDraft({ ...draft, [f.key]: e.target.checked })} />}
              </div>
              <span className={problem === undefined ? 'hint' : 'hint out'}>{problem ?? f.hint}</span>
            </div>
          );
        })}
      </div>
      <div className="row" style={{ marginTop: 8 }}>
        <button type="submit" className="primary" disabled={!canWrite || !dirty || !check.ok || saving} data-testid="settings-save">
          {saving ? 'saving…' : 'save changes'}
        </button>
        <button type="button" disabled={!dirty || saving} onClick={() => setDraft(draftOf(config))}>
          undo changes
        </button>
        {!canWrite && <span className="small muted">pair this dashboard (below) to change settings</span>}
        {outcome?.ok === true && (
          <span className="small" role="status" data-testid="settings-saved">
            {outcome.text}
          </span>
        )}
      </div>
      {outcome?.ok === false && <ErrorNote error={outcome.error} what="saving" />}
    </form>
  );
}

function Pairing({ dataDir, onPaired }: { dataDir: string | null; onPaired: () => void }) {
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

function Purge({ canWrite, nowS }: { canWrite: boolean; nowS: number }) {
  const { client } = useServices();
  const today = epochToDateInput(nowS);
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: CallError } | null>(null);
  const range = dayRange(from, to);
  const run = async (): Promise<void> => {
    if (!range.ok) return;
    setConfirming(false);
    const result = await client.call('data:purge', { since: range.since, until: range.until });
    setOutcome(
      result.ok
        ? { ok: true, text: `deleted ${result.value.deletedRows} rows recorded ${formatDateTime(result.value.since)} – ${formatDateTime(result.value.until)}` }
        : { ok: false, error: result.error },
    );
  };
  return (
    <div data-testid="purge">
      <div className="row">
        <label className="small">
          from <input type="date" value={from} max={today} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="small">
          to <input type="date" value={to} max={today} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="button" className="danger" disabled={!canWrite || !range.ok} onClick={() => setConfirming(true)}>
          purge…
        </button>
        {!range.ok && <span className="small out">{range.message}</span>}
      </div>
      {confirming && range.ok && (
        <div className="note warn row" role="alertdialog" aria-label="confirm purge" style={{ marginTop: 6 }}>
          Delete everything recorded from {formatDate(range.since)} to {formatDate(range.until - 1)} (both days whole)? This cannot be undone.
          <button type="button" className="danger" onClick={() => void run()}>
            delete
          </button>
          <button type="button" onClick={() => setConfirming(false)} autoFocus>
            cancel
          </button>
        </div>
      )}
      {outcome?.ok === true && <p className="small">{outcome.text}</p>}
      {outcome?.ok === false && <ErrorNote error={outcome.error} what="purge" />}
    </div>
  );
}

const EXPORT_RANGES = ['today', '7d', '30d', '90d', '365d'] as const satisfies readonly RangePreset[];

function Export() {
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

/** Settings, pairing, the data folder, the sampler's health, purge and export. */
export function SettingsPage() {
  const { client, now } = useServices();
  const config = useNetmon((s) => s.config);
  const status = useNetmon((s) => s.status);
  const nowS = Math.floor(now() / 1000);
  // Pairing changes what the client may do; this re-renders the page to show it.
  const [, setPairings] = useState(0);
  const canWrite = client.canWrite();
  return (
    <div className="page" data-testid="page-settings" data-ready={config !== null && status !== null ? 'true' : 'false'}>
      <div className="pagehead">
        <h1>Settings</h1>
        <span className="small muted">saved to config.json in the data folder</span>
      </div>
      <div className="grid two">
        <section className="panel" aria-labelledby="h-settings">
          <div className="panelhead">
            <h2 id="h-settings">Monitoring</h2>
          </div>
          {config === null ? <p className="muted">reading settings…</p> : <SettingsForm config={config} canWrite={canWrite} />}
          {client.startAtLogin !== null && <StartAtLoginToggle control={client.startAtLogin} />}
        </section>
        <div className="grid" style={{ alignContent: 'start' }}>
          <section className="panel" aria-labelledby="h-sampler">
            <div className="panelhead">
              <h2 id="h-sampler">Sampler</h2>
            </div>
            {status === null ? (
              <p className="muted">asking netmon…</p>
            ) : (
              <dl className="facts" data-testid="sampler-status">
                <dt>sampler</dt>
                <dd>{samplerTitle(status.sampler.sampler)}</dd>
                <dt>state</dt>
                <dd data-state={status.sampler.state}>
                  {status.sampler.state}
                  {status.sampler.reason !== null && ` — ${status.sampler.reason}`}
                </dd>
                <dt>last sample</dt>
                <dd>{status.sampler.lastSampleAt === null ? 'none yet' : `${formatDateTime(status.sampler.lastSampleAt / 1000)} (${formatAgo(nowS - status.sampler.lastSampleAt / 1000)})`}</dd>
                <dt>last stored</dt>
                <dd>{status.lastSampleAt === null ? 'nothing stored yet' : `${formatDateTime(status.lastSampleAt)} (${formatAgo(nowS - status.lastSampleAt)})`}</dd>
                <dt>restarts</dt>
                <dd>{status.sampler.restarts}</dd>
                <dt>malformed lines</dt>
                <dd>{status.sampler.malformedLines}</dd>
                {samplerFacts(status.sampler.details).map((f) => (
                  <div key={f.key} style={{ display: 'contents' }} data-fact={f.key}>
                    <dt>{f.label}</dt>
                    <dd>{f.value}</dd>
                  </div>
                ))}
                <dt>capture</dt>
                <dd>{status.pause.paused ? `paused${status.pause.until === null ? ' until resumed' : ` until ${formatDateTime(status.pause.until)}`}` : 'running'}</dd>
                <dt>engine</dt>
                <dd>
                  netmon {status.version}, up {formatDuration(status.uptimeS)}
                </dd>
              </dl>
            )}
          </section>
          <section className="panel" aria-labelledby="h-data">
            <div className="panelhead">
              <h2 id="h-data">Data folder</h2>
            </div>
            {status !== null && (
              <dl className="facts" data-testid="data-folder">
                <dt>folder</dt>
                <dd>
                  <code>{status.dataDir}</code>
                </dd>
                <dt>size</dt>
                <dd>{formatBytes(status.dataBytes)} (database, logs and settings)</dd>
                <dt>storage</dt>
                <dd data-testid="storage-state">
                  {status.storage.ok ? 'writing normally' : `cannot save: ${status.storage.error ?? 'unknown error'}`}
                  {status.storage.pendingRows > 0 && ` · ${status.storage.pendingRows} rows waiting in memory`}
                </dd>
                {status.storage.recoveredTo !== null && (
                  <>
                    <dt>recovered</dt>
                    <dd data-testid="storage-recovered">{recoveredText(status.storage)}</dd>
                  </>
                )}
              </dl>
            )}
          </section>
          <section className="panel" aria-labelledby="h-pairing">
            <div className="panelhead">
              <h2 id="h-pairing">Pairing token</h2>
            </div>
            <Pairing dataDir={status?.dataDir ?? null} onPaired={() => setPairings((n) => n + 1)} />
          </section>
          <section className="panel" aria-labelledby="h-budgets">
            <div className="panelhead">
              <h2 id="h-budgets">Budgets</h2>
            </div>
            <BudgetsSettings canWrite={canWrite} />
          </section>
          <section className="panel" aria-labelledby="h-export">
            <div className="panelhead">
              <h2 id="h-export">Export</h2>
            </div>
            <Export />
          </section>
          <section className="panel" aria-labelledby="h-purge">
            <div className="panelhead">
              <h2 id="h-purge">Purge a range</h2>
              <span className="small muted">usage and browser reports, whole local days</span>
            </div>
            <Purge canWrite={canWrite} nowS={nowS} />
          </section>
        </div>
      </div>
    </div>
  );
}
