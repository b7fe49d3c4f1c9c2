// The privacy list: DATA/privacy.json (600, written whole and renamed into place). Kept out of the
// database on purpose: a private name must never be written there, and a purge of usage must not erase
// the list. Read again when the file changes, so `netmon privacy set` reaches a running serve at its
// next flush.
// A forget also leaves a marker here for a day: the name only as a salted SHA-256 digest, with the
// instant of the forget, so that a running serve (or the app) drops every row of the name from before
// that instant which it still holds in memory (the store's buffer, the domain and network stages), in
// its next flush's transaction. Forget from the CLI while serve runs therefore writes nothing back.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { domainMatches, PRIVACY_KINDS, PRIVATE_NETWORK, type PrivacyEntry, type PrivacyKind, type PrivacyLevel } from '../../../src-shared/privacy.js';

export const PRIVACY_FILE = 'privacy.json';
const MAX_ENTRIES = 10_000;
const MAX_NAME = 256;
/** How long a forget marker is kept (s): longer than any row waits in memory short of a day-long failing disk. */
export const FORGET_MARKER_S = 24 * 3600;

/** A forget, as kept for a day: the name's salted digest and when (epoch s). */
interface ForgetMarker {
  kind: PrivacyKind;
  digest: string;
  at: number;
}

/** What the store asks at each flush: a name's level (null: normal), and whether it was forgotten. */
export interface PrivacyView {
  level(kind: PrivacyKind, name: string): PrivacyLevel | null;
  /** When `name` (or, for a domain, a domain it falls under) was last forgotten, epoch s; null: not within the marker's day. */
  forgottenAt?(kind: PrivacyKind, name: string): number | null;
  /** Whether any forget marker is kept now (names are checked only then). */
  hasForgetMarkers?(): boolean;
}

/** Refused input: the message names what was wrong. */
export class PrivacyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivacyError';
  }
}

/** Checks a name: an app's as stored, a domain's lower-cased (a domain must look like one), a network's id as `netmon report --by network --json` gives it. */
export function checkName(kind: PrivacyKind, raw: string): string {
  const name = kind === 'domain' ? raw.trim().toLowerCase() : raw.trim();
  const max = kind === 'network' ? 200 : MAX_NAME; // networks.key's CHECK
  const what = kind === 'network' ? 'network id' : `${kind} name`;
  if (name.length === 0 || name.length > max) throw new PrivacyError(`the ${what} must be 1 to ${max} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new PrivacyError(`the ${what} must not hold control characters`);
  if (kind === 'domain' && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(name)) throw new PrivacyError(`'${raw}' is not a domain name (e.g. example.com)`);
  if (kind === 'network' && name === PRIVATE_NETWORK) throw new PrivacyError(`'${PRIVATE_NETWORK}' is the private networks' own row`);
  return name;
}

/** The names a stored name falls under: itself, and for a domain each domain it is a subdomain of. */
function namesCovering(kind: PrivacyKind, name: string): string[] {
  if (kind !== 'domain') return [name];
  const parts = name.split('.');
  return parts.slice(0, -1).map((_, i) => parts.slice(i).join('.'));
}

function parseMarkers(raw: unknown, nowS: number): ForgetMarker[] {
  const list = typeof raw === 'object' && raw !== null && Array.isArray((raw as { forgotten?: unknown }).forgotten) ? (raw as { forgotten: unknown[] }).forgotten : [];
  const out: ForgetMarker[] = [];
  for (const m of list.slice(0, MAX_ENTRIES)) {
    if (typeof m !== 'object' || m === null) continue;
    const { kind, digest, at } = m as Record<string, unknown>;
    if (!PRIVACY_KINDS.includes(kind as PrivacyKind) || typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest) || typeof at !== 'number' || !Number.isSafeInteger(at)) continue;
    if (at + FORGET_MARKER_S > nowS) out.push({ kind: kind as PrivacyKind, digest, at });
  }
  return out;
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
  readonly #nowS: () => number;
  #entries: PrivacyEntry[] = [];
  #markers: ForgetMarker[] = [];
  #salt = '';
  #stamp = '';

  constructor(dataDir: string, nowS: () => number = () => Math.floor(Date.now() / 1000)) {
    this.#file = path.join(dataDir, PRIVACY_FILE);
    this.#nowS = nowS;
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
      if (kind === 'domain' ? domainMatches(e.name, name) : e.name === name) return e.level;
    }
    return null;
  }

  forgottenAt(kind: PrivacyKind, name: string): number | null {
    this.#reload();
    if (this.#markers.length === 0) return null;
    const nowS = this.#nowS();
    let at: number | null = null;
    for (const n of namesCovering(kind, name)) {
      const digest = this.#digest(kind, n);
      for (const m of this.#markers) if (m.kind === kind && m.digest === digest && m.at + FORGET_MARKER_S > nowS) at = Math.max(at ?? m.at, m.at);
    }
    return at;
  }

  /** Whether a forget marker is in the file now (the store checks names only then). */
  hasForgetMarkers(): boolean {
    this.#reload();
    return this.#markers.length > 0;
  }

  /**
   * Leaves the marker of a forget at `atS` (written before the rows are deleted, so a flush that starts
   * after the delete always sees it). The name itself is not written, only its salted digest.
   */
  markForgotten(kind: PrivacyKind, rawName: string, atS: number = this.#nowS()): string {
    const name = checkName(kind, rawName);
    this.#reload();
    const digest = this.#digest(kind, name);
    const markers = [...this.#markers.filter((m) => !(m.kind === kind && m.digest === digest)), { kind, digest, at: atS }];
    this.#write(this.#entries, markers.slice(-MAX_ENTRIES));
    return name;
  }

  #digest(kind: PrivacyKind, name: string): string {
    if (this.#salt === '') this.#salt = randomBytes(16).toString('hex');
    return createHash('sha256').update(`${this.#salt}\u0000${kind}\u0000${name}`).digest('hex');
  }

  #write(entries: PrivacyEntry[], markers: ForgetMarker[]): void {
    const nowS = this.#nowS();
    const kept = markers.filter((m) => m.at + FORGET_MARKER_S > nowS);
    const doc = kept.length === 0 ? { entries } : { entries, forgotten: kept, salt: this.#salt };
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600, flag: 'w' });
    renameSync(tmp, this.#file);
    this.#entries = entries;
    this.#markers = kept;
    this.#stamp = this.#stampNow();
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
    this.#write(rest, this.#markers);
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
      this.#markers = [];
      return;
    }
    try {
      const doc = JSON.parse(readFileSync(this.#file, 'utf8')) as unknown;
      this.#entries = parse(doc);
      this.#markers = parseMarkers(doc, this.#nowS());
      const salt = typeof doc === 'object' && doc !== null ? (doc as { salt?: unknown }).salt : undefined;
      if (typeof salt === 'string' && /^[0-9a-f]{32}$/.test(salt)) this.#salt = salt;
    } catch {
      // An unreadable file keeps the list as it was: hiding or privacy never lapses on a bad write.
    }
  }
}
