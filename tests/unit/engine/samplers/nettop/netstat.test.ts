// `netstat -ibn` (macOS interface counters). Expected sums are worked out by hand in
// tests/fixtures/nettop/README.md.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNetstatIbn, sumInterfaces } from '../../../../../src-main/engine/samplers/nettop/netstat.js';

const fixture = readFileSync(path.resolve(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'nettop', 'netstat-ibn.txt'), 'utf8');

describe('netstat -ibn', () => {
  it('reads one link row per interface, with or without a hardware address', () => {
    expect(parseNetstatIbn(fixture)).toEqual([
      { name: 'lo0', bytesIn: 1_575_192_126, bytesOut: 1_575_192_126 },
      { name: 'gif0', bytesIn: 0, bytesOut: 0 },
      { name: 'stf0', bytesIn: 0, bytesOut: 0 },
      { name: 'en0', bytesIn: 987_654_321, bytesOut: 123_456_789 },
      { name: 'awdl0', bytesIn: 456_789, bytesOut: 567_890 },
      { name: 'utun3', bytesIn: 50_000, bytesOut: 60_000 },
    ]);
  });

  it('sums every interface but loopback', () => {
    const counters = parseNetstatIbn(fixture) ?? [];
    expect(sumInterfaces(counters)).toEqual({ bytesIn: 988_161_110, bytesOut: 124_084_679 });
    expect(sumInterfaces(counters, (name) => name.startsWith('en'))).toEqual({ bytesIn: 987_654_321, bytesOut: 123_456_789 });
  });

  it('finds the columns from the right by name, with a Drop column (-d)', () => {
    const text = [
      'Name       Mtu   Network       Address            Ipkts Ierrs     Ibytes    Opkts Oerrs     Obytes  Coll Drop',
      'lo0        16384 <Link#1>                          1945     0     429565     1945     0     429565     0   0',
      'en0        1500  <Link#4>    58:b0:35:f9:fd:2b        7     0       1000        3     0      59166     0   2',
      'utun0      1380  <Link#9>                             1     0        300        2     0        400     0   0',
    ].join('\n');
    expect(sumInterfaces(parseNetstatIbn(text) ?? [])).toEqual({ bytesIn: 1300, bytesOut: 59_566 });
  });

  it('is null without a header, and skips rows it cannot read', () => {
    expect(parseNetstatIbn('netstat: illegal option -- b\nusage: netstat [-AaLlnW]\n')).toBeNull();
    const text = 'Name  Mtu   Network       Address            Ipkts Ierrs     Ibytes    Opkts Oerrs     Obytes  Coll\nen0 1500 <Link#4> aa:bb 1 0 lots 1 0 5 0\n';
    expect(parseNetstatIbn(text)).toEqual([]);
  });
});
