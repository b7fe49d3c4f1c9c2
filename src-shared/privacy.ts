// Privacy levels per app, per domain and per network (issue 13 item 6).
// - hide: a view filter; everything is still recorded and counted.
// - private: bytes still count (totals, plans) but under one row, PRIVATE_APP or PRIVATE_DOMAIN; the name
//   is never written to the database (and what was written before is folded into that row). A network's
//   name is its id (networks.key, e.g. wifi:02:…): its rows go under PRIVATE_NETWORK, labelled
//   PRIVATE_NETWORK_LABEL, so neither its id nor its label is written.
// - normal: no entry.
// Forget (a command, not a level) deletes every row of a name in every tier.
// No dependency: the renderer and the CLI import this as it is.

export type PrivacyKind = 'app' | 'domain' | 'network';
export type PrivacyLevel = 'hide' | 'private';
export const PRIVACY_KINDS: readonly PrivacyKind[] = ['app', 'domain', 'network'];
export const PRIVACY_LEVELS: readonly (PrivacyLevel | 'normal')[] = ['hide', 'private', 'normal'];

/** One entry of the list. */
export interface PrivacyEntry {
  kind: PrivacyKind;
  name: string;
  level: PrivacyLevel;
}

/** The row private apps' bytes are stored under. */
export const PRIVATE_APP = 'Private';
/**
 * The row private domains' bytes are stored under. Lower case, as the domains table's CHECK wants; no
 * dot, so no registrable domain can be it.
 */
export const PRIVATE_DOMAIN = 'private';

/** The id (networks.key) private networks' bytes are stored under, and its label. */
export const PRIVATE_NETWORK = 'private';
export const PRIVATE_NETWORK_LABEL = 'Private network';

/** The private row of a kind. */
export function privateRowOf(kind: PrivacyKind): string {
  return kind === 'app' ? PRIVATE_APP : kind === 'domain' ? PRIVATE_DOMAIN : PRIVATE_NETWORK;
}

/** What `privacy:list` answers. */
export interface PrivacyList {
  entries: PrivacyEntry[];
}

/** What `privacy:set` answers: the list, how many stored rows were folded into the private row, and the budgets or plans that named it and now name the private row. */
export interface PrivacySetOutcome extends PrivacyList {
  folded: number;
  /** Budgets and plans moved to the private row (their stored target named the name); absent when none. */
  moved?: string[];
}

/** What `privacy:forget` answers: the rows deleted, by table. */
export interface ForgetOutcome {
  kind: PrivacyKind;
  name: string;
  deleted: Record<string, number>;
}

/** Whether `domain` (a stored registrable domain or host) falls under the entry `name`. */
export function domainMatches(name: string, domain: string): boolean {
  return domain === name || domain.endsWith(`.${name}`);
}
