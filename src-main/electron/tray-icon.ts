// The tray icon: its image and tooltip follow what tray-look.ts makes of the facts it is given. The
// images are read once per level and colour from the tray folder (template images on macOS, except
// the red ones shown past the plan's quota).
import path from 'node:path';
import { nativeImage, Tray, type NativeImage } from 'electron';
import { createLogger } from '../engine/log.js';
import { trayImageFile, trayLook, type TrayFacts, type TrayLevel } from './tray-look.js';

const log = createLogger('electron');

export interface TrayIcon {
  readonly tray: Tray;
  /** Redraws from `facts` (the image only when the level changed). */
  update(facts: TrayFacts): void;
  /** The level shown now. */
  level(): TrayLevel;
}

/** Creates the tray icon at the idle level; `imagesDir` holds the images (build/tray, or Resources/tray). */
export function createTrayIcon(imagesDir: string, platform: NodeJS.Platform): TrayIcon {
  const images = new Map<string, NativeImage>();
  const imageFor = (level: TrayLevel, over = false): NativeImage => {
    const file = trayImageFile(level, platform, over);
    let image = images.get(file);
    if (image === undefined) {
      image = nativeImage.createFromPath(path.join(imagesDir, file));
      if (image.isEmpty()) log.warn('tray image missing', { level, over, dir: imagesDir });
      if (platform === 'darwin' && !over) image.setTemplateImage(true);
      images.set(file, image);
    }
    return image;
  };
  let level: TrayLevel = 'idle';
  let over = false;
  const tray = new Tray(imageFor(level));
  tray.setToolTip('netmon');
  return {
    tray,
    update(facts) {
      const look = trayLook(facts, level);
      if (look.level !== level || look.over !== over) {
        level = look.level;
        over = look.over;
        tray.setImage(imageFor(level, over));
      }
      tray.setToolTip(look.tooltip);
    },
    level: () => level,
  };
}
