// The per-network views (engine/queries/network-views.ts) on a real store written the monitor's way
// (Store.append for the usage tiers, Store.appendNetworks for the per-network tiers, no mocked database):
// summed over the networks, every view equals its all-network counterpart (totals, each timeline bucket,
// each app), for ranges read from the raw, hourly and daily tiers and cutting hours in the middle; the
// unknown network is named "Unknown network"; an overhead row is overhead; the ledger's flagged hour is
// found in its range only; the user's name and metered mark win over netmon's facts and survive flushes.
// Europe/Berlin, March 2026.
process.env.TZ = 'Europe/Berlin';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_NETWORK, UNKNOWN_NETWORK_LABEL } from '../../../../src-shared/networks.js';
import type { LedgerDelta, NetworkUsage } from '../../../../src-main/engine/network/network-rows.js';
import { markMetered, NetworkInputError, renameNetwork } from '../../../../src-main/engine/network/user-marks.js';
import { grandTotals, timeline, totalsByApp } from '../../../../src-main/engine/queries/index.js';
import { knownNetworks, ledgerInRange, NETWORK_VIEW_SQL, networkApps, networkTimeline, readNetwork } from '../../../../src-main/engine/queries/network-views.js';
import { totalsByNetwork } from '../../../../src-main/engine/queries/networks.js';
import { openStore, type Store } from '../../../../src-main/engine/store/index.js';
import type { AppUsage } from '../../../../src-main/engine/types.js';
import { UNATTRIBUTED } from '../../../../src-main/engine/types.js';

const at = (d: number, h: number, min = 0): number => new Date(2026, 2, d, h, min).getTime() / 1000;
const NOW = at(20, 18);
const HOME = { key: 'wifi:a4:2b:b0:11:a1:b2', label: 'Wi-Fi · a1b2', kind: 'wifi', metered: false, reason: 'no sign of a metered link', lastSeen: NOW };
const PHONE = { key: 'hotspot:d2:11:07:5e:6f:01', label: 'Hotspot · 6f01', kind: 'hotspot', metered: true, reason: 'the address is in 172.20.10.0/28', lastSeen: at(20, 13) };
const OVERHEAD = 'VPN overhead (OpenVPN)';
const APPS = ['Firefox', 'Slack', OVERHEAD, UNATTRIBUTED];

/** The old rows (before v7: usage only, then moved under the unknown network by hand) and 12 days of 5-minute rows on two networks. */
function seeded(dataDir: string): Store {
  const store = openStore({ dataDir });
  const usage: AppUsage[] = [];
  const perNetwork: NetworkUsage[] = [];
  const ledger: LedgerDelta[] = [];
  for (let day = 8; day <= 20; day++) {
    for (let h = 0; h < 24; h++) {
      const hourStart = at(day, h);
      if (hourStart >= NOW) break;
      const network = h >= 12 && h < 14 ? PHONE.key : day === 8 ? UNKNOWN_NETWORK : HOME.key;
      let sum = 0;
      for (let m = 5; m <= 60; m += 5) {
        APPS.forEach((app, i) => {
          const bytesIn = 1000 * (i + 1) + day * 7 + h * 3 + m;
          const bytesOut = 100 * (i + 1) + m;
          const row = { ts: hourStart + m * 60, durationS: 300, app, bytesIn, bytesOut };
          usage.push(row);
          perNetwork.push({ ...row, network, iface: network === UNKNOWN_NETWORK ? '' : 'en0' });
          sum += bytesIn + bytesOut;
        });
      }
      // 15:00 on the 19th: the sockets counted twice what the interface did.
      const flagged = day === 19 && h === 15;
      const physical = flagged ? { bytesIn: 1e6, bytesOut: 0 } : { bytesIn: sum, bytesOut: 0 };
      const attributed = flagged ? { bytesIn: 3e6, bytesOut: 0 } : { bytesIn: sum, bytesOut: 0 };
      ledger.push({ hourStart: Math.floor(hourStart / 3600) * 3600, physical, attributed, overhead: { bytesIn: 0, bytesOut: 0 }, excluded: { bytesIn: 0, bytesOut: 0 }, unknownIntervals: 0 });
    }
  }
  for (let i = 0; i < usage.length; i += 20_000) {
    store.append(usage.slice(i, i + 20_000));
    store.appendNetworks(perNetwork.slice(i, i + 20_000), i === 0 ? [HOME, PHONE] : [], i === 0 ? ledger : []);
    expect(store.flush().ok).toBe(true);
  }
  return store;
}

