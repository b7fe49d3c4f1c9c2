// What setting a privacy level and forgetting a name do, for the API (Settings) and the CLI alike.
import { PRIVATE_APP, PRIVATE_DOMAIN, type ForgetOutcome, type PrivacyKind, type PrivacyLevel, type PrivacyList, type PrivacySetOutcome } from '../../../src-shared/privacy.js';
import type { NameRows } from '../store/privacy.js';
import { checkName, type PrivacySettings } from './list.js';

/** The store's part: rewrite (fold or forget) every row of a name. */
export interface NameRewriter {
  rewriteName(kind: PrivacyKind, name: string, to: string | null): NameRows;
}

/** The privacy channels over one list and one store. */
export interface PrivacyAccess {
  list(): PrivacyList;
  set(kind: PrivacyKind, name: string, level: PrivacyLevel | 'normal'): PrivacySetOutcome;
  forget(kind: PrivacyKind, name: string): ForgetOutcome;
  /** Names of `kind` the views leave out. */
  hidden(kind: PrivacyKind): ReadonlySet<string>;
}

const sum = (rows: NameRows): number => Object.values(rows).reduce((a, b) => a + b, 0);

export function createPrivacyAccess(settings: PrivacySettings, store: NameRewriter): PrivacyAccess {
  return {
    list: () => ({ entries: settings.entries() }),
    set(kind, rawName, level) {
      const name = settings.set(kind, rawName, level);
      // Private from now on, and what was stored before goes under the private row: the name leaves the file.
      const folded = level === 'private' ? sum(store.rewriteName(kind, name, kind === 'app' ? PRIVATE_APP : PRIVATE_DOMAIN)) : 0;
      return { entries: settings.entries(), folded };
    },
    forget(kind, rawName) {
      const name = checkName(kind, rawName);
      return { kind, name, deleted: store.rewriteName(kind, name, null) };
    },
    hidden: (kind) => new Set(settings.names(kind, 'hide')),
  };
}
