// The per-network tiers (schema v7): rows keyed by (time, network, interface, app) reach raw, hourly and
// daily in the flush; the networks' facts are upserted; ledger sums add up across flushes (a restart in
// the middle of an hour adds, never overwrites); purge and retention cut them with the usage tiers.
// Europe/Berlin, July 2024.
process.env.TZ = 'Europe/Berlin';
import { describe, expect, it } from 'vitest';
import type { LedgerDelta } from '../../../../src-main/engine/network/network-rows.js';
import { ledgerChecks, storedLedgerHours } from '../../../../src-main/engine/network/ledger-store.js';
import { openStore, type Store } from '../../../../src-main/engine/store/index.js';
import { tempDataDir } from '../../../helpers/store.js';

const jul = (day: number, h: number, min = 0): number => Date.UTC(2024, 6, day, h - 2, min) / 1000;
const all = (store: Store, sql: string): unknown[][] => store.db.prepare(sql).raw().all() as unknown[][];
const wired = { key: 'wired:02:00:5e:10:00:01', label: 'Wired · 0001', kind: 'wired', metered: false, reason: 'no sign of a metered link', lastSeen: jul(10, 9, 5) };
const ledger = (hourStart: number, n: number): LedgerDelta => ({
  hourStart,
  physical: { bytesIn: 10 * n, bytesOut: n },
  attributed: { bytesIn: 8 * n, bytesOut: n },
  overhead: { bytesIn: n, bytesOut: 0 },
  excluded: { bytesIn: 0, bytesOut: 0 },
  unknownIntervals: 0,
});

