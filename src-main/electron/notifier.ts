// Showing the shell's notifications (what to say is decided in notify-rules.ts): a click opens the
// dashboard at the notice's route; where notifications are not supported, the log says so.
import { Notification } from 'electron';
import { createLogger } from '../engine/log.js';
import type { Notice } from './notify-rules.js';

const log = createLogger('electron');

export interface Notifier {
  /** Shows `notice`; a click on it opens the dashboard at `route`. */
  notify(notice: Pick<Notice, 'title' | 'body'>, route: string): void;
  /** Notifications shown and not yet clicked or closed. */
  pending(): number;
}

export function createNotifier(openDashboard: (route: string) => void): Notifier {
  const notifications = new Set<Notification>();
  return {
    notify(notice, route) {
      if (!Notification.isSupported()) {
        log.info('notification not shown (not supported here)', { title: notice.title });
        return;
      }
      const shown = new Notification({ title: notice.title, body: notice.body });
      // Held until clicked or closed: a notification only referenced here would be garbage-collected
      // with its click handler, and the click would do nothing.
      notifications.add(shown);
      shown.on('click', () => {
        notifications.delete(shown);
        openDashboard(route);
      });
      shown.on('close', () => notifications.delete(shown));
      shown.on('failed', (_event, error) => {
        notifications.delete(shown);
        log.warn('notification not shown (an unsigned build on macOS cannot post one)', { title: notice.title, error });
      });
      shown.show();
    },
    pending: () => notifications.size,
  };
}
