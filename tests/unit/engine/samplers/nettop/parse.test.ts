// The nettop parser against the published captures and synthetic cases.
//
// Expected totals for the captures were derived once, independently of the parser, with awk over the
// file minus its `# source:` line and the header (process rows are those whose label does not start
// with a protocol and a space):
//   tail -n +3 FILE | awk -F, '$2 !~ /^(tcp|udp|quic)[46] / { i += $5; o += $6; n++ } END { print n, i, o }'
// and per-process connection counts with the same split. Values for the synthetic cases are by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NettopParser, parseNettop, type NettopFrame, type NettopProcess } from '../../../../../src-main/engine/samplers/nettop/parse.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..', '..', '..');
const capturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'nettop');

/** A capture without its `# source:` line. */
function capture(name: string): string {
  const text = readFileSync(path.join(capturesDir, name), 'utf8');
  expect(text.startsWith('# source:')).toBe(true);
  return text.slice(text.indexOf('\n') + 1);
}

function totals(frame: NettopFrame): { processes: number; connections: number; bytesIn: number; bytesOut: number } {
  return {
    processes: frame.processes.length,
    connections: frame.processes.reduce((n, p) => n + p.connections.length, 0),
    bytesIn: frame.processes.reduce((n, p) => n + p.bytesIn, 0),
    bytesOut: frame.processes.reduce((n, p) => n + p.bytesOut, 0),
  };
}

function processNamed(frame: NettopFrame, label: string): NettopProcess {
  const found = frame.processes.find((p) => p.label === label);
  if (found === undefined) throw new Error(`no process ${label}`);
  return found;
}

const HEADER = 'time,,interface,state,bytes_in,bytes_out,';

