// One settings table (src-shared/contract/settings.ts) for the engine's validation of config.json and
// the renderer's settings form: with a bound changed in the table, and only there, both follow.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as EngineConfigModule from '../../src-main/engine/config.js';
import type * as SettingsFormModule from '../../src-renderer/lib/settings-form.js';
import type * as SettingsModule from '../../src-shared/contract/settings.js';

type EngineConfig = typeof EngineConfigModule;
type SettingsForm = typeof SettingsFormModule;

/** The engine's config module and the renderer's form, loaded fresh over the settings module as given. */
async function loadBoth(): Promise<{ engine: EngineConfig; form: SettingsForm }> {
  vi.resetModules();
  const engine = await import('../../src-main/engine/config.js');
  const form = await import('../../src-renderer/lib/settings-form.js');
  return { engine, form };
}

/** Whether the engine takes `value` for `key`, and what the form says of it (null: nothing wrong). */
async function verdicts(key: 'sampling_interval_seconds' | 'high_usage_threshold_gb', value: number): Promise<{ engine: boolean; form: string | null; field: unknown }> {
  const { engine, form } = await loadBoth();
  const checked = engine.validateConfig({ [key]: value });
  const config = { ...engine.DEFAULT_CONFIG };
  const draft = { ...form.draftOf(config), [key]: String(value) };
  const change = form.changesOf(config, draft);
  const field = form.FIELDS.find((f) => f.key === key);
  return { engine: checked.issues.length === 0 && checked.config[key] === value, form: change.ok ? null : (change.problems[key] ?? null), field };
}

afterEach(() => {
  vi.doUnmock('../../src-shared/contract/settings.js');
  vi.resetModules();
});

describe('the settings table', () => {
  it('is what both sides use as it stands: 3600 s is the longest interval for the engine and the form', async () => {
    expect(await verdicts('sampling_interval_seconds', 3600)).toMatchObject({ engine: true, form: null, field: { min: 1, max: 3600, label: 'Sampling interval' } });
    expect(await verdicts('sampling_interval_seconds', 3601)).toMatchObject({ engine: false, form: 'between 1 and 3600' });
  });

  it('moves both the engine and the form when one bound changes in the table', async () => {
    vi.doMock('../../src-shared/contract/settings.js', async (importOriginal) => {
      const real = await importOriginal<typeof SettingsModule>();
      const SETTINGS = { ...real.SETTINGS, sampling_interval_seconds: { ...real.SETTINGS.sampling_interval_seconds, max: 60 } };
      return { ...real, SETTINGS };
    });
    expect(await verdicts('sampling_interval_seconds', 60)).toMatchObject({ engine: true, form: null, field: { max: 60 } });
    // 61 was fine a moment ago; now the engine falls back to the default and the form refuses it.
    const over = await verdicts('sampling_interval_seconds', 61);
    expect(over).toMatchObject({ engine: false, form: 'between 1 and 60' });
  });

  it('moves a lower bound of a fractional setting the same way', async () => {
    vi.doMock('../../src-shared/contract/settings.js', async (importOriginal) => {
      const real = await importOriginal<typeof SettingsModule>();
      const SETTINGS = { ...real.SETTINGS, high_usage_threshold_gb: { ...real.SETTINGS.high_usage_threshold_gb, min: 0.5 } };
      return { ...real, SETTINGS };
    });
    expect(await verdicts('high_usage_threshold_gb', 0.5)).toMatchObject({ engine: true, form: null });
    expect(await verdicts('high_usage_threshold_gb', 0.25)).toMatchObject({ engine: false, form: 'between 0.5 and 1000000' });
  });

  it('gives every setting a label and a hint, and a default the engine accepts', async () => {
    const { engine, form } = await loadBoth();
    expect(engine.validateConfig({ ...engine.DEFAULT_CONFIG })).toEqual({ config: engine.DEFAULT_CONFIG, issues: [], unknownKeys: [] });
    expect(form.FIELDS.map((f) => f.key)).toEqual(Object.keys(engine.DEFAULT_CONFIG));
    for (const f of form.FIELDS) expect([f.key, f.label.length > 0, f.hint.length > 0]).toEqual([f.key, true, true]);
  });
});
