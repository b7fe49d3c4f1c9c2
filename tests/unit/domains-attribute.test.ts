// Domain attribution, pure parts: whole-byte splitting, the IP map, the active-tab timeline and
// attributeDomains. Expected rows are worked out by hand in the comments beside them.
import { describe, expect, it } from 'vitest';
import { ActiveTabs, attributeDomains, IpDomainMap, normalizeIp, splitWhole, TransferLog, type BrowserFlow, type NameWeight } from '../../src-main/engine/domains/index.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';

describe('splitWhole', () => {
  it.each([
    // total, weights, expected (by hand: floor of each share, then the leftover to the largest fractions)
    [10, [1, 1], [5, 5]],
    [10, [1, 1, 1], [4, 3, 3]], // 3.33 each: one leftover byte to the first
    [100, [3, 1], [75, 25]],
    [7, [0, 0], [4, 3]], // all zero: equal parts, 3.5 each
    [1, [1, 2], [0, 1]], // 0.33 / 0.67: the byte goes to the larger fraction
    [0, [5, 5], [0, 0]],
    [5, [], []],
    [9, [2, Number.NaN, 1], [6, 0, 3]], // a bad weight counts as zero
  ])('splits %i by %j into %j', (total, weights, expected) => {
    expect(splitWhole(total, weights)).toEqual(expected);
  });

  it('always adds up to the whole', () => {
    for (let total = 0; total < 200; total += 7) {
      for (const weights of [[1], [1, 2, 3], [0.1, 0.2, 0.7], [1e9, 1, 1]]) {
        expect(splitWhole(total, weights).reduce((a, b) => a + b, 0)).toBe(total);
      }
    }
  });
});

