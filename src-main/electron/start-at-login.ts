// Start at login, per platform: the login item API on macOS (and Windows), an XDG autostart entry on
// Linux (autostart.ts), nothing elsewhere. The settings page and the tray menu both go through it.
import { app } from 'electron';
import type { StartAtLogin } from '../../src-shared/contract/ipc.js';
import { createLogger } from '../engine/log.js';
import { desktopEntry, launchCommand, readXdgAutostart, removeXdgAutostart, writeXdgAutostart, type LaunchFacts } from './autostart.js';

const log = createLogger('electron');

/** Reading and changing whether netmon starts at login. */
export interface StartAtLoginControl {
  /** The setting now; unreadable reads as unsupported (logged), never as an error. */
  get(): StartAtLogin;
  /** Changes it and returns the setting that resulted; may throw. */
  set(enabled: boolean): StartAtLogin;
}

const UNSUPPORTED: StartAtLogin = { supported: false, enabled: false, requiresApproval: false };

function platformControl(platform: NodeJS.Platform, file: string, launch: LaunchFacts): { get(): StartAtLogin; set(enabled: boolean): StartAtLogin } {
  if (platform === 'darwin' || platform === 'win32') {
    const get = (): StartAtLogin => {
      const settings = app.getLoginItemSettings();
      const requiresApproval = platform === 'darwin' && settings.status === 'requires-approval';
      return { supported: true, enabled: settings.openAtLogin || requiresApproval, requiresApproval };
    };
    return {
      get,
      set(enabled) {
        app.setLoginItemSettings({ openAtLogin: enabled });
        return get();
      },
    };
  }
  if (platform === 'linux') {
    const get = (): StartAtLogin => ({ supported: true, enabled: readXdgAutostart(file), requiresApproval: false });
    return {
      get,
      set(enabled) {
        if (enabled) writeXdgAutostart(file, desktopEntry(launchCommand(launch)));
        else removeXdgAutostart(file);
        return get();
      },
    };
  }
  return { get: () => UNSUPPORTED, set: () => UNSUPPORTED };
}

/** The control for `platform`; `file` is the Linux autostart entry, `launch` how this copy was started. */
export function startAtLoginControl(platform: NodeJS.Platform, file: string, launch: LaunchFacts): StartAtLoginControl {
  const control = platformControl(platform, file, launch);
  return {
    get() {
      try {
        return control.get();
      } catch (err) {
        log.warn('could not read the start-at-login setting', { error: err });
        return UNSUPPORTED;
      }
    },
    set: (enabled) => control.set(enabled),
  };
}
