// What setting a privacy level and forgetting a name do, for the API (Settings) and the CLI alike.
import { privateRowOf, type ForgetOutcome, type PrivacyKind, type PrivacyLevel, type PrivacyList, type PrivacySetOutcome } from '../../../src-shared/privacy.js';
import type { NameRows } from '../store/privacy.js';
import type { PrivacySettings } from './list.js';

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

// Tables of settings, not usage: what a fold moved there is said apart from the rows folded.
const SETTINGS_TABLES = new Set(['budgets', 'plans', 'alerts', 'cycle_history']);
const sum = (rows: NameRows): number => Object.entries(rows).reduce((a, [t, n]) => a + (SETTINGS_TABLES.has(t) ? 0 : n), 0);

/** The budgets and plans a fold moved to the private row, in words. */
function movedWords(kind: PrivacyKind, rows: NameRows): string[] {
  const out: string[] = [];
  const row = kind === 'network' ? 'the private network' : `"${privateRowOf(kind)}"`;
  if ((rows['budgets'] ?? 0) > 0) out.push(`${rows['budgets']} budget(s) on it now count ${row} (every private ${kind}), so its name is not stored`);
  if ((rows['plans'] ?? 0) > 0) out.push(`${rows['plans']} plan(s) on it now count ${row} (every private network), so its id is not stored`);
  return out;
}

export function createPrivacyAccess(settings: PrivacySettings, store: NameRewriter): PrivacyAccess {
  return {
    list: () => ({ entries: settings.entries() }),
    set(kind, rawName, level) {
      const name = settings.set(kind, rawName, level);
      if (level !== 'private') return { entries: settings.entries(), folded: 0 };
      // Private from now on, and what was stored before goes under the private row: the name leaves the file.
      const rows = store.rewriteName(kind, name, privateRowOf(kind));
      const moved = movedWords(kind, rows);
      return { entries: settings.entries(), folded: sum(rows), ...(moved.length > 0 ? { moved } : {}) };
    },
    forget(kind, rawName) {
      // The marker first (privacy/list.ts): a running engine's next flush then drops what it still holds
      // of the name, even when this runs in another process (the CLI) while serve writes.
      const name = settings.markForgotten(kind, rawName);
      return { kind, name, deleted: store.rewriteName(kind, name, null) };
    },
    hidden: (kind) => new Set(settings.names(kind, 'hide')),
  };
}
