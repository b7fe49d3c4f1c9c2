// The settings form: each setting's field, the text the inputs hold, and the change to send. Only
// the keys the user changed are sent, so a value edited elsewhere meanwhile is not overwritten. The
// fields are the contract's settings table (src-shared/contract/settings.ts), where the engine's
// validation comes from too: labels, hints, bounds and choices are never copied here.
import { CONFIG_KEYS, SETTINGS, type ConfigKey, type ConfigValues, type Setting } from '../../src-shared/contract/settings.js';
import { assertNever } from '../../src-shared/contract/types.js';

/** How one setting is edited. */
export type FieldSpec =
  | { key: ConfigKey; kind: 'number'; label: string; unit: string; min: number; max: number; step: number; hint: string }
  | { key: ConfigKey; kind: 'choice'; label: string; options: readonly string[]; hint: string }
  | { key: ConfigKey; kind: 'toggle'; label: string; hint: string };

function fieldOf(key: ConfigKey, s: Setting): FieldSpec {
  switch (s.type) {
    case 'int':
      return { key, kind: 'number', label: s.label, unit: s.unit, min: s.min, max: s.max, step: 1, hint: s.hint };
    case 'number':
      return { key, kind: 'number', label: s.label, unit: s.unit, min: s.min, max: s.max, step: s.step, hint: s.hint };
    case 'choice':
      return { key, kind: 'choice', label: s.label, options: s.options, hint: s.hint };
    case 'toggle':
      return { key, kind: 'toggle', label: s.label, hint: s.hint };
    default:
      return assertNever(s, 'setting');
  }
}

/** Every setting, in the order the page shows them. */
export const FIELDS: readonly FieldSpec[] = CONFIG_KEYS.map((key) => fieldOf(key, SETTINGS[key]));

/** The form's state: text for numbers and choices, booleans for toggles. */
export type Draft = Record<keyof ConfigValues, string | boolean>;

/** The form filled from the settings. */
export function draftOf(config: ConfigValues): Draft {
  const draft = {} as Draft;
  for (const f of FIELDS) {
    const v = config[f.key];
    draft[f.key] = typeof v === 'boolean' ? v : String(v);
  }
  return draft;
}

/** The change to send, or the problems that keep it from being sent (by key). */
export function changesOf(config: ConfigValues, draft: Draft): { ok: true; patch: Partial<Record<keyof ConfigValues, string | number | boolean>> } | { ok: false; problems: Partial<Record<keyof ConfigValues, string>> } {
  const patch: Partial<Record<keyof ConfigValues, string | number | boolean>> = {};
  const problems: Partial<Record<keyof ConfigValues, string>> = {};
  for (const f of FIELDS) {
    const value = draft[f.key];
    const current = config[f.key];
    switch (f.kind) {
      case 'number': {
        const text = String(value).trim();
        const n = Number(text);
        if (text === '' || !Number.isFinite(n)) problems[f.key] = 'enter a number';
        else if (n < f.min || n > f.max) problems[f.key] = `between ${f.min} and ${f.max}`;
        else if (f.step === 1 && !Number.isInteger(n)) problems[f.key] = 'a whole number';
        else if (n !== current) patch[f.key] = n;
        break;
      }
      case 'choice':
        if (!f.options.includes(String(value))) problems[f.key] = `one of ${f.options.join(', ')}`;
        else if (value !== current) patch[f.key] = String(value);
        break;
      case 'toggle':
        if (value !== current) patch[f.key] = value === true;
        break;
      default:
        assertNever(f, 'field');
    }
  }
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, patch };
}
