// The demo generator's domain rows: per app and interval they add up exactly to the app's usage row
// (the invariant the engine keeps), browsers spread over a dozen sites with some bytes placed by the
// active tab, a few other apps named too, an unnamed remainder, all deterministic from the seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEMO_DOMAIN_APPS, DEMO_FLAGGED_HOUR, DEMO_HOTSPOT_HOURS, DEMO_NETWORKS, DEMO_OVERHEAD, generateDemo, splitBytes, type DemoBatch, type DemoOptions } from '../../src-main/engine/demo.js';
import { NetworkLedger } from '../../src-main/engine/network/ledger.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';

// 2026-11-21T12:00:00Z; three days, the last of them in 10-minute rows.
const OPTIONS: DemoOptions = { days: 3, endSeconds: 1_795_348_800, seed: 7, fineSeconds: 86_400, fineStepSeconds: 600 };
const all = (options: DemoOptions): DemoBatch => {
  const out: DemoBatch = { usage: [], processes: [], domains: [], networks: [], ledger: [] };
  for (const b of generateDemo(options)) {
    out.usage.push(...b.usage);
    out.processes.push(...b.processes);
    out.domains.push(...b.domains);
    out.networks.push(...b.networks);
    out.ledger.push(...b.ledger);
  }
  return out;
};
const BROWSERS = ['Google Chrome', 'Safari', 'Firefox', 'Zen', 'Microsoft Edge'];

describe('splitBytes', () => {
  it.each([
    // Running totals rounded: 10·1/3 → 3, 10·2/3 → 7, 10: parts 3, 4, 3.
    [10, [1, 1, 1], [3, 4, 3]],
    [0, [1, 2], [0, 0]],
    [7, [0, 1], [0, 7]],
    [5, [0, 0], [0, 5]],
    // 100·0.25 = 25, 100·0.75 = 75, 100.
    [100, [0.25, 0.5, 0.25], [25, 50, 25]],
    [1, [1, 1, 1], [0, 1, 0]],
  ])('%d by %j → %j', (total, weights, parts) => {
    expect(splitBytes(total, weights)).toEqual(parts);
  });

  it('parts are whole, never negative, and add up to the total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }), (total, weights) => {
        const parts = splitBytes(total, weights);
        expect(parts).toHaveLength(weights.length);
        for (const p of parts) expect(Number.isInteger(p) && p >= 0).toBe(true);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      }),
    );
  });
});

