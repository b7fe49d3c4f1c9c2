// The nethogs trace parser the namespace test and bench/capture.ts use for their side-by-side figures:
// cumulative per-pid figures (the largest seen), summed per program basename.
import { describe, expect, it } from 'vitest';
import { parseNethogsTrace } from '../helpers/nethogs.js';

// Shaped like nethogs 0.8.7 `-t -C -v 2` output captured on this machine (paths and pids changed).
const TRACE = [
  'Adding local address: 198.51.100.2',
  'Ethernet link detected',
  '',
  'Refreshing:',
  'unknown UDP/0/0\t0\t0',
  '',
  'Refreshing:',
  '/tmp/netmon-traffic-bin-x/nmbrowse/101/0\t1154\t481064',
  '/tmp/netmon-traffic-bin-x/nmshort/102/0\t10\t20',
  'unknown UDP/0/0\t54200\t0',
  '',
  'Refreshing:',
  '/tmp/netmon-traffic-bin-x/nmbrowse/101/0\t3992\t3.00397e+06',
  '/tmp/netmon-traffic-bin-x/nmshort/103/0\t7\t9',
  '198.51.100.2:38934-198.51.100.7:80/0/0\t5\t2000',
  'unknown UDP/0/0\t54200\t100',
  'garbage line',
  '',
].join('\n');

describe('parseNethogsTrace', () => {
  it.each([
    // The last block's figures are cumulative: 3992 sent, 3.00397e+06 = 3 003 970 received.
    ['nmbrowse', { bytesSent: 3992, bytesReceived: 3_003_970 }],
    // pid 102 dropped from the last block keeps its figures; pid 103 adds: 10 + 7, 20 + 9.
    ['nmshort', { bytesSent: 17, bytesReceived: 29 }],
    ['unknown UDP', { bytesSent: 54_200, bytesReceived: 100 }],
    ['unknown connection', { bytesSent: 5, bytesReceived: 2000 }],
  ])('%s', (name, expected) => {
    expect(parseNethogsTrace(TRACE).get(name)).toEqual(expected);
  });

  it('reads nothing before the first block and nothing that is not a figure line', () => {
    expect([...parseNethogsTrace(TRACE).keys()].sort()).toEqual(['nmbrowse', 'nmshort', 'unknown UDP', 'unknown connection']);
    expect(parseNethogsTrace('Adding local address: 198.51.100.2\nnode/1/0\t5\t5\n').size).toBe(0);
  });
});
