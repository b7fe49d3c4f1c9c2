// What the tray icon shows: a level picked from the current rate, and a tooltip with the rate in
// words. Pure: the shell feeds it the live feed and the status, and only sets what comes out.
import type { LiveRate, SamplerHealthView } from '../../src-shared/contract/types.js';
import { formatBytes } from '../../src-shared/units.js';

/** The tray icon's looks, quietest first. */
export const TRAY_LEVELS = ['idle', 'low', 'medium', 'high'] as const;
export type TrayLevel = (typeof TRAY_LEVELS)[number];

/** Where each level starts, in bytes per second received and sent together. */
export const LEVEL_FLOORS: Readonly<Record<Exclude<TrayLevel, 'idle'>, number>> = Object.freeze({
  low: 2_000,
  medium: 100_000,
  high: 2_000_000,
});

/**
 * A level is left downwards only when the rate falls under this share of its floor: a rate that
 * hovers around a boundary would otherwise make the icon blink every interval.
 */
export const LEVEL_HYSTERESIS = 0.75;

const RANK: Readonly<Record<TrayLevel, number>> = { idle: 0, low: 1, medium: 2, high: 3 };

function floorOf(level: TrayLevel): number {
  return level === 'idle' ? 0 : LEVEL_FLOORS[level];
}

/** The level for a rate (bytes per second, both directions), given the level shown now. */
export function levelForRate(bytesPerS: number, previous: TrayLevel): TrayLevel {
  if (!Number.isFinite(bytesPerS) || bytesPerS <= 0) return 'idle';
  let raw: TrayLevel = 'idle';
  for (const level of TRAY_LEVELS) if (bytesPerS >= floorOf(level)) raw = level;
  if (RANK[raw] >= RANK[previous]) return raw;
  return bytesPerS >= floorOf(previous) * LEVEL_HYSTERESIS ? previous : raw;
}

/** What the tray knows when it redraws. */
export interface TrayFacts {
  /** The last rate of the live feed, or null before the first. */
  rate: LiveRate | null;
  /** Epoch seconds now. */
  nowS: number;
  paused: boolean;
  /** The sampler's state from the last status, or null before the first status. */
  sampler: Pick<SamplerHealthView, 'state' | 'reason'> | null;
  /** The data plan is past 100 % of its quota (plans:status); the icon turns red whatever the level. */
  planOver?: boolean;
}

/** The tray's icon level, its colour (red past the plan's quota) and tooltip. */
export interface TrayLook {
  level: TrayLevel;
  over: boolean;
  tooltip: string;
}

/** A rate older than this many intervals (and at least STALE_MIN_S) no longer says anything about now. */
const STALE_INTERVALS = 3;
const STALE_MIN_S = 30;

function perSecond(bytes: number): string {
  return `${formatBytes(bytes)}/s`;
}

/** Picks the icon and tooltip; `previous` is the level shown now (for the hysteresis). */
export function trayLook(facts: TrayFacts, previous: TrayLevel): TrayLook {
  const look = rateLook(facts, previous);
  if (facts.planOver !== true) return { ...look, over: false };
  return { ...look, over: true, tooltip: `${look.tooltip} (data plan over its quota)` };
}

function rateLook(facts: TrayFacts, previous: TrayLevel): Omit<TrayLook, 'over'> {
  if (facts.paused) return { level: 'idle', tooltip: 'netmon: monitoring paused' };
  if (facts.sampler !== null && facts.sampler.state === 'failing') {
    const why = facts.sampler.reason === null ? '' : `: ${facts.sampler.reason}`;
    return { level: 'idle', tooltip: `netmon: not measuring${why}` };
  }
  const rate = facts.rate;
  if (rate === null) return { level: 'idle', tooltip: 'netmon: waiting for the first measurement' };
  if (facts.nowS - rate.ts > Math.max(STALE_MIN_S, STALE_INTERVALS * rate.intervalS)) {
    return { level: 'idle', tooltip: 'netmon: no recent measurement' };
  }
  const level = levelForRate(rate.bytesInPerS + rate.bytesOutPerS, previous);
  return { level, tooltip: `netmon: ↓ ${perSecond(rate.bytesInPerS)}  ↑ ${perSecond(rate.bytesOutPerS)}` };
}

/**
 * The image file for a level. macOS draws template images (black and alpha, recoloured for light and
 * dark menu bars; the `Template` suffix tells Electron, `@2x` files are picked up beside them); other
 * systems get coloured images. Past the plan's quota the image is red, on macOS too (a red image
 * cannot be a template: `tray-LEVEL-over-mac.png`, 16 pt with its @2x).
 */
export function trayImageFile(level: TrayLevel, platform: NodeJS.Platform, over = false): string {
  if (over) return platform === 'darwin' ? `tray-${level}-over-mac.png` : `tray-${level}-over.png`;
  return platform === 'darwin' ? `tray-${level}Template.png` : `tray-${level}.png`;
}
