// `netmon network list|rename|metered` (the real command, on a data folder written by the store): the
// list names each network with its id, kind, metered mark and reason, last seen and bytes this month;
// a rename and a metered mark land in the database (what `report --by network` then prints), `--reset`
// and `auto` give netmon's back; a bad id or value is refused, exit 2, nothing changed.
import { describe, expect, it } from 'vitest';
import type { NetworkView } from '../../src-shared/networks.js';
import { openStore } from '../../src-main/engine/store/index.js';
import { netmon } from '../helpers/cli.js';
import { tempDataDir } from '../helpers/store.js';

const now = Math.floor(Date.now() / 1000);
const HOME = { key: 'wifi:a4:2b:b0:11:a1:b2', label: 'Wi-Fi · a1b2', kind: 'wifi', metered: false, reason: 'no sign of a metered link', lastSeen: now - 60 };
const PHONE = { key: 'hotspot:d2:11:07:5e:6f:01', label: 'Hotspot · 6f01', kind: 'hotspot', metered: true, reason: 'the address is in 172.20.10.0/28', lastSeen: now - 120 };

function seeded(): string {
  const dir = tempDataDir();
  const store = openStore({ dataDir: dir });
  const rows = [
    { ts: now - 100, durationS: 5, app: 'Firefox', bytesIn: 7_000_000, bytesOut: 1_000_000 },
    { ts: now - 200, durationS: 5, app: 'Slack', bytesIn: 2_000_000, bytesOut: 500_000 },
  ];
  store.append(rows);
  store.appendNetworks([{ ...rows[0]!, network: HOME.key, iface: 'en0' }, { ...rows[1]!, network: PHONE.key, iface: 'en0' }], [HOME, PHONE]);
  expect(store.flush().ok).toBe(true);
  store.close();
  return dir;
}

const listed = (dir: string): NetworkView[] => (JSON.parse(netmon(['network', 'list', '--json', '--data-dir', dir]).stdout) as { networks: NetworkView[] }).networks;

describe('netmon network', () => {
  it('lists, renames, marks metered, and gives the guesses back', () => {
    const dir = seeded();
    const table = netmon(['network', 'list', '--data-dir', dir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Wi-Fi · a1b2\s+wifi:a4:2b:b0:11:a1:b2\s+wifi\s+not metered \(no sign of a metered link\)/);
    expect(table.stdout).toMatch(/Hotspot · 6f01 .*metered \(the address is in 172\.20\.10\.0\/28\).* 2\.50 MB/);
    expect(listed(dir).map((n) => [n.network, n.bytesIn + n.bytesOut])).toEqual([
      [HOME.key, 8_000_000],
      [PHONE.key, 2_500_000],
    ]);

    expect(netmon(['network', 'rename', PHONE.key, 'Anna’s phone', '--data-dir', dir])).toMatchObject({ code: 0, stdout: expect.stringContaining('is now called') as unknown });
    expect(netmon(['network', 'metered', PHONE.key, 'no', '--data-dir', dir]).code).toBe(0);
    expect(listed(dir).find((n) => n.network === PHONE.key)).toMatchObject({ label: 'Anna’s phone', metered: false, meteredBy: 'user', meteredReason: 'you marked it not metered' });
    const report = JSON.parse(netmon(['report', '--by', 'network', '--since', '24h', '--json', '--data-dir', dir]).stdout) as { rows: { network: string; label: string; metered: boolean }[] };
    expect(report.rows.find((r) => r.network === PHONE.key)).toMatchObject({ label: 'Anna’s phone', metered: false });

    expect(netmon(['network', 'rename', PHONE.key, '--reset', '--data-dir', dir]).code).toBe(0);
    expect(netmon(['network', 'metered', PHONE.key, 'auto', '--data-dir', dir]).code).toBe(0);
    expect(listed(dir).find((n) => n.network === PHONE.key)).toMatchObject({ label: PHONE.label, userLabel: null, metered: true, meteredBy: 'netmon' });
  });

  it('refuses a bad id or value, exit 2, and changes nothing', () => {
    const dir = seeded();
    const before = listed(dir);
    expect(netmon(['network', 'rename', 'wifi:nowhere', 'x', '--data-dir', dir])).toMatchObject({ code: 2, stderr: expect.stringContaining('no network "wifi:nowhere"') as unknown });
    expect(netmon(['network', 'metered', HOME.key, 'maybe', '--data-dir', dir])).toMatchObject({ code: 2, stderr: expect.stringContaining('yes, no or auto') as unknown });
    expect(netmon(['network', 'metered', 'unknown', 'yes', '--data-dir', dir])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown network') as unknown });
    expect(netmon(['network', 'rename', HOME.key, '--data-dir', dir]).code).toBe(2);
    expect(netmon(['network', 'frobnicate', '--data-dir', dir]).code).toBe(2);
    expect(listed(dir)).toEqual(before);
  });
});