describe('normalizeIp', () => {
  it.each([
    ['198.51.100.1', '198.51.100.1'],
    [' 198.51.100.7 ', '198.51.100.7'],
    ['::ffff:198.51.100.1', '198.51.100.1'],
    ['[2001:DB8::1]', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['example.com', null],
    ['198.51.100', null],
    ['', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});

describe('IpDomainMap', () => {
  it('knows an address from ttl before its first report to ttl after its last', () => {
    const map = new IpDomainMap({ ttlMs: 1000 });
    map.observe('198.51.100.1', 'a.test', 99, 10_000, 12_000);
    expect(map.lookup('198.51.100.1', 8_000, 8_999)).toEqual([]);
    expect(map.lookup('198.51.100.1', 8_000, 9_000)).toHaveLength(1);
    expect(map.lookup('198.51.100.1', 13_000, 14_000)).toHaveLength(1);
    expect(map.lookup('198.51.100.1', 13_001, 14_000)).toEqual([]);
    expect(map.lookup('198.51.100.2', 11_000, 12_000)).toEqual([]);
  });

  // One address, two hosts: a.test moved 3000 bytes over 0–2 s, b.test 1000 over 3–5 s. With 1 s of
  // slack a's bytes spread over −1–3 s (750 per second), b's over 2–6 s (250 per second).
  const shared = (): IpDomainMap => {
    const map = new IpDomainMap({ slackMs: 1000 });
    map.observe('198.51.100.1', 'a.test', 3000, 0, 2000);
    map.observe('198.51.100.1', 'b.test', 1000, 3000, 5000);
    return map;
  };

  it.each([
    ['only a ran', 0, 1000, [{ name: 'a.test', weight: 750 }]],
    ['both ran', 2000, 3000, [{ name: 'a.test', weight: 750 }, { name: 'b.test', weight: 250 }]],
    ['only b ran', 5500, 6500, [{ name: 'b.test', weight: 125 }]],
    // Nothing ran then (a connection kept open): by sightings, one each.
    ['none ran', 20_000, 21_000, [{ name: 'a.test', weight: 1 }, { name: 'b.test', weight: 1 }]],
  ])('hosts sharing an address are weighed by what ran in the interval: %s', (_what, from, to, expected) => {
    expect(shared().lookup('198.51.100.1', from, to)).toEqual(expected);
  });

  it('keeps at most maxIps addresses, dropping the least recently reported', () => {
    const map = new IpDomainMap({ maxIps: 2 });
    map.observe('198.51.100.1', 'a.test', 0, 0, 0);
    map.observe('198.51.100.2', 'b.test', 0, 0, 0);
    map.observe('198.51.100.1', 'a.test', 0, 1, 1);
    map.observe('198.51.100.3', 'c.test', 0, 2, 2);
    expect(map.size()).toBe(2);
    expect(map.lookup('198.51.100.2', 0)).toEqual([]);
    expect(map.lookup('198.51.100.1', 0)).toEqual([{ name: 'a.test', weight: 2 }]);
  });

  it('keeps a bounded list of transfers per host, merging the oldest, without losing bytes', () => {
    const map = new IpDomainMap({ slackMs: 0 });
    for (let i = 0; i < 100; i++) map.observe('198.51.100.1', 'a.test', 10, i * 1000, i * 1000 + 1000);
    // Over the whole span every byte counts once: 100 transfers of 10 bytes.
    expect(map.lookup('198.51.100.1', 0, 100_000)).toEqual([{ name: 'a.test', weight: 1000 }]);
  });

  it('prune forgets entries past their ttl', () => {
    const map = new IpDomainMap({ ttlMs: 100 });
    map.observe('198.51.100.1', 'a.test', 0, 0, 1000);
    map.prune(1100);
    expect(map.size()).toBe(1);
    map.prune(1101);
    expect(map.size()).toBe(0);
  });
});

describe('TransferLog', () => {
  it('weighs hosts by the bytes they moved within an interval, and forgets old transfers', () => {
    const log = new TransferLog(0);
    log.record('firefox', 'a.test', 1000, 0, 1000);
    log.record('firefox', 'b.test', 500, 500, 1500);
    log.record('firefox', 'c.test', 0, 0, 1000); // no size: not a transfer here
    // [500, 1000]: half of a's span (500), half of b's (250).
    expect([...log.weights('firefox', 500, 1000)]).toEqual([
      ['a.test', 500],
      ['b.test', 250],
    ]);
    expect(log.weights('zen', 0, 2000).size).toBe(0);
    log.prune(1200);
    expect([...log.weights('firefox', 0, 2000)]).toEqual([['b.test', 500]]);
  });
});

describe('ActiveTabs', () => {
  it('a report holds until the next one, or holdMs at most', () => {
    const tabs = new ActiveTabs({ holdMs: 15_000 });
    tabs.record('chromium', 'a.test', 0);
    tabs.record('chromium', 'b.test', 4_000);
    // b.test holds until 4 000 + 15 000 = 19 000 with no later report.
    expect([...tabs.shares('chromium', 0, 30_000)]).toEqual([
      ['a.test', 4_000],
      ['b.test', 15_000],
    ]);
    expect([...tabs.shares('chromium', 2_000, 6_000)]).toEqual([
      ['a.test', 2_000],
      ['b.test', 2_000],
    ]);
    expect(tabs.shares('firefox', 0, 30_000).size).toBe(0);
  });

  it('takes reports in any order', () => {
    const tabs = new ActiveTabs({ holdMs: 10_000 });
    tabs.record('zen', 'b.test', 5_000);
    tabs.record('zen', 'a.test', 0);
    tabs.record('zen', 'a.test', 10_000);
    // a: 0–5 000, b: 5 000–10 000, a: 10 000–12 000 (clipped at the end).
    expect([...tabs.shares('zen', 0, 12_000)]).toEqual([
      ['a.test', 7_000],
      ['b.test', 5_000],
    ]);
  });

  it('prune keeps the latest report of each browser', () => {
    const tabs = new ActiveTabs({ holdMs: 10_000, horizonMs: 1_000 });
    tabs.record('zen', 'a.test', 0);
    tabs.record('zen', 'b.test', 500);
    tabs.prune(100_000);
    expect([...tabs.shares('zen', 0, 10_000)]).toEqual([['b.test', 9_500]]);
  });
});

describe('attributeDomains', () => {
  const hosts: Record<string, NameWeight[]> = {
    '198.51.100.1': [{ name: 'a.test', weight: 1 }],
    // Two hosts on one address, counted 3:1 by the browser.
    '198.51.100.2': [
      { name: 'b.test', weight: 3 },
      { name: 'c.test', weight: 1 },
    ],
  };
  const ctx = (tabs: NameWeight[]) => ({ hostsAt: (ip: string) => hosts[ip] ?? [], tabsOf: () => tabs });
  const flow = (ip: string | null, bytesIn: number, bytesOut: number, app = 'Chromium'): BrowserFlow => ({ app, ip, bytesIn, bytesOut });

  it('joins by address first, the rest by the active tab as an estimate', () => {
    const rows = attributeDomains(100, 5, [flow('198.51.100.1', 1000, 10), flow('198.51.100.2', 400, 40), flow('198.51.100.9', 300, 30), flow(null, 100, 0)], ctx([{ name: 'a.test', weight: 1 }]));
    // Joined: a 1000/10; b 300/30 and c 100/10 (3:1). Rest: 300+100 = 400 in, 30 out → active tab a.test.
    expect(rows).toEqual([
      { ts: 100, durationS: 5, app: 'Chromium', domain: 'a.test', estimate: false, bytesIn: 1000, bytesOut: 10 },
      { ts: 100, durationS: 5, app: 'Chromium', domain: 'b.test', estimate: false, bytesIn: 300, bytesOut: 30 },
      { ts: 100, durationS: 5, app: 'Chromium', domain: 'c.test', estimate: false, bytesIn: 100, bytesOut: 10 },
      { ts: 100, durationS: 5, app: 'Chromium', domain: 'a.test', estimate: true, bytesIn: 400, bytesOut: 30 },
    ]);
  });

  it('splits the rest over the tabs by time, and with no tab stores it as unattributed', () => {
    const split = attributeDomains(100, 5, [flow(null, 999, 3)], ctx([{ name: 'x.test', weight: 2000 }, { name: 'y.test', weight: 1000 }]));
    // 999 · 2/3 = 666, · 1/3 = 333; 3 out → 2 and 1.
    expect(split.map((r) => [r.domain, r.estimate, r.bytesIn, r.bytesOut])).toEqual([
      ['x.test', true, 666, 2],
      ['y.test', true, 333, 1],
    ]);
    const none = attributeDomains(100, 5, [flow(null, 50, 5), flow('198.51.100.1', 7, 0)], ctx([]));
    expect(none.map((r) => [r.domain, r.estimate, r.bytesIn, r.bytesOut])).toEqual([
      ['a.test', false, 7, 0],
      [UNATTRIBUTED, false, 50, 5],
    ]);
  });

  it('bytes without an address (nettop per process) go by what the browser fetched then; an unknown address by the tab', () => {
    const fetched = [
      { name: 'x.test', weight: 3000 },
      { name: 'y.test', weight: 1000 },
    ];
    const rows = attributeDomains(100, 5, [flow(null, 800, 40), flow('198.51.100.9', 50, 5)], { ...ctx([{ name: 'tab.test', weight: 1 }]), fetchedBy: () => fetched });
    // 800/40 split 3:1 → 600/30 and 200/10; the unknown address's 50/5 → the active tab.
    expect(rows.map((r) => [r.domain, r.estimate, r.bytesIn, r.bytesOut])).toEqual([
      ['tab.test', true, 50, 5],
      ['x.test', true, 600, 30],
      ['y.test', true, 200, 10],
    ]);
    // Nothing fetched in the interval: the address-less bytes go by the tab too.
    const none = attributeDomains(100, 5, [flow(null, 800, 40)], { ...ctx([{ name: 'tab.test', weight: 1 }]), fetchedBy: () => [] });
    expect(none.map((r) => [r.domain, r.estimate, r.bytesIn])).toEqual([['tab.test', true, 800]]);
  });

  it('keeps apps apart, writes no zero rows, and every byte lands once', () => {
    const flows = [flow('198.51.100.2', 7, 3, 'Firefox'), flow('198.51.100.1', 0, 0), flow(null, 11, 0, 'Chromium')];
    const rows = attributeDomains(100, 5, flows, ctx([{ name: 'z.test', weight: 1 }]));
    expect(rows.every((r) => r.bytesIn + r.bytesOut > 0)).toBe(true);
    expect(rows.map((r) => r.app)).toEqual(['Chromium', 'Firefox', 'Firefox']);
    const sum = (app: string, k: 'bytesIn' | 'bytesOut'): number => rows.filter((r) => r.app === app).reduce((t, r) => t + r[k], 0);
    expect([sum('Firefox', 'bytesIn'), sum('Firefox', 'bytesOut'), sum('Chromium', 'bytesIn')]).toEqual([7, 3, 11]);
  });
});
