// The domain field of a browser report: what is kept (and as what), what is refused (and why).
import { describe, expect, it } from 'vitest';
import { normalizeHostname } from '../../src-main/engine/domains/hostname.js';

// Expected punycode worked out from RFC 3492 by hand / taken from registries' published forms
// (bücher.de is the RFC's own example domain family; münchen.de is the city's published IDN).
const accepted: Array<[string, string, string]> = [
  ['netflix.com', 'netflix.com', 'netflix.com'],
  ['Netflix.COM', 'netflix.com', 'netflix.com'],
  ['api.netflix.com', 'api.netflix.com', 'netflix.com'],
  ['www.bbc.co.uk', 'www.bbc.co.uk', 'bbc.co.uk'],
  ['bbc.co.uk.', 'bbc.co.uk', 'bbc.co.uk'],
  ['bücher.de', 'xn--bcher-kva.de', 'xn--bcher-kva.de'],
  ['BÜCHER.de', 'xn--bcher-kva.de', 'xn--bcher-kva.de'],
  ['xn--bcher-kva.de', 'xn--bcher-kva.de', 'xn--bcher-kva.de'],
  ['www.münchen.de', 'www.xn--mnchen-3ya.de', 'xn--mnchen-3ya.de'],
  // Full-width letters are the same name; UTS #46 maps them to ASCII.
  ['ｎｅｔｆｌｉｘ.com', 'netflix.com', 'netflix.com'],
  // A whole-Cyrillic name under a Cyrillic TLD is a real Russian domain (пример.рф = "example.rf").
  ['пример.рф', 'xn--e1afmkfd.xn--p1ai', 'xn--e1afmkfd.xn--p1ai'],
  // Japanese mixes Han, Hiragana, Katakana and Latin legitimately.
  ['ドメイン名例.jp', 'xn--eckwd4c7cu47r2wf.jp', 'xn--eckwd4c7cu47r2wf.jp'],
  ['localhost', 'localhost', 'localhost'],
  ['my-host_1.example.org', 'my-host_1.example.org', 'example.org'],
];

describe('normalizeHostname accepts hostnames and reduces them', () => {
  it.each(accepted)('%s → %s (domain %s)', (input, hostname, domain) => {
    const result = normalizeHostname(input);
    expect(result).toEqual({ ok: true, hostname, domain });
  });
});

const refused: Array<[string, string, RegExp]> = [
  ['a URL with a path', 'https://netflix.com/watch/123', /not a URL \(it has a scheme\)/],
  ['a path without scheme', 'netflix.com/watch/123', /not a URL \(it has a path\)/],
  ['a query', 'netflix.com?q=secret', /it has a query/],
  ['a fragment', 'netflix.com#top', /it has a fragment/],
  ['userinfo', 'user:pw@netflix.com', /it has userinfo/],
  ['a port', 'netflix.com:443', /it has a port/],
  ['a backslash path', 'netflix.com\\x', /it has a path/],
  ['percent-encoding', 'net%66lix.com', /percent-encoding/],
  ['an IPv4 address', '192.0.2.1', /IP address/],
  ['an IPv4 address in hex', '0x7f.1', /IP address/],
  ['an IPv6 literal', '[::1]', /IPv6 literal/],
  ['a space', 'netflix .com', /spaces/],
  ['a newline (log injection)', 'netflix.com\nINFO fake', /control/],
  ['a zero-width joiner', 'net\u200dflix.com', /invisible/],
  ['a soft hyphen', 'net\u00adflix.com', /invisible/],
  ['an empty label', 'a..b', /not a valid hostname/],
  ['a leading hyphen', '-bad.com', /not a valid hostname/],
  ['a 64-character label', `${'x'.repeat(64)}.com`, /not a valid hostname/],
  ['invalid punycode', 'xn--zz.com', /not a valid hostname/],
  ['an empty string', '', /empty/],
  ['too long', `${'a'.repeat(1025)}`, /longer than 1024/],
  ['a hostname over 253 characters', `${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com`, /longer than 253/],
  // Cyrillic "е" (U+0435) among Latin letters: the classic homograph.
  ['Cyrillic e in netflix', 'n\u0435tflix.com', /mixes scripts \(Latin, Cyrillic\)/],
  ['the same homograph as punycode', 'xn--ntflix-3of.com', /mixes scripts/],
  // "аррӏе" is all Cyrillic but reads "apple" under .com.
  ['whole-script Cyrillic apple', '\u0430\u0440\u0440\u04cf\u0435.com', /Cyrillic letters that look Latin/],
  ['whole-script Greek', '\u03bf\u03ba.com', /Greek letters that look Latin/],
];

describe('normalizeHostname refuses what is not a hostname', () => {
  it.each(refused)('%s', (_what, input, reason) => {
    const result = normalizeHostname(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