describe('nettop captures', () => {
  it.each([
    // file, processes, connection rows, bytes in, bytes out (awk, see the top of this file)
    ['per-connection-csv-2-numeric.txt', 29, 265, 651_639_821, 876_335_318],
    ['per-connection-csv-3-orbstack.txt', 1, 1, 322_736, 229_260],
    ['per-connection-csv-4-netscope.txt', 3, 6, 160_829_671, 81_542_449],
    ['per-connection-csv-5-throttlenet-ipv6.txt', 1, 3, 597_244_100, 12_247_614],
  ])('%s: one frame, totals from process rows only', (file, processes, connections, bytesIn, bytesOut) => {
    const result = parseNettop(capture(file));
    expect(result.malformedLines).toBe(0);
    expect(result.frames).toHaveLength(1);
    expect(totals(result.frames[0] as NettopFrame)).toEqual({ processes, connections, bytesIn, bytesOut });
  });

  it('capture 2: connection rows belong to the process row before them', () => {
    const frame = parseNettop(capture('per-connection-csv-2-numeric.txt')).frames[0] as NettopFrame;
    expect(frame.time).toBe('00:39:45.364011');
    expect(frame.columns).toEqual(['time', '', 'interface', 'state', 'bytes_in', 'bytes_out']);
    // Counts per process, by awk: airportd 12, com.apple.WebKi 53, Tunnel 129, Codex (Service) 4.
    expect(processNamed(frame, 'airportd.648').connections).toHaveLength(12);
    expect(processNamed(frame, 'com.apple.WebKi.1790').connections).toHaveLength(53);
    expect(processNamed(frame, 'Tunnel.41723').connections).toHaveLength(129);
    expect(processNamed(frame, 'Codex (Service).65506').connections).toHaveLength(4);
    const chrome = processNamed(frame, 'Google Chrome H.74297');
    expect(chrome).toEqual({
      label: 'Google Chrome H.74297',
      name: 'Google Chrome H',
      pid: 74297,
      bytesIn: 5561,
      bytesOut: 1979,
      connections: [
        {
          label: 'tcp4 198.18.0.1:61866<->173.194.221.188:5228',
          protocol: 'tcp4',
          local: { address: '198.18.0.1', port: 61866 },
          remote: { address: '173.194.221.188', port: 5228 },
          interface: 'utun8',
          state: 'Established',
          bytesIn: 5561,
          bytesOut: 1979,
        },
      ],
    });
    // Several dots: split at the last one.
    const webkit = processNamed(frame, 'com.apple.WebKi.1790');
    expect([webkit.name, webkit.pid, webkit.bytesIn, webkit.bytesOut]).toEqual(['com.apple.WebKi', 1790, 5_222_773, 1_269_190]);
    // The process row counts more than its connections (a Closed row with empty counters): no double counting.
    const tunnel = processNamed(frame, 'Tunnel.41723');
    expect([tunnel.bytesIn, tunnel.bytesOut]).toEqual([222_989_263, 476_998_038]);
  });

  it('capture 2: wildcards, empty counters, IPv6 with zones and dot ports', () => {
    const frame = parseNettop(capture('per-connection-csv-2-numeric.txt')).frames[0] as NettopFrame;
    const rapportd = processNamed(frame, 'rapportd.1178');
    expect(rapportd.connections[0]).toMatchObject({
      protocol: 'tcp6',
      local: { address: '*', port: 51560 },
      remote: { address: '*', port: null },
      interface: null,
      state: 'Listen',
      bytesIn: 0,
      bytesOut: 0,
    });
    const airportd = processNamed(frame, 'airportd.648');
    expect(airportd.connections.find((c) => c.protocol === 'udp6')).toMatchObject({ local: { address: '*', port: null }, remote: { address: '*', port: null } });
    const replicatord = processNamed(frame, 'replicatord.41836');
    expect(replicatord.connections.map((c) => c.label)).toEqual([
      'udp6 *.52214<->*.*',
      'quic6 fe80::7ca2:20ff:fe4d:277%awdl0.52214<->fe80::13:faff:fe55:a839%awdl0.50386',
    ]);
    expect(replicatord.connections[1]).toEqual(
      {
        label: 'quic6 fe80::7ca2:20ff:fe4d:277%awdl0.52214<->fe80::13:faff:fe55:a839%awdl0.50386',
        protocol: 'quic6',
        local: { address: 'fe80::7ca2:20ff:fe4d:277%awdl0', port: 52214 },
        remote: { address: 'fe80::13:faff:fe55:a839%awdl0', port: 50386 },
        interface: 'awdl0',
        state: null,
        bytesIn: 1_001_065,
        bytesOut: 136_242,
      },
    );
  });

  it('capture 3: the full default column set, pid 0', () => {
    const frame = parseNettop(capture('per-connection-csv-3-orbstack.txt')).frames[0] as NettopFrame;
    expect(frame.columns).toHaveLength(20);
    const kernel = processNamed(frame, 'kernel_task.0');
    expect([kernel.name, kernel.pid, kernel.bytesIn, kernel.bytesOut]).toEqual(['kernel_task', 0, 322_736, 229_260]);
    expect(kernel.connections[0]).toMatchObject({
      protocol: 'tcp4',
      local: { address: '127.0.0.1', port: 57970 },
      remote: { address: '127.0.0.1', port: 57969 },
      interface: 'lo0',
      state: 'Established',
    });
  });

  it('capture 4: a name cut to 15 characters keeps its trailing space', () => {
    const frame = parseNettop(capture('per-connection-csv-4-netscope.txt')).frames[0] as NettopFrame;
    const edge = processNamed(frame, 'Microsoft Edge .772');
    expect([edge.name, edge.pid, edge.bytesIn, edge.bytesOut, edge.connections.length]).toEqual(['Microsoft Edge ', 772, 13_530_917, 11_022, 3]);
    const zerotier = processNamed(frame, 'zerotier-one.284');
    expect(zerotier.connections[0]).toMatchObject({ local: { address: '192.168.3.37', port: 62457 }, remote: { address: '*', port: null } });
    expect(processNamed(frame, 'mDNSResponder.272').connections).toHaveLength(2);
  });

  it('capture 5: global-unicast IPv6 with the port after the last dot', () => {
    const frame = parseNettop(capture('per-connection-csv-5-throttlenet-ipv6.txt')).frames[0] as NettopFrame;
    const cloudd = processNamed(frame, 'cloudd.593');
    expect(cloudd.connections[0]).toMatchObject({
      protocol: 'tcp6',
      local: { address: '2407:aa80:116:4566:e4a0:dc16:5d52:2a80', port: 56330 },
      remote: { address: '2406:da60:8000:c0::305:97fe', port: 443 },
      bytesIn: 47_099_090,
      bytesOut: 1_144_612,
    });
    expect(cloudd.connections.map((c) => c.protocol)).toEqual(['tcp6', 'quic4', 'quic4']);
  });

  it('capture 1 (rows without their header) is all malformed; with the -P -x header it reads', () => {
    const raw = parseNettop(capture('per-process-csv-1-gonet.txt'));
    expect(raw.frames).toEqual([]);
    expect(raw.malformedByKind['no-header']).toBe(2);
    // The producing command (`-P -L 1 -n -x`) prints the default column set, as in capture 3.
    const header = 'time,,interface,state,bytes_in,bytes_out,rx_dupe,rx_ooo,re-tx,rtt_avg,rcvsize,tx_win,tc_class,tc_mgt,cc_algo,P,C,R,W,arch,';
    const withHeader = parseNettop(`${header}\n${capture('per-process-csv-1-gonet.txt')}`);
    expect(withHeader.malformedLines).toBe(0);
    expect(withHeader.frames[0]?.processes.map((p) => [p.name, p.pid, p.bytesIn, p.bytesOut])).toEqual([
      ['launchd', 1, 0, 0],
      ['Telegram', 38574, 808_446, 164_427],
    ]);
  });

  it('capture 6 (fixed-width -l output) is not CSV: every line is skipped and counted', () => {
    const result = parseNettop(capture('per-process-l-fixedwidth-suns.txt'));
    expect(result.frames).toEqual([]);
    expect(result.malformedLines).toBe(3);
    expect(result.malformedByKind['fixed-width']).toBe(3);
  });
});

