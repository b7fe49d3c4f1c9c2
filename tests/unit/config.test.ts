import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, ensureDataDir, loadConfig, resolveDataDir, updateConfig, validateConfig } from '../../src-main/engine/config.js';

function tempDir(): string {
  return ensureDataDir(path.join(mkdtempSync(path.join(os.tmpdir(), 'netmon-config-')), 'data'));
}

describe('config.json', () => {
  it('is written with the defaults, mode 600, in a 700 folder, when missing', () => {
    const dir = tempDir();
    const loaded = loadConfig(dir);
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    expect(loaded.issues).toEqual([]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    ['sampling_interval_seconds', '5', 5],
    ['sampling_interval_seconds', 0, 5],
    ['web_server_port', 70000, 7500],
    ['log_level', 'loud', 'info'],
    ['enable_notifications', 'yes', true],
    ['high_usage_threshold_gb', -1, 10],
    ['capture_method', 'pcap', 'auto'],
  ])('a wrong %s (%j) is named and falls back to the default', (key, value, fallback) => {
    const loaded = validateConfig({ ...DEFAULT_CONFIG, log_level: 'debug', [key]: value });
    expect(loaded.config[key as keyof typeof DEFAULT_CONFIG]).toBe(fallback);
    expect(loaded.issues).toHaveLength(1);
    expect(loaded.issues[0]?.key).toBe(key);
    expect(loaded.issues[0]?.message).toContain(key);
    // The other keys keep their values.
    if (key !== 'log_level') expect(loaded.config.log_level).toBe('debug');
  });

  it('treats prototype member names as unknown keys, not as settings', () => {
    const loaded = validateConfig(JSON.parse('{"constructor": 1, "__proto__": {"log_level": "debug"}, "toString": "x"}'));
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    expect(loaded.unknownKeys.sort()).toEqual(['__proto__', 'constructor', 'toString']);
  });

  it('keeps unknown keys aside and reports invalid JSON without touching the file', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.json'), '{"web_server_port": 8000, "theme": "dark"}');
    const loaded = loadConfig(dir);
    expect(loaded.config.web_server_port).toBe(8000);
    expect(loaded.unknownKeys).toEqual(['theme']);
    writeFileSync(path.join(dir, 'config.json'), '{ not json');
    const broken = loadConfig(dir);
    expect(broken.config).toEqual(DEFAULT_CONFIG);
    expect(broken.issues[0]?.message).toMatch(/not valid JSON/);
    expect(readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('{ not json');
  });

  it('updates one key, keeps the rest and unknown keys, and refuses bad values', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...DEFAULT_CONFIG, theme: 'dark' }));
    const next = updateConfig(dir, { sampling_interval_seconds: 10 });
    expect(next.sampling_interval_seconds).toBe(10);
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(onDisk['theme']).toBe('dark');
    expect(onDisk['sampling_interval_seconds']).toBe(10);
    expect(() => updateConfig(dir, { sampling_interval_seconds: 'fast' })).toThrow(ConfigError);
    expect(() => updateConfig(dir, { nonsense: 1 })).toThrow(/not a setting/);
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual(onDisk);
  });

  it('resolves the data folder from the flag, then NETMON_HOME, then ~/.netmonitor', () => {
    expect(resolveDataDir('/x/y', { NETMON_HOME: '/z' })).toBe('/x/y');
    expect(resolveDataDir(undefined, { NETMON_HOME: '/z' })).toBe('/z');
    expect(resolveDataDir(undefined, {})).toBe(path.join(os.homedir(), '.netmonitor'));
  });
});
