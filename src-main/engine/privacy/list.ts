// The privacy list: DATA/privacy.json (600, written whole and renamed into place). Kept out of the
// database on purpose: a private name must never be written there, and a purge of usage must not erase
// the list. Read again when the file changes, so `netmon privacy set` reaches a running serve at its
// next flush.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { domainMatches, PRIVACY_KINDS, type PrivacyEntry, type PrivacyKind, type PrivacyLevel } from '../../../src-shared/privacy.js';

export const PRIVACY_FILE = 'privacy.json';
const MAX_ENTRIES = 10_000;
const MAX_NAME = 256;

/** What the store asks at each flush: a name's level (null: normal). */
export interface PrivacyView {
  level(kind: PrivacyKind, name: string): PrivacyLevel | null;
}

/** Refused input: the message names what was wrong. */
export class PrivacyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivacyError';
  }
}

/** Checks a name: an app's as stored, a domain's lower-cased (a domain must look like one). */
export function checkName(kind: PrivacyKind, raw: string): string {
  const name = kind === 'domain' ? raw.trim().toLowerCase() : raw.trim();
  if (name.length === 0 || name.length > MAX_NAME) throw new PrivacyError(`the ${kind} name must be 1 to ${MAX_NAME} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new PrivacyError(`the ${kind} name must not hold control characters`);
  if (kind === 'domain' && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(name)) throw new PrivacyError(`'${raw}' is not a domain name (e.g. example.com)`);
  return name;
}

function parse(raw: unknown): PrivacyEntry[] {
  const list = typeof raw === 'object' && raw !== null && Array.isArray((raw as { entries?: unknown }).entries) ? (raw as { entries: unknown[] }).entries : [];
  const out: PrivacyEntry[] = [];
  for (const e of list.slice(0, MAX_ENTRIES)) {
    if (typeof e !== 'object' || e === null) continue;
    const { kind, name, level } = e as Record<string, unknown>;
    if (!PRIVACY_KINDS.includes(kind as PrivacyKind) || typeof name !== 'string' || (level !== 'hide' && level !== 'private')) continue;
    try {
      out.push({ kind: kind as PrivacyKind, name: checkName(kind as PrivacyKind, name), level });
    } catch {
      // A bad entry is skipped; the others hold.
    }
  }
  return out;
}

/** The list of one data folder. */
export class PrivacySettings implements PrivacyView {
  readonly #file: string;
  #entries: PrivacyEntry[] = [];
  #stamp = '';

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, PRIVACY_FILE);
    this.#reload();
  }

  /** Every entry (read again if the file changed). */
  entries(): PrivacyEntry[] {
    this.#reload();
    return this.#entries.map((e) => ({ ...e }));
  }

  level(kind: PrivacyKind, name: string): PrivacyLevel | null {
    this.#reload();
    for (const e of this.#entries) {
      if (e.kind !== kind) continue;
      if (kind === 'app' ? e.name === name : domainMatches(e.name, name)) return e.level;
    }
    return null;
  }

  /** Names of `kind` at `level`. */
  names(kind: PrivacyKind, level: PrivacyLevel): string[] {
    return this.entries()
      .filter((e) => e.kind === kind && e.level === level)
      .map((e) => e.name);
  }

  /** Sets a name's level ('normal' removes it) and writes the file; returns the checked name. */
  set(kind: PrivacyKind, rawName: string, level: PrivacyLevel | 'normal'): string {
    const name = checkName(kind, rawName);
    this.#reload();
    const rest = this.#entries.filter((e) => !(e.kind === kind && e.name === name));
    if (level !== 'normal') rest.push({ kind, name, level });
    if (rest.length > MAX_ENTRIES) throw new PrivacyError(`the list holds at most ${MAX_ENTRIES} names`);
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ entries: rest }, null, 2)}\n`, { mode: 0o600, flag: 'w' });
    renameSync(tmp, this.#file);
    this.#entries = rest;
    this.#stamp = this.#stampNow();
    return name;
  }

  #stampNow(): string {
    if (!existsSync(this.#file)) return 'none';
    const s = statSync(this.#file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  }

  #reload(): void {
    const stamp = this.#stampNow();
    if (stamp === this.#stamp) return;
    this.#stamp = stamp;
    if (stamp === 'none') {
      this.#entries = [];
      return;
    }
    try {
      this.#entries = parse(JSON.parse(readFileSync(this.#file, 'utf8')));
    } catch {
      // An unreadable file keeps the list as it was: hiding or privacy never lapses on a bad write.
    }
  }
}
