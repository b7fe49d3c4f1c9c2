// What the shell remembers between runs, in the data folder beside config.json (600): the
// dashboard's placement, the last day whose high usage was announced, the last plan alert delivered and a
// declined move to Applications. A damaged or foreign file
// is read as "nothing remembered", never as an error.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DashboardBounds } from './window-state.js';

/** The file's name in the data folder. */
export const SHELL_STATE_FILE = 'electron-state.json';

/** What the shell remembers. */
export interface ShellState {
  dashboard: DashboardBounds | null;
  /** Local midnight (epoch s) of the last day whose high usage was announced. */
  usageAlertDay: number | null;
  /** The id of the last plan alert delivered as a notification. */
  planAlertId: number | null;
  /** macOS: the user answered "Not Now" to moving the app to Applications (move-to-applications.ts); absent until then. */
  moveDeclined?: true;
}

/** Nothing remembered. */
export const EMPTY_SHELL_STATE: Readonly<ShellState> = Object.freeze({ dashboard: null, usageAlertDay: null, planAlertId: null });

// Far beyond any real desktop, near enough that the numbers stay exact.
const MAX_COORD = 1_000_000;

function isCoord(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= MAX_COORD;
}

function isSize(value: unknown): value is number {
  return isCoord(value) && value > 0;
}

function parseBounds(value: unknown): DashboardBounds | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!isCoord(v['x']) || !isCoord(v['y']) || !isSize(v['width']) || !isSize(v['height'])) return null;
  return { x: v['x'], y: v['y'], width: v['width'], height: v['height'], maximized: v['maximized'] === true };
}

/** Reads the file's text (null: no file); anything it does not understand is left out. */
export function parseShellState(text: string | null): ShellState {
  if (text === null) return { ...EMPTY_SHELL_STATE };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ...EMPTY_SHELL_STATE };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ...EMPTY_SHELL_STATE };
  const r = raw as Record<string, unknown>;
  const count = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null);
  return {
    dashboard: parseBounds(r['dashboard']),
    usageAlertDay: count(r['usageAlertDay']),
    planAlertId: count(r['planAlertId']),
    ...(r['moveDeclined'] === true ? { moveDeclined: true as const } : {}),
  };
}

/** Loads what the shell remembered in `dataDir`. */
export function loadShellState(dataDir: string): ShellState {
  let text: string | null = null;
  try {
    text = readFileSync(path.join(dataDir, SHELL_STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return parseShellState(text);
}

/** Writes the state whole (a crash mid-write leaves the old file), mode 600. */
export function saveShellState(dataDir: string, state: ShellState): void {
  const file = path.join(dataDir, SHELL_STATE_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  // The mode of writeFileSync applies only to a new file; a stale temp file keeps its own.
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}