describe('per-network tiers', () => {
  it('writes rows to all three tiers under their network and interface, beside the unknown network', () => {
    const dir = tempDataDir();
    const store = openStore({ dataDir: dir });
    try {
      store.appendNetworks(
        [
          { ts: jul(10, 9, 5), durationS: 5, app: 'Firefox', network: wired.key, iface: 'eth0', bytesIn: 100, bytesOut: 10 },
          { ts: jul(10, 9, 10), durationS: 5, app: 'Firefox', network: wired.key, iface: 'eth0', bytesIn: 50, bytesOut: 5 },
          { ts: jul(10, 9, 10), durationS: 5, app: 'curl', network: 'unknown', iface: '', bytesIn: 7, bytesOut: 1 },
          { ts: jul(10, 9, 10), durationS: 5, app: 'bad', network: '', iface: 'eth0', bytesIn: 7, bytesOut: 1 },
        ],
        [wired],
        [ledger(jul(10, 9), 1)],
      );
      expect(store.health().rejectedRows).toBe(1);
      expect(store.flush().ok).toBe(true);
      const q = (tier: string, t: string): unknown[][] =>
        all(store, `SELECT n.key, t.iface, a.name, sum(t.bytes_in), sum(t.bytes_out) FROM network_${tier} t JOIN networks n ON n.id = t.network_id JOIN apps a ON a.id = t.app_id GROUP BY 1, 2, 3 ORDER BY 1, 3 -- ${t}`);
      for (const tier of ['raw', 'hourly', 'daily']) {
        expect(q(tier, tier)).toEqual([
          ['unknown', '', 'curl', 7, 1],
          [wired.key, 'eth0', 'Firefox', 150, 15],
        ]);
      }
      expect(all(store, `SELECT label, kind, metered, metered_reason, user_label FROM networks WHERE key = '${wired.key}'`)).toEqual([['Wired · 0001', 'wired', 0, 'no sign of a metered link', null]]);
      // A second flush in the same hour adds to the ledger's sums.
      store.appendNetworks([], [], [ledger(jul(10, 9), 2)]);
      store.append([{ ts: jul(10, 9, 20), durationS: 5, app: 'x', bytesIn: 1, bytesOut: 0 }]);
      expect(store.flush().ok).toBe(true);
      expect(all(store, 'SELECT hour_start, physical_in, attributed_in, overhead_in FROM network_ledger')).toEqual([[jul(10, 9), 30, 24, 3]]);
    } finally {
      store.close();
    }
    // A restart in the same hour adds too.
    const again = openStore({ dataDir: dir });
    try {
      again.appendNetworks([], [], [ledger(jul(10, 9), 1)]);
      again.append([{ ts: jul(10, 9, 40), durationS: 5, app: 'x', bytesIn: 1, bytesOut: 0 }]);
      expect(again.flush().ok).toBe(true);
      expect(all(again, 'SELECT physical_in FROM network_ledger')).toEqual([[40]]);
    } finally {
      again.close();
    }
  });

  it('a purge and retention take the per-network rows and ledger hours with the usage rows', () => {
    const store = openStore({ dataDir: tempDataDir() });
    try {
      const row = (h: number) => ({ ts: jul(10, h, 5), durationS: 5, app: 'Firefox', bytesIn: 100, bytesOut: 10 });
      store.append([row(9), row(11)]);
      store.appendNetworks([{ ...row(9), network: wired.key, iface: 'eth0' }, { ...row(11), network: wired.key, iface: 'eth0' }], [wired], [ledger(jul(10, 9), 1), ledger(jul(10, 11), 1)]);
      expect(store.flush().ok).toBe(true);
      const out = store.purgeRange(jul(10, 9), jul(10, 10));
      expect(out.deleted.networks).toBeGreaterThan(0);
      expect(all(store, 'SELECT sum(bytes_in) FROM network_raw')).toEqual([[100]]);
      expect(all(store, 'SELECT sum(bytes_in) FROM network_daily')).toEqual([[100]]);
      expect(all(store, 'SELECT hour_start FROM network_ledger')).toEqual([[jul(10, 11)]]);
      // 400 days later everything but the daily rows is past retention.
      store.runMaintenance(jul(10, 12) + 400 * 86_400);
      expect(all(store, 'SELECT count(*) FROM network_raw')).toEqual([[0]]);
      expect(all(store, 'SELECT count(*) FROM network_hourly')).toEqual([[0]]);
      expect(all(store, 'SELECT count(*) FROM network_ledger')).toEqual([[0]]);
      expect(all(store, 'SELECT sum(bytes_in) FROM network_daily')).toEqual([[100]]);
    } finally {
      store.close();
    }
  });

  it('the stored ledger reads back as the hour’s accounts, a flagged hour with its reason (doctor’s lines)', () => {
    const store = openStore({ dataDir: tempDataDir() });
    try {
      const mb = 1_000_000;
      const hour = (h: number, physicalIn: number, socketsIn: number): LedgerDelta => ({
        hourStart: jul(10, h),
        physical: { bytesIn: physicalIn, bytesOut: mb },
        attributed: { bytesIn: socketsIn - mb, bytesOut: mb / 2 },
        overhead: { bytesIn: mb, bytesOut: 0 },
        excluded: { bytesIn: 0, bytesOut: 0 },
        unknownIntervals: 0,
      });
      // 9:00 an ordinary hour (10 MB physical, 8 MB sockets); 10:00 sockets 30 MB over 10 MB physical.
      store.appendNetworks([], [], [hour(9, 10 * mb, 8 * mb), hour(10, 10 * mb, 30 * mb)]);
      store.append([{ ts: jul(10, 9, 5), durationS: 5, app: 'x', bytesIn: 1, bytesOut: 0 }]);
      expect(store.flush().ok).toBe(true);
      const [nine, ten] = storedLedgerHours(store.db, 0);
      expect(nine).toMatchObject({ hourMs: jul(10, 9) * 1000, mismatch: false, unattributed: { bytesIn: 2 * mb, bytesOut: mb / 2 }, total: { bytesIn: 10 * mb, bytesOut: mb } });
      expect(ten).toMatchObject({ mismatch: true, total: { bytesIn: 30 * mb, bytesOut: mb }, unattributed: { bytesIn: 0, bytesOut: mb / 2 } });
      expect(ten?.reason).toMatch(/sockets over 1\.2× the physical interfaces/);
      const lines = ledgerChecks(store.db, jul(10, 11));
      expect(lines.map((l) => l.name)).toEqual([`network ledger ${new Date(jul(10, 9) * 1000).toISOString().slice(0, 13)}:00Z`, `network ledger ${new Date(jul(10, 10) * 1000).toISOString().slice(0, 13)}:00Z`]);
      expect(lines[0]?.detail).toMatch(/^physical 10(\.0+)? MB\/1(\.0+)? MB, attributed .*, overhead .*, unattributed 2(\.0+)? MB\/500(\.0+)? KB \(in\/out\)$/);
      expect(lines[1]?.detail).toContain('FLAGGED: interface counters disagree with the sockets');
      // Over a day later: nothing recent to show.
      expect(ledgerChecks(store.db, jul(12, 11))).toEqual([{ name: 'network ledger', ok: true, detail: 'no hour recorded in the last day' }]);
    } finally {
      store.close();
    }
  });
});
