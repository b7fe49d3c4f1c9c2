// Hash routes (`#/apps?app=Slack`), so the static server needs no fallback and a page can be
// bookmarked with its selection.
import { assertNever } from '../../src-shared/contract/types.js';

/** The pages of the dashboard, and the popover (the menubar's view). */
export const PAGES = ['overview', 'apps', 'domains', 'history', 'changes', 'settings', 'popover'] as const;
export type Page = (typeof PAGES)[number];

/** A parsed route: the page and its parameters. */
export interface Route {
  page: Page;
  params: Record<string, string>;
}

function isPage(name: string): name is Page {
  return (PAGES as readonly string[]).includes(name);
}

/** Reads a location hash; anything unknown is the overview. */
export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const name = (q === -1 ? body : body.slice(0, q)).replace(/\/+$/, '');
  const params: Record<string, string> = {};
  if (q !== -1) for (const [k, v] of new URLSearchParams(body.slice(q + 1))) params[k] = v;
  return { page: isPage(name) ? name : 'overview', params };
}

/** The hash for a page and its parameters (empty values left out). */
export function routeHash(page: Page, params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, v);
  const text = search.toString();
  return `#/${page}${text === '' ? '' : `?${text}`}`;
}

/** The title a page shows in the navigation and the window title. */
export function pageTitle(page: Page): string {
  switch (page) {
    case 'overview':
      return 'Overview';
    case 'apps':
      return 'Applications';
    case 'domains':
      return 'Domains';
    case 'history':
      return 'History';
    case 'changes':
      return 'Changes';
    case 'settings':
      return 'Settings';
    case 'popover':
      return 'netmon';
    default:
      return assertNever(page, 'page');
  }
}
