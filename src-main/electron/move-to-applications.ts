// macOS: a copy started from the mounted .dmg, or one that App Translocation runs from a random read-only
// path (a downloaded app opened where it lies), is not where it will live: Start at Login would register
// that path, which is gone once the image is ejected or the app moved. The first time such a copy starts,
// before the engine, one dialog offers to move it to /Applications (app.moveToApplicationsFolder, which
// quits and starts the moved copy); "Not Now" is remembered in electron-state.json and never asked again.
// Unpackaged (dev) and Linux copies are left alone.
import { createLogger } from '../engine/log.js';

const log = createLogger('electron:move');

/** Where a macOS app outside /Applications is running from, for the dialog's words. */
export function runningFrom(execPath: string): 'disk image' | 'translocated' | 'elsewhere' {
  if (execPath.includes('/AppTranslocation/')) return 'translocated';
  if (execPath.startsWith('/Volumes/')) return 'disk image';
  return 'elsewhere';
}

export interface MoveDeps {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  execPath: string;
  isInApplicationsFolder(): boolean;
  /** Shows the dialog in front; returns the index of the button chosen. */
  ask(options: { message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number }): number;
  /** app.moveToApplicationsFolder: true when moved (the app then quits and relaunches), false when the user cancelled. */
  move(): boolean;
  declinedBefore(): boolean;
  rememberDeclined(): void;
  /** Tells the user a move that failed (the app goes on where it is). */
  showError(title: string, message: string): void;
}

export type MoveOutcome = 'not-needed' | 'declined-before' | 'declined' | 'moving' | 'cancelled' | 'failed';

const WHERE: Record<ReturnType<typeof runningFrom>, string> = {
  'disk image': 'from the disk image',
  translocated: 'from a temporary place macOS gave it (it was opened where it was downloaded)',
  elsewhere: 'outside the Applications folder',
};

/** Offers the move once; 'moving' means the app is quitting to start again from /Applications. */
export function offerMoveToApplications(deps: MoveDeps): MoveOutcome {
  if (deps.platform !== 'darwin' || !deps.isPackaged || deps.isInApplicationsFolder()) return 'not-needed';
  if (deps.declinedBefore()) return 'declined-before';
  const answer = deps.ask({
    message: 'Move netmon to the Applications folder?',
    detail: `netmon is running ${WHERE[runningFrom(deps.execPath)]}. Start at Login needs it in Applications; it starts again from there.`,
    buttons: ['Move to Applications', 'Not Now'],
    defaultId: 0,
    cancelId: 1,
  });
  if (answer !== 0) {
    deps.rememberDeclined();
    log.info('the move to Applications was declined; not asking again');
    return 'declined';
  }
  try {
    if (deps.move()) {
      log.info('moved to Applications; starting again from there');
      return 'moving';
    }
    log.info('the move to Applications was cancelled at the authorization prompt');
    return 'cancelled';
  } catch (err) {
    log.error('could not move netmon to Applications', { error: err });
    deps.showError('netmon could not move itself to Applications', `${err instanceof Error ? err.message : String(err)}\n\nDrag netmon from the disk image to the Applications folder instead.`);
    return 'failed';
  }
}
