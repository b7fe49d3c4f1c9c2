// Where the dashboard opens: the size and place it had, unless the display it was on is gone or
// smaller now, in which case it is brought back where it can be seen and grabbed. Pure.

/** A rectangle in screen coordinates (Electron's `Rectangle`). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The dashboard's remembered placement. */
export interface DashboardBounds extends Rect {
  maximized: boolean;
}

/** The dashboard's size on first open. */
export const DASHBOARD_DEFAULT_SIZE = Object.freeze({ width: 1180, height: 780 });
/** The smallest dashboard the pages are laid out for. */
export const DASHBOARD_MIN_SIZE = Object.freeze({ width: 720, height: 480 });

/** A remembered window must overlap a display by at least this much (wide × high) to stay on it. */
export const MIN_VISIBLE = Object.freeze({ width: 120, height: 40 });

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { width: Math.max(0, width), height: Math.max(0, height) };
}

function clampSize(size: { width: number; height: number }, area: Rect): { width: number; height: number } {
  // The minimum gives way to a display smaller than it: a window larger than its screen cannot be grabbed.
  const width = Math.min(Math.max(size.width, DASHBOARD_MIN_SIZE.width), area.width);
  const height = Math.min(Math.max(size.height, DASHBOARD_MIN_SIZE.height), area.height);
  return { width: Math.round(width), height: Math.round(height) };
}

function centred(size: { width: number; height: number }, area: Rect): Rect {
  const fitted = clampSize(size, area);
  return {
    x: Math.round(area.x + (area.width - fitted.width) / 2),
    y: Math.round(area.y + (area.height - fitted.height) / 2),
    ...fitted,
  };
}

/**
 * The dashboard's placement. `workAreas` are the displays' work areas (without menu bar, dock and
 * panels); `primary` is the primary display's. A remembered placement stays on the display it overlaps
 * most, moved and shrunk to lie wholly inside its work area; one that overlaps no display enough is
 * centred on the primary display at its remembered size (shrunk to fit).
 */
export function placeDashboard(saved: DashboardBounds | null, workAreas: readonly Rect[], primary: Rect): DashboardBounds {
  if (saved === null) return { ...centred(DASHBOARD_DEFAULT_SIZE, primary), maximized: false };
  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of workAreas) {
    const o = overlap(saved, area);
    if (o.width < MIN_VISIBLE.width || o.height < MIN_VISIBLE.height) continue;
    if (o.width * o.height > bestArea) {
      best = area;
      bestArea = o.width * o.height;
    }
  }
  if (best === null) return { ...centred(saved, primary), maximized: saved.maximized };
  const size = clampSize(saved, best);
  const x = Math.min(Math.max(Math.round(saved.x), best.x), best.x + best.width - size.width);
  const y = Math.min(Math.max(Math.round(saved.y), best.y), best.y + best.height - size.height);
  return { x, y, ...size, maximized: saved.maximized };
}
