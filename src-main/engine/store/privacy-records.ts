// The plan records that can name an app, a domain or a network (schema v5): budgets' targets, plans'
// networks, the words of stored alerts and the top lists of closed-cycle summaries. When a name is made
// private they move to the private row (the budget or plan keeps counting the same bytes, now under that
// row, and its stored target no longer names it); when a name is forgotten the alerts and summaries stop
// naming it (a budget or plan is a setting, not history: it stays). Runs inside rewriteName's transaction.
import type Database from 'better-sqlite3';
import { domainMatches, type PrivacyKind } from '../../../src-shared/privacy.js';

const FORGOTTEN = '(forgotten)';

const hasTable = (db: Database.Database, name: string): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/** Whether a stored target of `kind` falls under the name. */
const covers = (kind: PrivacyKind, name: string, target: string): boolean => (kind === 'domain' ? domainMatches(name, target) : target === name);

interface TopEntry {
  name: string;
  bytes: number;
}

/** A top list with the name's entries renamed to `to` (added up with any entry of `to`) or left out. */
function rewriteTop(list: readonly TopEntry[], hit: (n: string) => boolean, to: string | null): TopEntry[] {
  const merged = new Map<string, TopEntry>();
  for (const e of list) {
    const n = hit(e.name) ? to : e.name;
    if (n === null) continue;
    const m = merged.get(n);
    if (m === undefined) merged.set(n, { name: n, bytes: e.bytes });
    else m.bytes += e.bytes;
  }
  return [...merged.values()].sort((x, y) => y.bytes - x.bytes);
}

/**
 * Rewrites what the plan records say of `name` (and `alsoNamed`: a network's labels, which alerts may
 * quote): fold (`to` the private row) or forget (`to` null). Returns the rows changed per table.
 */
export function rewritePlanRecords(db: Database.Database, kind: PrivacyKind, name: string, to: string | null, alsoNamed: readonly string[] = []): Record<string, number> {
  const done: Record<string, number> = {};
  const count = (table: string, n: number): void => {
    if (n > 0) done[table] = (done[table] ?? 0) + n;
  };
  if (!hasTable(db, 'budgets')) return done;
  if (to !== null && kind !== 'network') {
    const budgets = db.prepare('SELECT id, target FROM budgets WHERE target_kind = ?').all(kind) as { id: number; target: string }[];
    for (const b of budgets.filter((x) => covers(kind, name, x.target))) {
      const taken = db.prepare('SELECT id FROM budgets WHERE target_kind = ? AND target = ?').get(kind, to) as { id: number } | undefined;
      if (taken === undefined) {
        // A new revision: the budget counts other rows now, so its cycle's alerts start again.
        db.prepare('UPDATE budgets SET target = ?, revision = revision + 1 WHERE id = ?').run(to, b.id);
      } else {
        // The private row has its budget already: that one counts these bytes from now on.
        db.prepare('DELETE FROM budgets WHERE id = ?').run(b.id);
        db.prepare('DELETE FROM alert_state WHERE subject = ?').run(`budget:${b.id}`);
      }
      count('budgets', 1);
    }
  }
  if (to !== null && kind === 'network') {
    count('plans', db.prepare('UPDATE plans SET network = ?, revision = revision + 1 WHERE network = ?').run(to, name).changes);
  }
  // Alerts' words: every mention of the name (or a label) becomes the private row, or "(forgotten)".
  const words = [name, ...alsoNamed].filter((w) => w.length > 0);
  const replacement = to ?? FORGOTTEN;
  const alerts = db.prepare('SELECT id, title, body FROM alerts').all() as { id: number; title: string; body: string }[];
  for (const a of alerts) {
    const swap = (text: string): string => words.reduce((t, w) => t.split(w).join(replacement), text);
    const title = swap(a.title);
    const body = swap(a.body);
    if (title !== a.title || body !== a.body) count('alerts', db.prepare('UPDATE alerts SET title = ?, body = ? WHERE id = ?').run(title, body, a.id).changes);
  }
  // Closed-cycle summaries are immutable (a trigger refuses UPDATE): the row is replaced whole.
  if (kind !== 'network') {
    const field = kind === 'app' ? 'apps' : 'domains';
    const rows = db.prepare('SELECT * FROM cycle_history').all() as ({ top: string } & Record<string, unknown>)[];
    for (const row of rows) {
      const top = JSON.parse(row.top) as Record<string, TopEntry[]>;
      const list = top[field] ?? [];
      const hit = (n: string): boolean => covers(kind, name, n);
      if (!list.some((e) => hit(e.name))) continue;
      top[field] = rewriteTop(list, hit, to);
      db.prepare('DELETE FROM cycle_history WHERE plan_id = ? AND cycle_start = ?').run(row['plan_id'], row['cycle_start']);
      const names = Object.keys(row);
      db.prepare(`INSERT INTO cycle_history (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`).run({ ...row, top: JSON.stringify(top) });
      count('cycle_history', 1);
    }
  }
  return done;
}
