// The overview's queries in one place: the page asks them, and the entry point starts them early
// when the window opens on the overview (before the page's code has loaded).
import type { ApiRequest } from '../../src-shared/contract/schemas.js';
import { rangeRequest, TIMELINE_PRESETS, type ViewRange } from './ranges.js';

/** A timeline preset of the overview. */
export type OverviewPreset = (typeof TIMELINE_PRESETS)[number];

/** The preset a route's `range` parameter names, or 24 hours. */
export function overviewPreset(params: Record<string, string>): OverviewPreset {
  const value = params['range'];
  return (TIMELINE_PRESETS as readonly string[]).includes(value ?? '') ? (value as OverviewPreset) : '24h';
}

/** What the overview asks the engine for a range. */
export function overviewRequests(view: ViewRange): {
  timeline: ApiRequest<'usage:timeline'>;
  apps: ApiRequest<'apps:list'>;
  domains: ApiRequest<'domains:list'>;
  summary: ApiRequest<'usage:summary'>;
  networks: ApiRequest<'networks:list'>;
  ledger: ApiRequest<'networks:ledger'>;
} {
  const range = rangeRequest(view);
  return { timeline: { ...range, bucket: 'auto' }, apps: { ...range, limit: 1000 }, domains: { ...range, limit: 10 }, summary: {}, networks: range, ledger: range };
}

/** What the overview asks instead of the all-traffic timeline and apps when one network is picked. */
export function networkRequests(view: ViewRange, network: string): { timeline: ApiRequest<'networks:timeline'>; apps: ApiRequest<'networks:apps'> } {
  const range = rangeRequest(view);
  return { timeline: { ...range, bucket: 'auto', network }, apps: { ...range, network, limit: 1000 } };
}
