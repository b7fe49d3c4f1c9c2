// config.json in the data folder: the seed's options, validated key by key. A wrong value never
// stops the monitor: the key is named in a warning and its default used; the file itself is kept.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { configSchema } from '../../src-shared/contract/schemas.js';
import { DEFAULT_CONFIG, type ConfigKey, type ConfigValues } from '../../src-shared/contract/settings.js';

// The settings, their bounds and defaults are the contract's settings table (src-shared/contract/
// settings.ts): the API and the settings page read the same rows.
export { configSchema, DEFAULT_CONFIG, type ConfigKey };

/** The user's settings. */
export type Config = ConfigValues;

export const CONFIG_FILE = 'config.json';

/** A problem found in config.json, named by key so the user can fix it. */
export interface ConfigIssue {
  key: string;
  message: string;
}

export interface LoadedConfig {
  config: Config;
  issues: ConfigIssue[];
  /** Keys in the file that netmon does not know; kept in the file, otherwise ignored. */
  unknownKeys: string[];
}

/** The data folder: `--data-dir`, else `NETMON_HOME`, else `~/.netmonitor`. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env['NETMON_HOME'] ?? path.join(os.homedir(), '.netmonitor');
  return path.resolve(chosen);
}

/** Creates the data folder (mode 700, tightened if it exists looser) and returns its path. */
export function ensureDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => issue.message).join('; ');
}

/** Validates each key on its own, so one bad value does not throw away the others. */
export function validateConfig(raw: unknown): LoadedConfig {
  const issues: ConfigIssue[] = [];
  const unknownKeys: string[] = [];
  const config: Config = { ...DEFAULT_CONFIG };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ key: '(file)', message: 'config.json must hold a JSON object; using defaults for every key' });
    return { config, issues, unknownKeys };
  }
  const shape = configSchema.shape;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    // Own keys only: `constructor` or `__proto__` in the file must not reach a prototype's members.
    if (!Object.hasOwn(shape, key)) {
      unknownKeys.push(key);
      continue;
    }
    const k = key as ConfigKey;
    const parsed = shape[k].safeParse(value);
    if (parsed.success) {
      (config as Record<ConfigKey, unknown>)[k] = parsed.data;
    } else {
      issues.push({
        key,
        message: `${key}: ${describe(parsed.error)} (got ${JSON.stringify(value)}); using the default ${JSON.stringify(DEFAULT_CONFIG[k])}`,
      });
    }
  }
  return { config, issues, unknownKeys };
}

/** Reads `DIR/config.json`; writes the defaults there (600) when it does not exist yet. */
export function loadConfig(dir: string): LoadedConfig {
  const file = path.join(dir, CONFIG_FILE);
  if (!existsSync(file)) {
    writeConfigFile(dir, { ...DEFAULT_CONFIG });
    return { config: { ...DEFAULT_CONFIG }, issues: [], unknownKeys: [] };
  }
  chmodSync(file, 0o600);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      config: { ...DEFAULT_CONFIG },
      issues: [{ key: '(file)', message: `config.json is not valid JSON (${message}); using defaults, the file is left as it is` }],
      unknownKeys: [],
    };
  }
  return validateConfig(raw);
}

/** Writes config.json atomically (temp file + rename), mode 600, keeping keys netmon does not know. */
export function writeConfigFile(dir: string, values: Record<string, unknown>): void {
  const file = path.join(dir, CONFIG_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Applies a validated change to config.json and returns the new config; a bad value throws a ConfigError naming each key. */
export function updateConfig(dir: string, patch: Record<string, unknown>): Config {
  const checked = validateConfig(patch);
  if (checked.unknownKeys.length > 0) {
    throw new ConfigError(checked.unknownKeys.map((key) => ({ key, message: `${key}: not a setting netmon knows` })));
  }
  if (checked.issues.length > 0) throw new ConfigError(checked.issues);
  const file = path.join(dir, CONFIG_FILE);
  let current: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) current = parsed as Record<string, unknown>;
    } catch {
      // An unreadable file is replaced by the valid values below; the defaults fill the rest.
    }
  }
  const merged = { ...current, ...patch };
  writeConfigFile(dir, merged);
  return validateConfig(merged).config;
}

/** Raised by `updateConfig` when a value is refused; carries every bad key. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((issue) => issue.message).join('; '));
    this.name = 'ConfigError';
  }
}
