// The user's settings (config.json), one row each: type, bounds or options, default, and the words the
// settings page shows. The engine's validation (schemas.ts `configSchema`, used by engine/config.ts),
// the API's `ConfigValues` and the renderer's settings form are all derived from this table, so a
// bound changed here changes everywhere. The order is the order the settings page shows them.
import { DEFAULT_PORT } from './http.js';

interface Described {
  label: string;
  hint: string;
}

/** A whole number between `min` and `max` (inclusive). */
export interface IntSetting extends Described {
  type: 'int';
  min: number;
  max: number;
  default: number;
  /** What the number counts, shown beside the input ('' for none). */
  unit: string;
}

/** A number between `min` and `max` (inclusive), entered in steps of `step`. */
export interface NumberSetting extends Described {
  type: 'number';
  min: number;
  max: number;
  step: number;
  default: number;
  unit: string;
}

/** One of a few words. */
export interface ChoiceSetting extends Described {
  type: 'choice';
  options: readonly string[];
  default: string;
}

/** On or off. */
export interface ToggleSetting extends Described {
  type: 'toggle';
  default: boolean;
}

export type Setting = IntSetting | NumberSetting | ChoiceSetting | ToggleSetting;

/** Every setting, with the seed's names. */
export const SETTINGS = {
  sampling_interval_seconds: {
    type: 'int',
    min: 1,
    max: 3600,
    default: 5,
    unit: 's',
    label: 'Sampling interval',
    hint: 'how often the sampler reads the counters',
  },
  data_retention_days_raw: {
    type: 'int',
    min: 1,
    max: 3650,
    default: 7,
    unit: 'days',
    label: 'Keep raw samples',
    hint: 'per-interval rows; older ones survive as hourly sums',
  },
  data_retention_days_hourly: {
    type: 'int',
    min: 1,
    max: 36500,
    default: 90,
    unit: 'days',
    label: 'Keep hourly sums',
    hint: 'older ones survive as daily sums, kept forever',
  },
  // 0.001 GB (1 MB) is the smallest threshold: the engine once took any positive number, the form 0.001.
  high_usage_threshold_gb: {
    type: 'number',
    min: 0.001,
    max: 1_000_000,
    step: 0.1,
    default: 10,
    unit: 'GB per day',
    label: 'Notify above',
    hint: 'a notification when a day passes this',
  },
  enable_notifications: { type: 'toggle', default: true, label: 'Notifications', hint: 'high-usage notifications' },
  log_level: {
    type: 'choice',
    options: ['debug', 'info', 'warn', 'error'],
    default: 'info',
    label: 'Log level',
    hint: 'how much goes into logs/netmon.log',
  },
  capture_method: {
    type: 'choice',
    options: ['auto', 'nettop', 'linux', 'ebpf'],
    default: 'auto',
    label: 'Capture method',
    hint: 'which sampler to use; auto picks the best one this machine allows (netmon doctor tells which and why)',
  },
  nettop_per_connection: {
    type: 'toggle',
    default: true,
    label: 'nettop per connection (macOS)',
    hint: "each connection with its server address, so the browser extension's sites are exact; off: per process (-P), lighter on the CPU; used the next time netmon starts",
  },
  domain_rollup: {
    type: 'toggle',
    default: true,
    label: 'Domain rollup',
    hint: 'store registrable domains only (api.example.com → example.com)',
  },
  web_server_port: {
    type: 'int',
    min: 1,
    max: 65535,
    default: DEFAULT_PORT,
    unit: '',
    label: 'Dashboard port',
    hint: 'used the next time netmon starts',
  },
} as const satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;

/** A setting's name. */
export type ConfigKey = keyof Settings;

/** The value a setting holds, by its row's type. */
type ValueOf<S> = S extends { type: 'choice'; options: readonly (infer O)[] } ? O : S extends { type: 'toggle' } ? boolean : number;

/** The user's settings, as config.json holds them and the API carries them. */
export type ConfigValues = { -readonly [K in ConfigKey]: ValueOf<Settings[K]> };

/** The names of the settings, in the page's order. */
export const CONFIG_KEYS = Object.keys(SETTINGS) as ConfigKey[];

/** Every setting's default. */
export const DEFAULT_CONFIG: Readonly<ConfigValues> = Object.freeze(Object.fromEntries(CONFIG_KEYS.map((key) => [key, SETTINGS[key].default])) as ConfigValues);

/** The samplers a user can choose (`auto` picks one). */
export const CAPTURE_METHODS = SETTINGS.capture_method.options;
