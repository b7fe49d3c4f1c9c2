// Budgets and plans as typed can name a private app, domain or network. Storing that name in the
// budgets or plans table would write it to the database, and the budget would count nothing (the
// name's bytes are stored under the private row). So the target is converted to the private row before
// it is saved: the budget counts every private app (or site), the plan every private network, and the
// caller says so in words. A name made private later is moved the same way (store/privacy-records.ts).
import { PRIVATE_NETWORK, privateRowOf, type PrivacyKind } from '../../../src-shared/privacy.js';
import type { BudgetTarget } from '../plans/types.js';
import type { PrivacyView } from './list.js';

/** What a conversion says: why the saved target is not the one typed. */
export function privateTargetNote(kind: PrivacyKind, typed: string): string {
  const row = kind === 'network' ? `the private network ("${PRIVATE_NETWORK}")` : `"${privateRowOf(kind)}"`;
  return `the ${kind} ${kind === 'network' ? 'you named' : `'${typed}'`} is private, so its ${kind === 'network' ? 'id' : 'name'} is not stored: this counts ${row}, the bytes of every private ${kind}`;
}

/** A budget's target with a private name replaced by the private row, and the note when it was. */
export function budgetTargetOf(privacy: PrivacyView | undefined, target: BudgetTarget): { target: BudgetTarget; note: string | null } {
  if (privacy === undefined || privacy.level(target.kind, target.name) !== 'private') return { target, note: null };
  return { target: { kind: target.kind, name: privateRowOf(target.kind) }, note: privateTargetNote(target.kind, target.name) };
}

/**
 * A plan's typed network with a private network replaced by the private network, and the note when it
 * was; `known` (isKnownNetwork) then also knows the private network, whose rows may not exist yet.
 */
export function planNetworkOf(
  privacy: PrivacyView | undefined,
  network: string | undefined,
  known: (key: string) => boolean,
): { network: string | undefined; note: string | null; known: (key: string) => boolean } {
  if (privacy === undefined || network === undefined || privacy.level('network', network.trim()) !== 'private') return { network, note: null, known };
  return { network: PRIVATE_NETWORK, note: privateTargetNote('network', network), known: (key) => key === PRIVATE_NETWORK || known(key) };
}
