// Draws the app's placeholder icons and tray images as PNG files, with no dependency: a few rounded
// bars (a level meter) rasterised with 4 × 4 supersampling and written with node:zlib.
//   node build/draw-icons.js        (writes build/icon.png, build/icons/*.png, build/tray/*.png)
// A release should replace icon.png and icons/ with designed artwork (and may add an icon.icns);
// the tray images follow macOS's template rules (black + alpha, "Template" in the name, @2x beside)
// and are fine to keep until a designer redraws them at the same names and sizes.
import { Buffer } from 'node:buffer';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

const here = path.dirname(new URL(import.meta.url).pathname);

/** A PNG file (8-bit RGBA) from `width × height` pixels of [r, g, b, a]. */
function encodePng(width, height, pixel) {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = pixel(x, y);
      raw.set([r, g, b, a], row + 1 + x * 4);
    }
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Inside a rounded rectangle (units: the drawing's own, 0..1 on both axes). */
function inRoundRect(px, py, r) {
  const { x, y, w, h, radius } = r;
  if (px < x || px > x + w || py < y || py > y + h) return false;
  const cx = Math.min(Math.max(px, x + radius), x + w - radius);
  const cy = Math.min(Math.max(py, y + radius), y + h - radius);
  return (px - cx) ** 2 + (py - cy) ** 2 <= radius ** 2;
}

const SAMPLES = 4;

/** Renders `shade(u, v)` → [r, g, b, a] or null over a square of `size` pixels, supersampled. */
function render(size, shade) {
  return encodePng(size, size, (x, y) => {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const c = shade((x + (sx + 0.5) / SAMPLES) / size, (y + (sy + 0.5) / SAMPLES) / size);
        if (c === null) continue;
        const alpha = c[3] / 255;
        r += c[0] * alpha;
        g += c[1] * alpha;
        b += c[2] * alpha;
        a += alpha;
      }
    }
    const n = SAMPLES * SAMPLES;
    if (a === 0) return [0, 0, 0, 0];
    return [Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((a / n) * 255)];
  });
}

// Three bars, short to tall, in a square: the meter of the tray and of the app icon.
function bars(left, bottom, width, gap, heights) {
  return heights.map((h, i) => ({ x: left + i * (width + gap), y: bottom - h, w: width, h, radius: width * 0.28 }));
}

const TRAY_BARS = bars(0.12, 0.88, 0.2, 0.08, [0.34, 0.54, 0.76]);
const STROKE = 0.075;
const FILLED = { idle: 0, low: 1, medium: 2, high: 3 };

/** A tray image: filled bars up to the level, outlined ones above it. */
function trayShade(level, colour, outline) {
  return (u, v) => {
    for (const [i, bar] of TRAY_BARS.entries()) {
      if (!inRoundRect(u, v, bar)) continue;
      if (i < FILLED[level]) return colour;
      const inner = { x: bar.x + STROKE, y: bar.y + STROKE, w: bar.w - 2 * STROKE, h: bar.h - 2 * STROKE, radius: Math.max(0, bar.radius - STROKE) };
      return inRoundRect(u, v, inner) ? null : outline;
    }
    return null;
  };
}

function appIconShade(u, v) {
  const tile = { x: 0.06, y: 0.06, w: 0.88, h: 0.88, radius: 0.2 };
  if (!inRoundRect(u, v, tile)) return null;
  for (const bar of bars(0.25, 0.76, 0.14, 0.07, [0.22, 0.36, 0.52])) if (inRoundRect(u, v, bar)) return [255, 255, 255, 255];
  // A vertical gradient, deep blue to teal.
  const t = (v - tile.y) / tile.h;
  return [Math.round(28 + 10 * t), Math.round(78 + 70 * t), Math.round(186 - 30 * t), 255];
}

function write(file, data) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  process.stdout.write(`${path.relative(process.cwd(), file)} (${data.length} bytes)\n`);
}

for (const level of Object.keys(FILLED)) {
  // macOS: template images, black and alpha; the menu bar recolours them for light and dark.
  write(path.join(here, 'tray', `tray-${level}Template.png`), render(16, trayShade(level, [0, 0, 0, 255], [0, 0, 0, 150])));
  write(path.join(here, 'tray', `tray-${level}Template@2x.png`), render(32, trayShade(level, [0, 0, 0, 255], [0, 0, 0, 150])));
  // Linux panels are mostly dark: light bars, amber at the high level so that it stands out.
  const colour = level === 'high' ? [255, 176, 32, 255] : [242, 242, 242, 255];
  write(path.join(here, 'tray', `tray-${level}.png`), render(24, trayShade(level, colour, [242, 242, 242, 140])));
  // Past the data plan's quota: red, on every system (macOS shows it as is, not as a template).
  const red = [230, 40, 40, 255];
  const redOutline = [230, 40, 40, 170];
  write(path.join(here, 'tray', `tray-${level}-over.png`), render(24, trayShade(level, red, redOutline)));
  write(path.join(here, 'tray', `tray-${level}-over-mac.png`), render(16, trayShade(level, red, redOutline)));
  write(path.join(here, 'tray', `tray-${level}-over-mac@2x.png`), render(32, trayShade(level, red, redOutline)));
}
write(path.join(here, 'icon.png'), render(1024, appIconShade));
for (const size of [16, 32, 48, 64, 128, 256, 512]) write(path.join(here, 'icons', `${size}x${size}.png`), render(size, appIconShade));
