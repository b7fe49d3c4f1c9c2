// Every page of the app: it stays on our own URLs, opens no window of its own (our routes open the
// dashboard, https links the system browser) and is granted no permission but the allowed few.
import { app, session, shell as desktop, type WebContents } from 'electron';
import { createLogger } from '../engine/log.js';
import { permissionAllowed, routeOf, type RendererLocation } from './app-url.js';

const log = createLogger('electron');

/** Guards every web contents created from now on; `openDashboard` takes the routes pages link to. */
export function guardWebContents(location: RendererLocation, openDashboard: (route: string) => void): void {
  const harden = (contents: WebContents): void => {
    const stayHome = (event: { preventDefault(): void }, url: string): void => {
      if (location.isOwn(url)) return;
      event.preventDefault();
      log.warn('navigation away from netmon refused', { url });
    };
    contents.on('will-navigate', (details) => stayHome(details, details.url));
    contents.on('will-redirect', (details) => stayHome(details, details.url));
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // The popover's "open dashboard" link (target=_blank) lands here: our routes open the dashboard.
    contents.setWindowOpenHandler(({ url }) => {
      const route = routeOf(location, url);
      if (route !== null) openDashboard(route);
      else if (url.startsWith('https://')) void desktop.openExternal(url);
      else log.warn('a page tried to open a window', { url });
      return { action: 'deny' };
    });
  };
  app.on('web-contents-created', (_event, contents) => harden(contents));
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(permissionAllowed(location, permission, details.requestingUrl)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(location, permission, requestingOrigin));
}
