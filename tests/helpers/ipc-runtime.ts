// The shell's IPC in front of a started runtime, as the shell registers it (shell.ts), for tests that
// have no Electron: the API channels go to the runtime's handlers and live feed, the pairing token is
// the runtime's, and start at login is an in-memory login item that starts disabled.
import { registerIpc, type IpcRegistration, type MainIpc } from '../../src-main/electron/ipc-main.js';
import type { Runtime } from '../../src-main/runtime.js';

export function registerIpcOnRuntime(ipcMain: MainIpc, runtime: Pick<Runtime, 'handlers' | 'live' | 'token'>, isOwnUrl: (url: string) => boolean): IpcRegistration {
  let loginEnabled = false;
  return registerIpc({
    ipcMain,
    isOwnUrl,
    api: runtime.handlers,
    live: runtime.live,
    shell: {
      pairingToken: () => runtime.token,
      getStartAtLogin: () => Promise.resolve({ supported: true, enabled: loginEnabled, requiresApproval: false }),
      setStartAtLogin: (enabled) => Promise.resolve({ supported: true, enabled: (loginEnabled = enabled), requiresApproval: false }),
    },
  });
}
