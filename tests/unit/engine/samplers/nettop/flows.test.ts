// nettop frames → FlowCounters. Expected totals of the captures come from awk (see nettop-parse.test.ts),
// with the per-connection rule "a process counts max(its own row, the sum of its connection rows)":
//   tail -n +3 FILE | awk -F, '$2 ~ /^(tcp|udp|quic)[46] / { ci[cur] += $5; co[cur] += $6; next }
//     { cur = $2; pi[cur] = $5; po[cur] = $6 }
//     END { for (p in pi) { i += (pi[p] > ci[p] ? pi[p] : ci[p]); o += (po[p] > co[p] ? po[p] : co[p]) } print i, o }'
// and the flow count as distinct (process, connection label) pairs plus one "other" flow per process.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlowCounter } from '../../../../../src-main/engine/types.js';
import { ConnectionFlows, processFlows, totalOf } from '../../../../../src-main/engine/samplers/nettop/flows.js';
import { parseNettop, type NettopFrame } from '../../../../../src-main/engine/samplers/nettop/parse.js';

const capturesDir = path.resolve(import.meta.dirname, '..', '..', '..', '..', '..', '..', 'shared', 'fixtures', 'nettop');

function captureFrame(name: string): NettopFrame {
  const text = readFileSync(path.join(capturesDir, name), 'utf8');
  const frame = parseNettop(text.slice(text.indexOf('\n') + 1)).frames[0];
  if (frame === undefined) throw new Error(`no frame in ${name}`);
  return frame;
}

function frameOf(rows: string[]): NettopFrame {
  const frame = parseNettop(['time,,interface,state,bytes_in,bytes_out,', ...rows, ''].join('\n')).frames[0];
  if (frame === undefined) throw new Error('no frame');
  return frame;
}

function byId(flows: readonly FlowCounter[]): Record<string, [number, number]> {
  return Object.fromEntries(flows.map((f) => [f.id, [f.bytesIn, f.bytesOut]]));
}

describe('per-process flows (-P)', () => {
  it('one flow per process row, keyed name.pid, totals equal the process rows', () => {
    const frame = captureFrame('per-connection-csv-2-numeric.txt');
    const flows = processFlows(frame);
    expect(flows).toHaveLength(29);
    expect(totalOf(flows)).toEqual({ bytesIn: 651_639_821, bytesOut: 876_335_318 });
    expect(flows.find((f) => f.id === 'Google Chrome H.74297')).toEqual({
      id: 'Google Chrome H.74297',
      owner: { pid: 74297, name: 'Google Chrome H' },
      bytesIn: 5561,
      bytesOut: 1979,
    });
  });

  it('a process listed twice in one frame is one flow with both rows added', () => {
    const flows = processFlows(frameOf(['1,a.1,,,10,1,', '1,b.2,,,5,5,', '1,a.1,,,7,2,']));
    expect(byId(flows)).toEqual({ 'a.1': [17, 3], 'b.2': [5, 5] });
  });
});