const RANGES = [
  { name: 'the last 24 h', since: NOW - 86_400, until: NOW },
  { name: '7 days, whole days and edges', since: at(13, 9, 17), until: at(20, 17, 43) },
  { name: 'everything', since: at(1, 0), until: at(21, 0) },
  { name: 'inside one hour', since: at(19, 12, 7), until: at(19, 12, 52) },
];

// One store for the whole file (the helpers' folders go after each test).
const root = mkdtempSync(path.join(tmpdir(), 'netmon-network-views-'));
let store: Store;
beforeAll(() => {
  store = seeded(path.join(root, 'data'));
});
afterAll(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

describe('per-network views', () => {
  it.each(RANGES)('$name: the networks add up to the all-network total, as report --by network sums them', ({ since, until }) => {
    const range = { since, until };
    const all = grandTotals(store.db, range);
    const found = knownNetworks(store.db, range);
    const sum = found.networks.reduce((t, n) => ({ bytesIn: t.bytesIn + n.bytesIn, bytesOut: t.bytesOut + n.bytesOut }), { bytesIn: 0, bytesOut: 0 });
    expect(sum).toEqual({ bytesIn: all.bytesIn, bytesOut: all.bytesOut });
    expect(found.totals).toEqual(sum);
    const report = totalsByNetwork(store.db, range);
    for (const r of report.rows) expect(found.networks.find((n) => n.network === r.network)).toMatchObject({ bytesIn: r.bytesIn, bytesOut: r.bytesOut });
    expect(found.networks.filter((n) => n.bytesIn + n.bytesOut > 0).length).toBe(report.rows.length);
  });

  it.each(RANGES)('$name: per bucket and per app, the networks add up to the all-network figures', ({ since, until }) => {
    const range = { since, until };
    const keys = [HOME.key, PHONE.key, UNKNOWN_NETWORK];
    for (const bucketS of [300, 3600, 86_400]) {
      if ((until - since) / bucketS > 5000) continue;
      const whole = timeline(store.db, { ...range, bucketS }).points;
      const parts = keys.map((network) => networkTimeline(store.db, { ...range, bucketS, network }).points);
      whole.forEach((p, i) => {
        const sum = parts.reduce((t, ps) => ({ bytesIn: t.bytesIn + (ps[i]?.bytesIn ?? 0), bytesOut: t.bytesOut + (ps[i]?.bytesOut ?? 0) }), { bytesIn: 0, bytesOut: 0 });
        expect([bucketS, p.ts, sum]).toEqual([bucketS, p.ts, { bytesIn: p.bytesIn, bytesOut: p.bytesOut }]);
        for (const ps of parts) expect(ps[i]?.ts).toBe(p.ts);
      });
    }
    const byApp = new Map<string, { bytesIn: number; bytesOut: number }>();
    for (const network of keys) {
      const apps = networkApps(store.db, range, network);
      expect(apps.totals).toEqual(apps.apps.reduce((t, a) => ({ bytesIn: t.bytesIn + a.bytesIn, bytesOut: t.bytesOut + a.bytesOut }), { bytesIn: 0, bytesOut: 0 }));
      for (const a of apps.apps) {
        const s = byApp.get(a.app) ?? { bytesIn: 0, bytesOut: 0 };
        byApp.set(a.app, { bytesIn: s.bytesIn + a.bytesIn, bytesOut: s.bytesOut + a.bytesOut });
      }
    }
    const expected = totalsByApp(store.db, range).rows;
    expect(new Map(expected.map((r) => [r.app, { bytesIn: r.bytesIn, bytesOut: r.bytesOut }]))).toEqual(byApp);
  });

  it('names the unknown network, says who decided metered, marks overhead and unattributed', () => {
    const found = knownNetworks(store.db, { since: at(1, 0), until: NOW });
    expect(found.networks.map((n) => [n.network, n.label, n.kind, n.metered, n.meteredBy, n.meteredReason])).toEqual([
      [HOME.key, 'Wi-Fi · a1b2', 'wifi', false, 'netmon', 'no sign of a metered link'],
      [PHONE.key, 'Hotspot · 6f01', 'hotspot', true, 'netmon', 'the address is in 172.20.10.0/28'],
      [UNKNOWN_NETWORK, UNKNOWN_NETWORK_LABEL, '', null, 'netmon', 'not known'],
    ]);
    expect(found.networks.find((n) => n.network === PHONE.key)?.lastSeen).toBe(PHONE.lastSeen);
    expect(found.networks.find((n) => n.network === UNKNOWN_NETWORK)?.lastSeen).toBeNull();
    // A range without unknown-network bytes leaves it out; the other networks are listed even at 0 bytes.
    const lastNight = knownNetworks(store.db, { since: at(20, 2), until: at(20, 4) });
    expect(lastNight.networks.map((n) => [n.network, n.bytesIn > 0])).toEqual([
      [HOME.key, true],
      [PHONE.key, false],
    ]);
    const apps = networkApps(store.db, { since: at(19, 0), until: at(20, 0) }, PHONE.key);
    expect(Object.fromEntries(apps.apps.map((a) => [a.app, a.kind]))).toEqual({ Firefox: 'app', Slack: 'app', [OVERHEAD]: 'overhead', [UNATTRIBUTED]: 'unattributed' });
    expect(networkApps(store.db, { since: at(19, 0), until: at(20, 0) }, 'wifi:nope').apps).toEqual([]);
  });

  it('finds the flagged hour in a range that holds it, and only there', () => {
    const day = ledgerInRange(store.db, { since: at(19, 0), until: at(20, 0) });
    expect(day.hours).toBe(24);
    expect(day.flagged.map((h) => [h.hourStart, h.physical.bytesIn, h.sockets.bytesIn])).toEqual([[at(19, 15), 1e6, 3e6]]);
    expect(day.flagged[0]?.reason).toContain('sockets over 1.2');
    expect(ledgerInRange(store.db, { since: at(19, 15, 30), until: at(19, 15, 40) }).flagged).toHaveLength(1);
    expect(ledgerInRange(store.db, { since: at(19, 16), until: at(20, 16) }).flagged).toEqual([]);
    expect(ledgerInRange(store.db, { since: at(19, 0), until: at(19, 15) }).flagged).toEqual([]);
  });

  it('the user\'s name and metered mark beat netmon\'s facts, survive the next flush, and clear back', () => {
    const write = store.withWriter.bind(store);
    renameNetwork(write, PHONE.key, '  Anna’s phone ');
    markMetered(write, PHONE.key, false);
    markMetered(write, HOME.key, true);
    // netmon writes its facts again (as every flush does): the user's word stays.
    store.appendNetworks([{ ts: NOW, durationS: 5, app: 'Firefox', network: PHONE.key, iface: 'en0', bytesIn: 1, bytesOut: 0 }], [{ ...PHONE, label: 'Hotspot · 6f01', metered: true }]);
    expect(store.flush().ok).toBe(true);
    expect(readNetwork(store.db, PHONE.key)).toMatchObject({ label: 'Anna’s phone', netmonLabel: 'Hotspot · 6f01', userLabel: 'Anna’s phone', metered: false, meteredBy: 'user', meteredReason: 'you marked it not metered' });
    expect(readNetwork(store.db, HOME.key)).toMatchObject({ label: 'Wi-Fi · a1b2', metered: true, meteredBy: 'user', meteredReason: 'you marked it metered' });
    // The same name report --by network prints.
    expect(totalsByNetwork(store.db, { since: at(19, 0), until: NOW }).rows.find((r) => r.network === PHONE.key)?.label).toBe('Anna’s phone');
    renameNetwork(write, PHONE.key, null);
    markMetered(write, PHONE.key, null);
    expect(readNetwork(store.db, PHONE.key)).toMatchObject({ label: 'Hotspot · 6f01', userLabel: null, metered: true, meteredBy: 'netmon', meteredReason: 'the address is in 172.20.10.0/28' });
    expect(() => renameNetwork(write, 'wifi:nope', 'x')).toThrow(NetworkInputError);
    expect(() => markMetered(write, UNKNOWN_NETWORK, true)).toThrow(/unknown network/);
    expect(() => renameNetwork(write, HOME.key, 'x'.repeat(201))).toThrow(/label: at most 200/);
    expect(() => renameNetwork(write, HOME.key, 'a\nb')).toThrow(/control/);
    expect(readNetwork(store.db, HOME.key)?.userLabel).toBeNull();
  });
});

describe('EXPLAIN QUERY PLAN of the network views', () => {
  it.each(['timeline', 'apps'] as const)('%s: every network tier searched by its time key, none scanned', (name) => {
    const details = (store.db.prepare(`EXPLAIN QUERY PLAN ${NETWORK_VIEW_SQL[name]}`).all({ segments: '[]', network: 1 }) as { detail: string }[]).map((r) => r.detail);
    const tiers = details.filter((d) => /^SEARCH t\b/.test(d));
    // Five branches: daily, hourly, raw, hourly estimate, daily estimate.
    expect(tiers).toHaveLength(5);
    for (const d of tiers) expect(d).toMatch(/USING PRIMARY KEY \((day_start|hour_start|ts)>/);
    expect(details.some((d) => /^SCAN (t|network_)/.test(d))).toBe(false);
  });
});