describe('nettop parser, synthetic cases', () => {
  const streamFile = path.join(repoRoot, 'tests', 'fixtures', 'nettop', 'streams', 'three-frames.csv');
  const stream = readFileSync(streamFile, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('# '))
    .join('\n');

  it('a multi-frame stream: each frame with its own totals (worked out in the file)', () => {
    const result = parseNettop(stream);
    expect(result.malformedLines).toBe(0);
    expect(result.frames.map((f) => [f.index, totals(f).bytesIn, totals(f).bytesOut])).toEqual([
      [0, 6300, 930],
      [1, 8950, 1100],
      [2, 10050, 1305],
    ]);
    const curl = processNamed(result.frames[2] as NettopFrame, 'curl.9001');
    expect(curl.connections[0]).toMatchObject({ state: 'Closed', bytesIn: 0, bytesOut: 0 });
  });

  it('a frame is complete when the next header arrives, or at the end of input', () => {
    const frames: NettopFrame[] = [];
    const starts: number[] = [];
    const parser = new NettopParser({ onFrame: (f) => frames.push(f), onFrameStart: (i) => starts.push(i) });
    parser.push(`${HEADER}\n10:00:00.1,Safari.501,,,10,20,\n`);
    expect(frames).toHaveLength(0);
    expect(starts).toEqual([0]);
    parser.push(`${HEADER}\n`);
    expect(frames.map((f) => f.processes.length)).toEqual([1]);
    expect(starts).toEqual([0, 1]);
    parser.push('10:00:05.1,Safari.501,,,15,25,\n');
    parser.end();
    expect(frames.map((f) => f.processes[0]?.bytesIn)).toEqual([10, 15]);
  });

  it('names with spaces, several dots, non-ASCII characters', () => {
    const result = parseNettop(
      [HEADER, '1,Code Helper (Plugin).812,,,1,2,', '1,org.mozilla.fire.77,,,3,4,', '1,Café Ünïcode ✓.9,,,5,6,', ''].join('\n'),
    );
    expect(result.frames[0]?.processes.map((p) => [p.name, p.pid])).toEqual([
      ['Code Helper (Plugin)', 812],
      ['org.mozilla.fire', 77],
      ['Café Ünïcode ✓', 9],
    ]);
  });

  it('a comma in a process name: the surplus fields are folded back into the label', () => {
    const result = parseNettop([HEADER, '1,Foo, Inc. Agent.4321,en0,,10,20,', '1,tcp4 198.51.100.7:1<->203.0.113.1:443,en0,Established,10,20,', ''].join('\n'));
    expect(result.malformedLines).toBe(0);
    const process = result.frames[0]?.processes[0];
    expect([process?.label, process?.name, process?.pid, process?.bytesIn, process?.bytesOut]).toEqual(['Foo, Inc. Agent.4321', 'Foo, Inc. Agent', 4321, 10, 20]);
    expect(process?.connections).toHaveLength(1);
    // A connection label cannot hold a comma: a connection row with surplus fields is malformed.
    const bad = parseNettop([HEADER, '1,Foo.1,,,1,1,', '1,tcp4 1.2.3.4:1<->5.6.7.8:2,x,en0,,1,1,', ''].join('\n'));
    expect(bad.malformedByKind['bad-row']).toBe(1);
  });

  it('columns by header name: no time column, another order, extra columns', () => {
    const noTime = parseNettop(',bytes_in,bytes_out,\nTelegram.675,100,200,\n');
    expect(noTime.frames[0]?.processes[0]).toMatchObject({ name: 'Telegram', pid: 675, bytesIn: 100, bytesOut: 200 });
    expect(noTime.frames[0]?.time).toBeNull();
    const reordered = parseNettop('time,,bytes_out,rx_dupe,bytes_in,\n1,a.1,7,99,3,\n');
    expect(reordered.frames[0]?.processes[0]).toMatchObject({ bytesIn: 3, bytesOut: 7 });
  });

  it('a header without bytes_out is unusable: it and the rows under it are counted', () => {
    const result = parseNettop('time,,bytes_in,\n1,a.1,5,\n1,b.2,6,\n');
    expect(result.frames).toEqual([]);
    expect(result.malformedByKind['bad-header']).toBe(1);
    expect(result.malformedByKind['no-header']).toBe(2);
  });

  it('usage text (a bad flag, exit 0) is skipped and counted as usage', () => {
    const usage = ['nettop: illegal option -- Z', 'usage: nettop [-ncdPxlhvy] [-t type] [-L samples]', '   -P   per-process summary only', '', ''].join('\n');
    const result = parseNettop(usage);
    expect(result.frames).toEqual([]);
    expect(result.malformedByKind.usage).toBe(3);
    expect(result.malformedLines).toBe(3);
  });

  it('garbage between rows is counted; rows keep their process', () => {
    const result = parseNettop([HEADER, 'random words', '1,a.1,,,10,20,', '#####,', '1,tcp4 1.2.3.4:1<->5.6.7.8:2,en0,,10,20,', ''].join('\n'));
    expect(result.malformedLines).toBe(2);
    expect(result.frames[0]?.processes[0]?.connections).toHaveLength(1);
  });

  it('a connection row with no readable process row before it is an orphan, never given to another process', () => {
    const result = parseNettop(
      [
        HEADER,
        '1,tcp4 1.2.3.4:1<->5.6.7.8:2,en0,,1,1,', // before any process
        '1,a.1,,,10,20,',
        '1,tcp4 1.2.3.4:3<->5.6.7.8:4,en0,,10,20,',
        '1,b.2,,,many,20,', // unreadable process row
        '1,tcp4 1.2.3.4:5<->5.6.7.8:6,en0,,7,7,', // b's: must not land on a
        '1,c.3,,,1,1,',
        '',
      ].join('\n'),
    );
    const frame = result.frames[0] as NettopFrame;
    expect(frame.processes.map((p) => [p.label, p.connections.length])).toEqual([
      ['a.1', 1],
      ['c.3', 0],
    ]);
    expect(result.malformedByKind['orphan-connection']).toBe(2);
    expect(result.malformedByKind['bad-row']).toBe(1);
  });

  it('unreadable labels and endpoints are bad rows', () => {
    const result = parseNettop(
      [
        HEADER,
        '1,noPid,,,1,1,',
        '1,trailing.,,,1,1,',
        '1,.42,,,1,1,',
        '1,ok.5,,,1,1,',
        '1,tcp4 1.2.3.4<->5.6.7.8:80,en0,,1,1,', // no local port
        '1,tcp4 1.2.3.4:1<->5.6.7.8:99999,en0,,1,1,', // port out of range
        '1,tcp9 1.2.3.4:1<->5.6.7.8:2,en0,,1,1,', // not a protocol, and no pid: not a process row either
        '1,tcp4 1.2.3.4:1<->5.6.7.8:2,en0,,1,1,',
        '1,ok.6,,,-5,1,', // negative counter
        '1,ok.7,,,1,1', // no trailing comma
        '',
      ].join('\n'),
    );
    expect(result.frames[0]?.processes.map((p) => [p.label, p.connections.length])).toEqual([['ok.5', 1]]);
    expect(result.malformedByKind['bad-row']).toBe(8);
  });

  it('CRLF line ends (output through a pty) read the same', () => {
    const lf = parseNettop(stream);
    const crlf = parseNettop(stream.replace(/\n/g, '\r\n'));
    expect(crlf).toEqual(lf);
  });

  it('a frame cut off mid-line at the end of input is dropped and its lines counted as partial', () => {
    const result = parseNettop(`${HEADER}\n1,a.1,,,10,20,\n1,b.2,,,30,40,\n1,c.3,,,5`);
    expect(result.frames).toEqual([]);
    expect(result.malformedByKind.partial).toBe(4); // header, two rows, the cut line
    // The same frame, ending cleanly, is complete.
    expect(parseNettop(`${HEADER}\n1,a.1,,,10,20,\n1,b.2,,,30,40,\n`).frames).toHaveLength(1);
    // Only the unfinished frame is lost.
    const two = parseNettop(`${HEADER}\n1,a.1,,,10,20,\n${HEADER}\n1,a.1,,,11,2`);
    expect(two.frames.map((f) => f.processes[0]?.bytesIn)).toEqual([10]);
    expect(two.malformedByKind.partial).toBe(2);
  });

  it('a lone header at the end of input is a cut-off frame', () => {
    const result = parseNettop(`${HEADER}\n1,a.1,,,10,20,\n${HEADER}\n`);
    expect(result.frames).toHaveLength(1);
    expect(result.malformedByKind.partial).toBe(1);
  });

  it('an empty frame in the middle of a stream is a frame (nothing listed)', () => {
    const result = parseNettop(`${HEADER}\n${HEADER}\n1,a.1,,,1,2,\n`);
    expect(result.frames.map((f) => f.processes.length)).toEqual([0, 1]);
  });

  it('discard() drops the frame in progress and wants a header again', () => {
    const frames: NettopFrame[] = [];
    const parser = new NettopParser({ onFrame: (f) => frames.push(f) });
    parser.push(`${HEADER}\n1,a.1,,,10,20,\n1,b.`);
    expect(parser.discard()).toBe(3);
    parser.push('1,c.3,,,1,1,\n'); // a row after the discard has no header
    parser.push(`${HEADER}\n1,d.4,,,1,1,\n`);
    parser.end();
    expect(frames.map((f) => f.processes.map((p) => p.label))).toEqual([['d.4']]);
    expect(parser.malformedByKind()).toMatchObject({ partial: 3, 'no-header': 1 });
    expect(parser.malformedLines).toBe(4);
  });
});

