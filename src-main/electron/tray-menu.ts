// The tray's context menu as data: what it shows for a given state, and which action each item
// runs. The shell turns it into a Menu; tests read the template directly.
import type { MenuItemConstructorOptions } from 'electron';
import type { ByteTotals } from '../../src-shared/contract/types.js';
import { formatBytes } from '../../src-shared/units.js';
import type { StartAtLogin } from '../../src-shared/contract/ipc.js';

/** What the menu shows. */
export interface TrayMenuState {
  /** Today's totals, or null when they could not be read yet. */
  today: ByteTotals | null;
  paused: boolean;
  startAtLogin: StartAtLogin;
  /**
   * Whether to offer "Show netmon": on Linux a tray with a menu often gets no click events
   * (AppIndicator), so the popover must be reachable from the menu.
   */
  offerPopover: boolean;
}

/** What the menu's items do. */
export interface TrayMenuActions {
  showPopover(): void;
  openDashboard(): void;
  togglePause(): void;
  viewLogs(): void;
  toggleStartAtLogin(): void;
  quit(): void;
}

/** Item ids, for finding items in a built menu. */
export type TrayMenuItemId = 'show-popover' | 'today' | 'open-dashboard' | 'pause' | 'view-logs' | 'start-at-login' | 'quit';

type Item = MenuItemConstructorOptions & { id?: TrayMenuItemId };

/** The menu for `state`. */
export function trayMenuTemplate(state: TrayMenuState, actions: TrayMenuActions): Item[] {
  const today =
    state.today === null ? 'Today: —' : `Today: ↓ ${formatBytes(state.today.bytesIn)}  ↑ ${formatBytes(state.today.bytesOut)}`;
  const items: Item[] = [];
  if (state.offerPopover) {
    items.push({ id: 'show-popover', label: 'Show netmon', click: () => actions.showPopover() }, { type: 'separator' });
  }
  items.push(
    { id: 'today', label: today, enabled: false },
    { type: 'separator' },
    { id: 'open-dashboard', label: 'Open Dashboard', click: () => actions.openDashboard() },
    { id: 'pause', label: state.paused ? 'Resume Monitoring' : 'Pause Monitoring', click: () => actions.togglePause() },
    { id: 'view-logs', label: 'View Logs', click: () => actions.viewLogs() },
    { type: 'separator' },
    {
      id: 'start-at-login',
      label: state.startAtLogin.requiresApproval ? 'Start at Login (allow in System Settings)' : 'Start at Login',
      type: 'checkbox',
      checked: state.startAtLogin.enabled,
      enabled: state.startAtLogin.supported,
      click: () => actions.toggleStartAtLogin(),
    },
    { type: 'separator' },
    { id: 'quit', label: 'Quit netmon', accelerator: 'CommandOrControl+Q', click: () => actions.quit() },
  );
  return items;
}