describe('demo domain rows', () => {
  const demo = all(OPTIONS);

  it('per app and interval add up exactly to the usage row; apps without a profile and the unattributed row have none', () => {
    const usage = new Map(demo.usage.map((u) => [`${u.ts}|${u.app}`, u]));
    const sums = new Map<string, { bytesIn: number; bytesOut: number; durationS: number }>();
    for (const d of demo.domains) {
      const key = `${d.ts}|${d.app}`;
      const s = sums.get(key) ?? { bytesIn: 0, bytesOut: 0, durationS: d.durationS };
      s.bytesIn += d.bytesIn;
      s.bytesOut += d.bytesOut;
      expect(d.durationS).toBe(s.durationS);
      sums.set(key, s);
    }
    for (const [key, s] of sums) {
      const u = usage.get(key);
      expect(u, key).toBeDefined();
      expect({ bytesIn: s.bytesIn, bytesOut: s.bytesOut, durationS: s.durationS }, key).toEqual({ bytesIn: u?.bytesIn, bytesOut: u?.bytesOut, durationS: u?.durationS });
    }
    const withDomains = new Set(DEMO_DOMAIN_APPS);
    for (const u of demo.usage) {
      const key = `${u.ts}|${u.app}`;
      expect(sums.has(key), key).toBe(withDomains.has(u.app));
    }
    expect(withDomains.has(UNATTRIBUTED)).toBe(false);
  });

  it('one row per (interval, app, domain, estimate), each with bytes, named as the store takes them', () => {
    const keys = demo.domains.map((d) => `${d.ts}|${d.app}|${d.domain}|${d.estimate}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of demo.domains) {
      expect(d.bytesIn + d.bytesOut).toBeGreaterThan(0);
      expect(d.domain === UNATTRIBUTED || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d.domain), d.domain).toBe(true);
    }
  });

  it('browsers spread over a dozen sites, some bytes placed by the active tab; other apps named; an unnamed remainder', () => {
    const domainsOf = (app: string): Set<string> => new Set(demo.domains.filter((d) => d.app === app && d.domain !== UNATTRIBUTED).map((d) => d.domain));
    const chrome = domainsOf('Google Chrome');
    expect(chrome.size).toBeGreaterThanOrEqual(12);
    const estimated = demo.domains.filter((d) => d.estimate);
    expect(estimated.length).toBeGreaterThan(0);
    expect(estimated.length).toBeLessThan(demo.domains.filter((d) => BROWSERS.includes(d.app)).length / 2);
    // Only a browser's active tab makes a guess.
    for (const d of estimated) expect(BROWSERS).toContain(d.app);
    const others = new Set(demo.domains.filter((d) => !BROWSERS.includes(d.app)).map((d) => d.app));
    expect(others.size).toBeGreaterThanOrEqual(5);
    expect(domainsOf('Steam').has('steamcontent.com') || !demo.usage.some((u) => u.app === 'Steam')).toBe(true);
    // The unnamed part is small but present, for browsers and others alike.
    const unnamed = demo.domains.filter((d) => d.domain === UNATTRIBUTED).reduce((a, d) => a + d.bytesIn, 0);
    const total = demo.domains.reduce((a, d) => a + d.bytesIn, 0);
    expect(unnamed / total).toBeGreaterThan(0.002);
    expect(unnamed / total).toBeLessThan(0.06);
  });

  it('the same seed gives the same history; another seed another one, with the same usage shape', () => {
    expect(all(OPTIONS)).toEqual(demo);
    const other = all({ ...OPTIONS, seed: 8 });
    expect(other.domains).not.toEqual(demo.domains);
    const named = new Set(other.domains.map((d) => `${d.ts}|${d.app}`));
    for (const u of other.usage) expect(named.has(`${u.ts}|${u.app}`)).toBe(DEMO_DOMAIN_APPS.includes(u.app));
  });
});

describe('demo networks and ledger', () => {
  const demo = all(OPTIONS);

  it('every usage row again on one of two networks (the hotspot at lunchtime), bytes equal', () => {
    expect(demo.networks.map((n) => ({ ts: n.ts, durationS: n.durationS, app: n.app, bytesIn: n.bytesIn, bytesOut: n.bytesOut }))).toEqual(demo.usage);
    for (const n of demo.networks) {
      const hour = new Date((n.ts - 1) * 1000).getHours();
      const onHotspot = hour >= DEMO_HOTSPOT_HOURS[0] && hour < DEMO_HOTSPOT_HOURS[1];
      expect([n.ts, n.network]).toEqual([n.ts, DEMO_NETWORKS[onHotspot ? 1 : 0]?.key]);
    }
    expect(new Set(demo.networks.map((n) => n.network)).size).toBe(2);
  });

  it('a tunnel overhead row beside the apps; one flagged ledger hour, in the last day, at the flagged local hour', () => {
    expect(demo.usage.some((u) => u.app === DEMO_OVERHEAD.app && u.bytesIn > 0)).toBe(true);
    const ledger = new NetworkLedger();
    for (const h of demo.ledger) ledger.addSums(h.hourStart * 1000, h);
    const flagged = ledger.hours().filter((h) => h.mismatch);
    expect(flagged).toHaveLength(1);
    const at = (flagged[0]?.hourMs ?? 0) / 1000;
    expect(new Date(at * 1000).getHours()).toBe(DEMO_FLAGGED_HOUR);
    expect(OPTIONS.endSeconds - at).toBeLessThanOrEqual(86_400);
    // The other hours' physical totals are the hour's stored rows.
    expect(ledger.hours().length).toBe(OPTIONS.days * 24);
  });
});