describe('per-connection flows', () => {
  it.each([
    // file, flows, bytes in, bytes out (awk, see the top of this file)
    ['per-connection-csv-2-numeric.txt', 276, 651_639_821, 876_335_318],
    ['per-connection-csv-3-orbstack.txt', 2, 322_736, 229_260],
    ['per-connection-csv-4-netscope.txt', 9, 183_216_468, 102_307_686],
    ['per-connection-csv-5-throttlenet-ipv6.txt', 4, 597_244_100, 12_247_614],
  ])('%s: connection flows plus each process remainder', (file, count, bytesIn, bytesOut) => {
    const flows = new ConnectionFlows().flows(captureFrame(file), 'cumulative');
    expect(flows).toHaveLength(count);
    expect(totalOf(flows)).toEqual({ bytesIn, bytesOut });
    expect(new Set(flows.map((f) => f.id)).size).toBe(flows.length);
  });

  it('flows carry their owner and remote; wildcard remotes have none; identical sockets are one flow', () => {
    const flows = new ConnectionFlows().flows(captureFrame('per-connection-csv-2-numeric.txt'), 'cumulative');
    expect(flows.find((f) => f.id === 'Google Chrome H.74297|tcp4 198.18.0.1:61866<->173.194.221.188:5228')).toEqual({
      id: 'Google Chrome H.74297|tcp4 198.18.0.1:61866<->173.194.221.188:5228',
      owner: { pid: 74297, name: 'Google Chrome H' },
      remote: { protocol: 'tcp4', address: '173.194.221.188', port: 5228 },
      iface: 'utun8',
      local: { address: '198.18.0.1', port: 61866 },
      bytesIn: 5561,
      bytesOut: 1979,
    });
    // airportd: eleven `udp4 *:*<->*:*` rows and one `udp6 *.*<->*.*` (by grep): two sockets flows + other.
    const airportd = flows.filter((f) => f.owner?.pid === 648);
    expect(airportd.map((f) => f.id)).toEqual(['airportd.648|udp4 *:*<->*:*', 'airportd.648|udp6 *.*<->*.*', 'airportd.648|other@0']);
    expect(airportd.every((f) => f.remote === undefined)).toBe(true);
    // Tunnel's row counts 1396 in and 2484 out more than its connection rows (awk): the remainder flow.
    const tunnelOther = flows.find((f) => f.id === 'Tunnel.41723|other@0');
    expect([tunnelOther?.bytesIn, tunnelOther?.bytesOut, tunnelOther?.remote]).toEqual([1396, 2484, undefined]);
    // netbiosd's bytes are all on a listening socket (`udp4 *:137<->*:*`): no remote, nothing left over.
    expect(flows.find((f) => f.id === 'netbiosd.32976|udp4 *:137<->*:*')).toMatchObject({ bytesIn: 117_358, bytesOut: 122_210, remote: undefined });
    expect(flows.find((f) => f.id === 'netbiosd.32976|other@0')).toMatchObject({ bytesIn: 0, bytesOut: 0 });
  });

  it('cumulative frames: a closed connection does not come back as remainder (no double count)', () => {
    const conn = new ConnectionFlows();
    const c1 = 'tcp4 198.51.100.7:1<->203.0.113.1:443';
    const c2 = 'tcp4 198.51.100.7:2<->203.0.113.2:443';
    const a = conn.flows(frameOf(['1,app.7,,,1000,100,', `1,${c1},en0,Established,600,60,`, `1,${c2},en0,Established,400,40,`]), 'cumulative');
    expect(byId(a)).toEqual({ [`app.7|${c1}`]: [600, 60], [`app.7|${c2}`]: [400, 40], 'app.7|other@0': [0, 0] });
    // c1 closes: nettop prints it with empty counters, the process row keeps its bytes.
    const b = conn.flows(frameOf(['1,app.7,,,1100,110,', `1,${c1},en0,Closed,,,`, `1,${c2},en0,Established,500,50,`]), 'cumulative');
    expect(byId(b)).toEqual({ [`app.7|${c1}`]: [0, 0], [`app.7|${c2}`]: [500, 50], 'app.7|other@0': [0, 0] });
    // c1 is gone; the process grew by 200/10 on sockets nettop does not list.
    const c = conn.flows(frameOf(['1,app.7,,,1300,120,', `1,${c2},en0,Established,500,50,`]), 'cumulative');
    expect(byId(c)).toEqual({ [`app.7|${c2}`]: [500, 50], 'app.7|other@0': [200, 10] });
    // nettop forgets c1's bytes: the process counter drops by them, the remainder stays put.
    const d = conn.flows(frameOf(['1,app.7,,,700,70,', `1,${c2},en0,Established,500,50,`]), 'cumulative');
    expect(byId(d)).toEqual({ [`app.7|${c2}`]: [500, 50], 'app.7|other@0': [200, 10] });
  });

  it('delta frames: remainder is process minus connections, and the remainder id moves to a new generation', () => {
    const conn = new ConnectionFlows();
    const c1 = 'udp4 198.51.100.7:5<->203.0.113.9:53';
    conn.flows(frameOf(['1,dns.3,,,10,10,', `1,${c1},en0,,10,10,`]), 'cumulative');
    const delta = conn.flows(frameOf(['1,dns.3,,,30,5,', `1,${c1},en0,,20,5,`]), 'delta');
    expect(byId(delta)).toEqual({ [`dns.3|${c1}`]: [20, 5], 'dns.3|other@1': [10, 0] });
    // A cumulative frame after deltas (a new -d stream, or polling) starts a fresh ledger, under the new id.
    const again = conn.flows(frameOf(['1,dns.3,,,100,50,', `1,${c1},en0,,60,20,`]), 'cumulative');
    expect(byId(again)).toEqual({ [`dns.3|${c1}`]: [60, 20], 'dns.3|other@1': [40, 30] });
    const next = conn.flows(frameOf(['1,dns.3,,,1,1,', `1,${c1},en0,,1,1,`]), 'delta');
    expect(Object.keys(byId(next))).toContain('dns.3|other@2');
  });
});
