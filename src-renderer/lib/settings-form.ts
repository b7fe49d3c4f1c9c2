// The settings form: each setting's field, the text the inputs hold, and the change to send. Only
// the keys the user changed are sent, so a value edited elsewhere meanwhile is not overwritten.
import type { ConfigValues } from '../../src-shared/api.js';
import { assertNever } from '../../src-shared/result.js';

/** How one setting is edited. */
export type FieldSpec =
  | { key: keyof ConfigValues; kind: 'number'; label: string; unit: string; min: number; max: number; step: number; hint: string }
  | { key: keyof ConfigValues; kind: 'choice'; label: string; options: readonly string[]; hint: string }
  | { key: keyof ConfigValues; kind: 'toggle'; label: string; hint: string };

/** Every setting, in the order the page shows them (ranges as the engine's config validates them). */
export const FIELDS: readonly FieldSpec[] = [
  { key: 'sampling_interval_seconds', kind: 'number', label: 'Sampling interval', unit: 's', min: 1, max: 3600, step: 1, hint: 'how often the sampler reads the counters' },
  { key: 'data_retention_days_raw', kind: 'number', label: 'Keep raw samples', unit: 'days', min: 1, max: 3650, step: 1, hint: 'per-interval rows; older ones survive as hourly sums' },
  { key: 'data_retention_days_hourly', kind: 'number', label: 'Keep hourly sums', unit: 'days', min: 1, max: 36500, step: 1, hint: 'older ones survive as daily sums, kept forever' },
  { key: 'high_usage_threshold_gb', kind: 'number', label: 'Notify above', unit: 'GB per day', min: 0.001, max: 1_000_000, step: 0.1, hint: 'a notification when a day passes this' },
  { key: 'enable_notifications', kind: 'toggle', label: 'Notifications', hint: 'high-usage notifications' },
  { key: 'log_level', kind: 'choice', label: 'Log level', options: ['debug', 'info', 'warn', 'error'], hint: 'how much goes into logs/netmon.log' },
  { key: 'capture_method', kind: 'choice', label: 'Capture method', options: ['auto', 'nettop', 'linux', 'ebpf'], hint: 'which sampler to use; auto picks the best one this machine allows (netmon doctor tells which and why)' },
  { key: 'domain_rollup', kind: 'toggle', label: 'Domain rollup', hint: 'store registrable domains only (api.example.com → example.com)' },
  { key: 'web_server_port', kind: 'number', label: 'Dashboard port', unit: '', min: 1, max: 65535, step: 1, hint: 'used the next time netmon starts' },
];

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
