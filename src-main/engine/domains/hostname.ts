// The domain field of a browser report, reduced to a hostname: lower-case ASCII (IDN as punycode),
// nothing of a URL (scheme, userinfo, port, path, query, fragment), no IP literal, and no label that
// mixes scripts or spells a Latin word in Cyrillic or Greek letters (the look-alikes browsers
// themselves show as punycode). Privacy rule: a URL is refused, never trimmed down and stored.
// The one Public Suffix List reducer (tldts, a trie) of the engine: browser reports and packet naming
// (packet-naming.ts) both reduce a host to its registrable domain here. Loaded on first use, so that
// a `netmon serve` that never sees a host name never holds the list.
import { domainToASCII, domainToUnicode } from 'node:url';
import { getDomain, parse } from 'tldts';

/** The registrable domain of a host name by the Public Suffix List (`api.netflix.com` → `netflix.com`), or null when it has none. */
export function registrableDomain(hostname: string): string | null {
  return getDomain(hostname);
}

/** A normalized hostname and its registrable domain. */
export interface NormalizedHost {
  /** Lower-case ASCII hostname, IDN labels as punycode (`xn--…`), no trailing dot. */
  hostname: string;
  /** Registrable domain by the Public Suffix List (`api.netflix.com` → `netflix.com`), else the hostname. */
  domain: string;
}

/** Why a domain field was refused, in words for the 400 answer. */
export type HostnameRefusal = { ok: false; reason: string };

const MAX_INPUT = 1024;
const MAX_HOSTNAME = 253;

// Characters that only appear in URLs or addresses, never in a hostname: each names the part it betrays.
const URL_MARKS: ReadonlyArray<[RegExp, string]> = [
  [/:\/\//, 'a scheme'],
  [/@/, 'userinfo'],
  [/[/\\]/, 'a path'],
  [/\?/, 'a query'],
  [/#/, 'a fragment'],
  [/[[\]]/, 'an IPv6 literal'],
  [/:/, 'a port'],
  [/%/, 'percent-encoding'],
];

// Scripts told apart for the mixed-script rule. Characters in none of these count as one "other"
// script each time they appear with a named one, which refuses a mix conservatively.
const SCRIPTS: ReadonlyArray<[string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Han', /\p{Script=Han}/u],
  ['Hiragana', /\p{Script=Hiragana}/u],
  ['Katakana', /\p{Script=Katakana}/u],
  ['Bopomofo', /\p{Script=Bopomofo}/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Georgian', /\p{Script=Georgian}/u],
];
const NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;

// Mixes that real names use (as in Unicode TS #39's "highly restrictive" profile).
const ALLOWED_MIXES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

// Cyrillic and Greek letters drawn like Latin ones: a label made only of these under a non-Cyrillic,
// non-Greek top-level domain spells a Latin word in disguise (`аррӏе.com`).
const LATIN_LOOKING = new Set([...'асԁеһіјкӏорԛѕԝхуүѵьъпгѡҽ', ...'αεικνορτυχγ']);

function scriptsOf(label: string): Set<string> {
  const found = new Set<string>();
  for (const ch of label) {
    if (/[a-z0-9_-]/.test(ch) || NEUTRAL.test(ch)) {
      if (/[a-z]/.test(ch)) found.add('Latin');
      continue;
    }
    const named = SCRIPTS.find(([, re]) => re.test(ch));
    found.add(named === undefined ? `other:${ch}` : named[0]);
  }
  return found;
}

function lookAlikeReason(unicodeLabel: string, unicodeTld: string): string | null {
  const scripts = scriptsOf(unicodeLabel);
  if (scripts.size > 1 && !ALLOWED_MIXES.some((mix) => [...scripts].every((s) => mix.has(s)))) {
    return `label "${unicodeLabel}" mixes scripts (${[...scripts].map((s) => s.replace(/^other:.*/, 'other')).join(', ')}): a look-alike`;
  }
  const [only] = scripts;
  if (scripts.size === 1 && (only === 'Cyrillic' || only === 'Greek')) {
    const tldScripts = scriptsOf(unicodeTld);
    const letters = [...unicodeLabel].filter((ch) => !/[0-9-]/.test(ch));
    if (!tldScripts.has(only) && letters.length > 0 && letters.every((ch) => LATIN_LOOKING.has(ch))) {
      return `label "${unicodeLabel}" is ${only} letters that look Latin: a look-alike`;
    }
  }
  return null;
}

/** Reduces a report's domain field to a hostname, or says why it is not one. */
export function normalizeHostname(input: string): ({ ok: true } & NormalizedHost) | HostnameRefusal {
  if (input.length === 0) return { ok: false, reason: 'domain is empty' };
  if (input.length > MAX_INPUT) return { ok: false, reason: `domain is longer than ${MAX_INPUT} characters` };
  // Spaces of any kind, control and invisible format characters (soft hyphen, zero-width joiners)
  // never come from a browser's hostname; they only serve to disguise one.
  if (/[\p{Cc}\p{Cf}\p{Z}]/u.test(input)) {
    return { ok: false, reason: 'domain contains spaces, control or invisible characters' };
  }
  for (const [mark, part] of URL_MARKS) {
    if (mark.test(input)) return { ok: false, reason: `domain must be a bare hostname such as netflix.com, not a URL (it has ${part})` };
  }
  const trimmed = input.endsWith('.') ? input.slice(0, -1) : input;
  // WHATWG/UTS #46 processing: lower-cases, maps width variants, converts IDN to punycode, and
  // returns "" for what is not a valid domain (bad punycode, forbidden code points, ZWJ …).
  const ascii = domainToASCII(trimmed);
  if (ascii === '') return { ok: false, reason: `domain ${JSON.stringify(input)} is not a valid hostname` };
  if (ascii.length > MAX_HOSTNAME) return { ok: false, reason: `hostname is longer than ${MAX_HOSTNAME} characters` };
  const parsed = parse(ascii, { validateHostname: true, detectIp: true });
  if (parsed.isIp === true) return { ok: false, reason: 'domain is an IP address, not a hostname' };
  if (parsed.hostname !== ascii) return { ok: false, reason: `domain ${JSON.stringify(input)} is not a valid hostname` };

  const unicode = domainToUnicode(ascii);
  const labels = unicode.split('.');
  const tld = labels[labels.length - 1] ?? '';
  for (const label of labels) {
    const reason = lookAlikeReason(label, tld);
    if (reason !== null) return { ok: false, reason };
  }
  return { ok: true, hostname: ascii, domain: parsed.domain ?? ascii };
}
