// The current hash route, kept in step with the address bar.
import { useEffect, useState } from 'react';
import { parseRoute, routeHash, type Page, type Route } from '../lib/route.js';

/** The route of this window; re-renders on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Goes to a page (a new history entry, so Back works). */
export function navigate(page: Page, params: Record<string, string | undefined> = {}): void {
  window.location.hash = routeHash(page, params);
}

/** Changes the current page's parameters without a new history entry. */
export function replaceParams(page: Page, params: Record<string, string | undefined>): void {
  const hash = routeHash(page, params);
  if (hash === window.location.hash) return;
  window.history.replaceState(null, '', hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
