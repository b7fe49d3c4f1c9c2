// Where the dashboard reopens (kept on the display it overlaps most, moved and shrunk inside its work
// area; centred on the primary display when its display is gone) and the file that remembers it
// (data folder, 600, anything damaged read as nothing remembered).
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadShellState, parseShellState, saveShellState, SHELL_STATE_FILE } from '../../src-main/electron/shell-state.js';
import { placeDashboard, type DashboardBounds, type Rect } from '../../src-main/electron/window-state.js';

const P: Rect = { x: 0, y: 0, width: 1440, height: 875 };
const S: Rect = { x: 1440, y: 0, width: 1920, height: 1080 };

function b(x: number, y: number, width: number, height: number, maximized = false): DashboardBounds {
  return { x, y, width, height, maximized };
}

describe('placeDashboard', () => {
  // Every expected placement worked out by hand (minimum 720 × 480, first size 1180 × 780, a window must
  // overlap a display by 120 × 40 to stay on it).
  const cases: Array<[string, DashboardBounds | null, Rect[], DashboardBounds]> = [
    ['first open: centred on the primary display', null, [P], b(130, 48, 1180, 780)],
    ['inside its display: as it was', b(100, 50, 1000, 700), [P], b(100, 50, 1000, 700)],
    ['on the second display, maximized: as it was', b(1600, 100, 1200, 800, true), [P, S], b(1600, 100, 1200, 800, true)],
    ['its display unplugged: centred on the primary, size kept', b(1600, 100, 1200, 800, true), [P], b(120, 38, 1200, 800, true)],
    ['half off the left edge: moved in', b(-500, 100, 1000, 700), [P], b(0, 100, 1000, 700)],
    ['larger than the display: shrunk to it', b(0, 0, 3000, 2000), [P], b(0, 0, 1440, 875)],
    ['smaller than the minimum: grown to it', b(10, 10, 300, 200), [P], b(10, 10, 720, 480)],
    ['a 40 px sliver left: centred', b(1400, 100, 1000, 700), [P], b(220, 88, 1000, 700)],
    ['across two displays: onto the one it covers most', b(1000, 100, 1000, 700), [P, S], b(1440, 100, 1000, 700)],
    ['under the menu bar: moved below it', b(100, 0, 1000, 700), [{ x: 0, y: 25, width: 1440, height: 850 }], b(100, 25, 1000, 700)],
    ['a display smaller than the minimum: the display wins', b(0, 0, 800, 600), [{ x: 0, y: 0, width: 640, height: 400 }], b(0, 0, 640, 400)],
  ];
  it.each(cases)('%s', (_name, saved, areas, expected) => {
    const primary = areas[0] ?? P;
    expect(placeDashboard(saved, areas, primary)).toEqual(expected);
  });
});

describe('parseShellState', () => {
  const none = { dashboard: null, usageAlertDay: null, planAlertId: null };
  const cases: Array<[string, string | null, unknown]> = [
    ['no file', null, none],
    ['empty file', '', none],
    ['not JSON', 'x{', none],
    ['an array', '[]', none],
    ['bounds', '{"dashboard":{"x":1,"y":-2,"width":3,"height":4},"usageAlertDay":1800000000}', { dashboard: b(1, -2, 3, 4), usageAlertDay: 1_800_000_000, planAlertId: null }],
    ['maximized only when true', '{"dashboard":{"x":1,"y":2,"width":3,"height":4,"maximized":"yes"}}', { dashboard: b(1, 2, 3, 4), usageAlertDay: null, planAlertId: null }],
    ['zero width', '{"dashboard":{"x":1,"y":2,"width":0,"height":4}}', none],
    ['fractional x', '{"dashboard":{"x":1.5,"y":2,"width":3,"height":4}}', none],
    ['string y', '{"dashboard":{"x":1,"y":"2","width":3,"height":4}}', none],
    ['absurd size', '{"dashboard":{"x":1,"y":2,"width":2000000,"height":4}}', none],
    ['negative day', '{"usageAlertDay":-1}', none],
    ['fractional day', '{"usageAlertDay":1.5}', none],
    ['last plan alert', '{"planAlertId":7}', { ...none, planAlertId: 7 }],
    ['plan alert id as text', '{"planAlertId":"7"}', none],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(parseShellState(text)).toEqual(expected);
  });
});

describe('the state file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-shell-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips, is 600 even over an older 644 file, and leaves no temp file', () => {
    expect(loadShellState(dir)).toEqual({ dashboard: null, usageAlertDay: null, planAlertId: null });
    const file = path.join(dir, SHELL_STATE_FILE);
    writeFileSync(file, '{}');
    chmodSync(file, 0o644);
    const state = { dashboard: b(10, 20, 900, 600, true), usageAlertDay: 1_799_964_000, planAlertId: 3 };
    saveShellState(dir, state);
    expect(loadShellState(dir)).toEqual(state);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([SHELL_STATE_FILE]);
  });
});