describe('nettop parser, chunking', () => {
  const lines = [
    HEADER,
    'time,,bytes_in,bytes_out,',
    ',bytes_in,bytes_out,',
    '10:00:00.1,Safari.501,,,1000,200,',
    '10:00:00.1,Safari.501,1000,200,',
    'Safari.501,1000,200,',
    '10:00:00.2,tcp4 198.51.100.7:50001<->203.0.113.10:443,en0,Established,600,150,',
    '10:00:00.3,tcp6 2001:db8::5.50010<->2001:db8:1::20.443,en0,,5,7,',
    '10:00:00.4,Google Chrome H.74297,,,5000,700,',
    '10:00:00.5,Foo, Inc..12,,,1,2,',
    '10:00:00.6,Café ✓.9,,,1,2,',
    'usage: nettop [-P]',
    'garbage',
    '1,x,',
    '',
    '10:00:00.7,udp4 *:5353<->*:*,en0,,,,',
  ];

  function collect(chunks: readonly string[]): { frames: NettopFrame[]; malformed: ReturnType<NettopParser['malformedByKind']> } {
    const frames: NettopFrame[] = [];
    const parser = new NettopParser({ onFrame: (f) => frames.push(f) });
    for (const chunk of chunks) parser.push(chunk);
    parser.end();
    return { frames, malformed: parser.malformedByKind() };
  }

  it('gives the same frames and counts however the input is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...lines), { maxLength: 60 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        (picked, eol, endWithEol, cuts) => {
          const text = picked.join(eol) + (endWithEol ? eol : '');
          const whole = collect([text]);
          const points = [...new Set(cuts.map((c) => (text.length === 0 ? 0 : c % (text.length + 1))))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let from = 0;
          for (const at of points) {
            chunks.push(text.slice(from, at));
            from = at;
          }
          chunks.push(text.slice(from));
          expect(collect(chunks)).toEqual(whole);
          // Character by character too, the worst case for a streaming reader.
          expect(collect([...text])).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the real capture, cut at random, parses like the whole', () => {
    const text = capture('per-connection-csv-2-numeric.txt');
    const whole = collect([text]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 200 }), (sizes) => {
        const chunks: string[] = [];
        let at = 0;
        for (let i = 0; at < text.length; i++) {
          const size = sizes[i % sizes.length] as number;
          chunks.push(text.slice(at, at + size));
          at += size;
        }
        expect(collect(chunks)).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });
});
