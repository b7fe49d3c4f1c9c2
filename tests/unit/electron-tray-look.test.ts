// The tray's look from the rate: level floors (2 kB/s, 100 kB/s, 2 MB/s, in and out together), the
// hysteresis on the way down (75 % of the floor), and the tooltip for each state.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LiveRate } from '../../src-shared/contract/types.js';
import { levelForRate, TRAY_LEVELS, trayImageFile, trayLook, type TrayLevel } from '../../src-main/electron/tray-look.js';

describe('levelForRate', () => {
  // Floors by hand: low 2000, medium 100000, high 2000000; going down a level is kept while the rate
  // stays at or above 0.75 × its floor: low 1500, medium 75000, high 1500000.
  const cases: Array<[number, TrayLevel, TrayLevel]> = [
    [0, 'idle', 'idle'],
    [-5, 'high', 'idle'],
    [Number.NaN, 'medium', 'idle'],
    [Number.POSITIVE_INFINITY, 'idle', 'idle'],
    [1999, 'idle', 'idle'],
    [2000, 'idle', 'low'],
    [99_999, 'idle', 'low'],
    [100_000, 'idle', 'medium'],
    [2_000_000, 'idle', 'high'],
    [5_000_000, 'low', 'high'],
    // Up: at once. Down: held inside the band.
    [1_999_999, 'high', 'high'],
    [1_500_000, 'high', 'high'],
    [1_499_999, 'high', 'medium'],
    [75_000, 'medium', 'medium'],
    [74_999, 'medium', 'low'],
    [1500, 'low', 'low'],
    [1499, 'low', 'idle'],
    // A fall through several levels lands where the rate is, not one step down.
    [1000, 'high', 'idle'],
    [50_000, 'high', 'low'],
  ];
  it.each(cases)('%d B/s with %s shown → %s', (rate, previous, expected) => {
    expect(levelForRate(rate, previous)).toBe(expected);
  });
});

function rate(inPerS: number, outPerS: number, ts = 1_000_000): LiveRate {
  return { ts, intervalS: 5, bytesInPerS: inPerS, bytesOutPerS: outPerS, topApps: [] };
}

describe('trayLook', () => {
  it('shows the rate in both directions in the tooltip', () => {
    expect(trayLook({ rate: rate(1_234_000, 56_000), nowS: 1_000_002, paused: false, sampler: null }, 'idle')).toEqual({
      level: 'medium',
      over: false,
      tooltip: 'netmon: ↓ 1.23 MB/s  ↑ 56.00 KB/s',
    });
  });

  it('counts both directions for the level', () => {
    // 1.5 MB/s in + 0.6 MB/s out = 2.1 MB/s: high, though neither direction alone is.
    expect(trayLook({ rate: rate(1_500_000, 600_000), nowS: 1_000_000, paused: false, sampler: null }, 'idle').level).toBe('high');
  });

  it('is idle and says so when paused, failing, stale or before the first rate', () => {
    const busy = rate(9e6, 9e6);
    expect(trayLook({ rate: busy, nowS: 1_000_000, paused: true, sampler: null }, 'high')).toEqual({ level: 'idle', over: false, tooltip: 'netmon: monitoring paused' });
    expect(trayLook({ rate: busy, nowS: 1_000_000, paused: false, sampler: { state: 'failing', reason: 'nettop exited (code 3)' } }, 'high')).toEqual({
      level: 'idle',
      over: false,
      tooltip: 'netmon: not measuring: nettop exited (code 3)',
    });
    expect(trayLook({ rate: null, nowS: 1_000_000, paused: false, sampler: null }, 'low')).toEqual({ level: 'idle', over: false, tooltip: 'netmon: waiting for the first measurement' });
    // Stale after max(30 s, 3 × 5 s) = 30 s.
    expect(trayLook({ rate: busy, nowS: 1_000_030, paused: false, sampler: null }, 'high').level).toBe('high');
    expect(trayLook({ rate: busy, nowS: 1_000_031, paused: false, sampler: null }, 'high')).toEqual({ level: 'idle', over: false, tooltip: 'netmon: no recent measurement' });
    // A degraded sampler still measures: the rate shows.
    expect(trayLook({ rate: busy, nowS: 1_000_000, paused: false, sampler: { state: 'degraded', reason: 'polling' } }, 'idle').level).toBe('high');
  });
});

describe('trayImageFile', () => {
  it('uses template images on macOS and coloured ones elsewhere', () => {
    expect(trayImageFile('high', 'darwin')).toBe('tray-highTemplate.png');
    expect(trayImageFile('idle', 'linux')).toBe('tray-idle.png');
    expect(trayImageFile('low', 'win32')).toBe('tray-low.png');
  });

  it('past the plan\'s quota: red images on every system, never a template on macOS', () => {
    expect(trayImageFile('high', 'darwin', true)).toBe('tray-high-over-mac.png');
    expect(trayImageFile('idle', 'linux', true)).toBe('tray-idle-over.png');
    expect(trayImageFile('low', 'win32', true)).toBe('tray-low-over.png');
  });

  it('every image it can name is in build/tray (drawn by build/draw-icons.js)', () => {
    const dir = path.resolve(import.meta.dirname, '..', '..', 'build', 'tray');
    for (const level of TRAY_LEVELS) {
      for (const over of [false, true]) {
        for (const platform of ['darwin', 'linux'] as const) {
          const file = trayImageFile(level, platform, over);
          expect(existsSync(path.join(dir, file)), file).toBe(true);
          if (platform === 'darwin') expect(existsSync(path.join(dir, file.replace('.png', '@2x.png'))), file).toBe(true);
        }
      }
    }
  });
});

describe('past the data plan\'s quota', () => {
  it('keeps the level of the rate, turns red and says why in the tooltip', () => {
    expect(trayLook({ rate: rate(1_234_000, 56_000), nowS: 1_000_002, paused: false, sampler: null, planOver: true }, 'idle')).toEqual({
      level: 'medium',
      over: true,
      tooltip: 'netmon: ↓ 1.23 MB/s  ↑ 56.00 KB/s (data plan over its quota)',
    });
    expect(trayLook({ rate: null, nowS: 1_000_000, paused: true, sampler: null, planOver: true }, 'low')).toEqual({ level: 'idle', over: true, tooltip: 'netmon: monitoring paused (data plan over its quota)' });
    expect(trayLook({ rate: null, nowS: 1_000_000, paused: true, sampler: null, planOver: false }, 'low').over).toBe(false);
  });
});
