// Settings › Monitoring: the form over config.json. Fields, bounds and checks come from
// lib/settings-form.ts (the contract's one settings table); the engine validates again on save.
import { useState } from 'react';
import type { ConfigValues } from '../../src-shared/contract/settings.js';
import { changesOf, draftOf, FIELDS, type Draft } from '../lib/settings-form.js';
import { useServices } from '../state/services.js';
import { ErrorNote, type CallOutcome } from './ErrorNote.js';

/** The settings of config.json, one field per row of the contract's settings table; saved together. */
export function SettingsForm({ config, canWrite }: { config: ConfigValues; canWrite: boolean }) {
  const { client, store } = useServices();
  const [draft, setDraft] = useState<Draft>(() => draftOf(config));
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<CallOutcome>(null);
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
