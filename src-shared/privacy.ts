// Privacy levels per app and per domain (issue 13 item 6). Networks follow when their rows land.
// - hide: a view filter; everything is still recorded and counted.
// - private: bytes still count (totals, plans) but under one row, PRIVATE_APP or PRIVATE_DOMAIN; the name
//   is never written to the database (and what was written before is folded into that row).
// - normal: no entry.
// Forget (a command, not a level) deletes every row of a name in every tier.
// No dependency: the renderer and the CLI import this as it is.

export type PrivacyKind = 'app' | 'domain';
export type PrivacyLevel = 'hide' | 'private';
export const PRIVACY_KINDS: readonly PrivacyKind[] = ['app', 'domain'];
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

/** What `privacy:list` answers. */
export interface PrivacyList {
  entries: PrivacyEntry[];
}

/** What `privacy:set` answers: the list, and how many stored rows were folded into the private row. */
export interface PrivacySetOutcome extends PrivacyList {
  folded: number;
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
