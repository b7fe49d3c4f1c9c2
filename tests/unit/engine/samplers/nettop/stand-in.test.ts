// The nettop stand-in (tests/fixtures/nettop/stand-in) prints what netmon's own parsers read, in the shape
// of the real captures: recorded `ss` output (tests/fixtures/linux, real iproute2 6.1 lines) in, nettop
// CSV out, parsed back with parseNettop into the rows the sockets hold (values read off the fixture
// lines by hand); every printed line has the shape of a line of a real capture, field by field; and the
// argv the sampler builds (command.ts) is understood in both modes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nettopArgs } from '../../../../../src-main/engine/samplers/nettop/command.js';
import { ConnectionFlows, processFlows, totalOf } from '../../../../../src-main/engine/samplers/nettop/flows.js';
import { parseNettop, type NettopFrame } from '../../../../../src-main/engine/samplers/nettop/parse.js';
import { SocketBook, type StandInProcess } from '../../../../fixtures/nettop/stand-in/book.ts';
import { FrameRenderer, nettopHeader, parseNettopArgv, type NettopArgs } from '../../../../fixtures/nettop/stand-in/csv.ts';
import { readSsOutput } from '../../../../fixtures/nettop/stand-in/ss.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..', '..', '..');
const linuxFixtures = path.join(repoRoot, 'tests', 'fixtures', 'linux');
const capturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'nettop');
const externalDir = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'external', 'nettop');

const POLL = readSsOutput(readFileSync(path.join(linuxFixtures, 'poll-root.txt'), 'utf8'), 'tcp');
const CLOSES = readSsOutput(readFileSync(path.join(linuxFixtures, 'events-root.txt'), 'utf8'), 'tcp');
const ROUTES = new Map([
  ['198.51.100.1', 'nmveth0'],
  ['198.51.100.3', 'nmveth0'],
]);
const AT = new Date(2026, 11, 5, 14, 3, 7, 250);
const EXTERNAL = { traffic: 'external', transport: null, pid: null } as const;

function args(argv: string[]): NettopArgs {
  const parsed = parseNettopArgv(argv);
  if (!parsed.ok) throw new Error(parsed.complaint);
  return parsed.args;
}

/** The sampler's streaming argv, per connection or per process. */
function samplerArgv(perConnection: boolean, samples = 0): string[] {
  return nettopArgs({ perConnection, externalOnly: true, samples, intervalS: samples === 0 ? 1 : null, deltas: samples === 0 });
}

/** A capture without its `# source:` line. */
function capture(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.slice(text.indexOf('\n') + 1);
}

function only(text: string): NettopFrame {
  const parsed = parseNettop(text);
  expect(parsed.malformedLines, text).toBe(0);
  expect(parsed.frames).toHaveLength(1);
  return parsed.frames[0]!;
}

/**
 * A line's shape, field by field in the columns the sampler reads (time, the label, interface, state,
 * bytes_in, bytes_out; the others are only counted): times, process labels (`name.pid`), connection
 * labels (protocol and endpoints), words (interfaces, nettop's states), counters and empty fields are told
 * apart, the values are not.
 */
function shape(line: string, header: readonly string[]): string {
  const fields = line.split(',');
  const read = new Set(['time', '', 'interface', 'state', 'bytes_in', 'bytes_out']);
  const kinds = header.flatMap((name, i) => {
    if (!read.has(name)) return [];
    const f = fields[i] ?? '<missing>';
    if (f === '') return ['_'];
    if (/^\d\d:\d\d:\d\d\.\d{6}$/.test(f)) return ['time'];
    if (/^(tcp|udp|quic)4 (\d+\.\d+\.\d+\.\d+|\*):(\d+|\*)<->(\d+\.\d+\.\d+\.\d+|\*):(\d+|\*)$/.test(f)) return ['conn4'];
    if (/^(tcp|udp|quic)6 [0-9a-f:*]+\.(\d+|\*)<->[0-9a-f:*]+\.(\d+|\*)$/.test(f)) return ['conn6'];
    if (/^\d+$/.test(f)) return ['n'];
    if (/^[A-Za-z][A-Za-z0-9]*$/.test(f)) return ['word'];
    if (/^.+\.\d+$/.test(f)) return ['process'];
    return [`?${f}`];
  });
  return `${kinds.join(',')} (${fields.length} fields, ends with a comma: ${fields.at(-1) === ''})`;
}

/** The real captures' lines, by header. */
function realLines(): Map<string, string[]> {
  const byHeader = new Map<string, string[]>();
  const files = [
    ...['per-connection-csv-2-numeric.txt', 'per-connection-csv-3-orbstack.txt', 'per-connection-csv-4-netscope.txt', 'per-connection-csv-5-throttlenet-ipv6.txt'].map((f) => path.join(capturesDir, f)),
    ...['rust-P-J-x-L1-webki.txt', 'neticle-P-d-x-J-L3-streams.txt', 'networkmonitorcore-P-x-d-L0-J-time-rows.txt'].map((f) => path.join(externalDir, f)),
  ];
  for (const file of files) {
    let header = '';
    for (const line of capture(file).split('\n')) {
      if (line.length === 0) continue;
      if (line.split(',').includes('bytes_in')) header = line;
      else byHeader.set(header, [...(byHeader.get(header) ?? []), line]);
    }
  }
  return byHeader;
}

describe('the stand-in book: ss sockets as nettop processes and connections', () => {
  it('per process, the sockets of the recorded poll: loopback left out under -t external, interface from the route or the bound device', () => {
    const book = new SocketBook(EXTERNAL);
    const processes = book.frame(POLL, [], ROUTES, () => true);
    const rows = processes.map((p) => [p.label, p.bytesIn, p.bytesOut, p.connections.map((c) => `${c.label} ${c.iface} ${c.state} ${c.bytesIn}/${c.bytesOut}`)]);
    expect(rows).toEqual([
      ['nmdl.13486', 300_000, 12_345, ['tcp4 198.51.100.2:36192<->198.51.100.1:9000 nmveth0 Established 300000/12345']],
      ['Web Content.13494', 0, 0, ['tcp4 198.51.100.2:39334<->198.51.100.1:9001 nmveth0 Established 0/0']],
      ['a (b.13502', 4000, 10, ['tcp4 198.51.100.2:52690<->198.51.100.1:9002 nmveth0 Established 4000/10']],
      // The first of the two processes sharing the socket after fork().
      ['nmshare.13515', 300_000, 0, ['tcp4 198.51.100.2:36204<->198.51.100.1:9000 nmveth0 Established 300000/0']],
      ['nmsyn.13534', 0, 0, ['tcp4 198.51.100.2:35656<->198.51.100.3:9 nmveth0 SynSent 0/0']],
      ['nmbound.13541', 300_000, 0, ['tcp4 198.51.100.2:36216<->198.51.100.1:9000 nmcap13459c Established 300000/0']],
      ['nmnobody.13549', 300_000, 5, ['tcp4 198.51.100.2:36232<->198.51.100.1:9000 nmveth0 Established 300000/5']],
    ]);
  });

  it('a closed connection is listed once more with its final counters, then lives on in its process row only', () => {
    const book = new SocketBook(EXTERNAL);
    book.frame(POLL, [], ROUTES, () => true);
    const second = book.frame([], CLOSES, ROUTES, () => true);
    const dl = second.find((p) => p.label === 'nmdl.13486');
    // The close event's final counters: bytes_sent 12345, bytes_received 300000.
    expect(dl?.connections.map((c) => [c.state, c.bytesIn, c.bytesOut])).toEqual([['Closed', 300_000, 12_345]]);
    const third = book.frame([], [], ROUTES, (pid) => pid !== 13486);
    expect(third.find((p) => p.label === 'nmdl.13486')).toEqual({ name: 'nmdl', pid: 13486, label: 'nmdl.13486', bytesIn: 300_000, bytesOut: 12_345, connections: [] });
    // Gone once it has exited and its last bytes were shown.
    expect(book.frame([], [], ROUTES, (pid) => pid !== 13486).map((p) => p.label)).not.toContain('nmdl.13486');
    // The listener's close event (sk:9) had no owner and no bytes: nothing counted unowned.
    expect(book.unowned).toEqual({ bytesIn: 0, bytesOut: 0 });
  });

  it('a socket born and closed between two polls, its owner read by cookie, is listed once, closed, with its final counters', () => {
    const book = new SocketBook(EXTERNAL);
    const closes = CLOSES.map((s) => (s.cookie === '1011' ? { ...s, owner: { name: 'nmdl', pid: 13486 } } : s));
    const [dl] = book.frame([], closes, ROUTES, () => true);
    expect(dl?.label).toBe('nmdl.13486');
    expect(dl?.connections.map((c) => [c.label, c.iface, c.state, c.bytesIn, c.bytesOut])).toEqual([['tcp4 198.51.100.2:36192<->198.51.100.1:9000', 'nmveth0', 'Closed', 300_000, 12_345]]);
    // The other close events had no owner: unowned, nmdl's not among them.
    expect(book.unowned).toEqual({ bytesIn: 904_000, bytesOut: 15 });
  });

  it('-t loopback lists only the loopback pair, as tcp6 with the port after a dot', () => {
    const book = new SocketBook({ traffic: 'loopback', transport: null, pid: null });
    const [local] = book.frame(POLL, [], ROUTES, () => true);
    expect(local?.label).toBe('nmlocal.13519');
    expect(local?.connections.map((c) => `${c.label} ${c.iface}`)).toEqual(['tcp6 ::1.36404<->::1.7000 lo', 'tcp6 ::1.7000<->::1.36404 lo']);
    expect([local?.bytesIn, local?.bytesOut]).toEqual([777, 777]);
  });

  it('a socket whose owner was never read (born and closed between polls) is counted as unowned, listed nowhere', () => {
    const book = new SocketBook(EXTERNAL);
    expect(book.frame([], CLOSES, ROUTES, () => true)).toEqual([]);
    // sk:1011 300000/12345, 1012 300000/0, 1013 300000/0, 100e 0/0, 1015 4000/10, 1014 300000/5; loopback left out.
    expect(book.unowned).toEqual({ bytesIn: 1_204_000, bytesOut: 12_360 });
  });
});

describe('the stand-in prints what the nettop parser reads', () => {
  const frame = (processes: StandInProcess[], argv: string[], withTime = true): string => new FrameRenderer(args(argv), withTime).render(processes, AT);
  const book = (): StandInProcess[] => new SocketBook(EXTERNAL).frame(POLL, [], ROUTES, () => true);

  it('per connection (the sampler argv without -P): process rows with their connection rows, interface per connection', () => {
    const text = frame(book(), samplerArgv(true));
    expect(text.split('\n')[0]).toBe('time,,interface,bytes_in,bytes_out,');
    const parsed = only(text);
    expect(parsed.time).toBe('14:03:07.250000');
    expect(parsed.processes.map((p) => [p.label, p.bytesIn, p.bytesOut, p.connections.length])).toEqual([
      ['nmdl.13486', 300_000, 12_345, 1],
      ['Web Content.13494', 0, 0, 1],
      ['a (b.13502', 4000, 10, 1],
      ['nmshare.13515', 300_000, 0, 1],
      ['nmsyn.13534', 0, 0, 1],
      ['nmbound.13541', 300_000, 0, 1],
      ['nmnobody.13549', 300_000, 5, 1],
    ]);
    const bound = parsed.processes.find((p) => p.name === 'nmbound')?.connections[0];
    expect(bound).toMatchObject({ protocol: 'tcp4', interface: 'nmcap13459c', local: { address: '198.51.100.2', port: 36216 }, remote: { address: '198.51.100.1', port: 9000 }, bytesIn: 300_000, bytesOut: 0 });
    // The sampler's flows: the connections carry all the bytes, the per-process remainders none.
    const flows = new ConnectionFlows().flows(parsed, 'cumulative');
    expect(totalOf(flows)).toEqual({ bytesIn: 1_204_000, bytesOut: 12_360 });
    expect(totalOf(flows.filter((f) => f.id.includes('|other@')))).toEqual({ bytesIn: 0, bytesOut: 0 });
  });

  it('per process (-P): process rows only, the same totals', () => {
    const parsed = only(frame(book(), samplerArgv(false)));
    expect(parsed.columns).toEqual(['time', '', 'bytes_in', 'bytes_out']);
    expect(parsed.processes.every((p) => p.connections.length === 0)).toBe(true);
    expect(totalOf(processFlows(parsed))).toEqual({ bytesIn: 1_204_000, bytesOut: 12_360 });
  });

  it('with -d the first frame is cumulative and the next ones hold each row’s bytes since the frame before', () => {
    const renderer = new FrameRenderer(args(['-L', '0', '-s', '1', '-d', '-x', '-n', '-t', 'external', '-J', 'bytes_in,bytes_out,interface,state']), true);
    const standIn = new SocketBook(EXTERNAL);
    const first = renderer.render(standIn.frame(POLL, [], ROUTES, () => true), AT);
    const second = renderer.render(standIn.frame([], CLOSES, ROUTES, () => true), AT);
    const parsed = parseNettop(first + second);
    expect(parsed.malformedLines).toBe(0);
    const nmdl = parsed.frames.map((f) => f.processes.find((p) => p.name === 'nmdl'));
    expect(nmdl.map((p) => [p?.bytesIn, p?.bytesOut])).toEqual([[300_000, 12_345], [0, 0]]);
    // nmnobody's close event carried no more bytes than its poll, a-(b's neither.
    expect(parsed.frames[1]?.processes.every((p) => p.bytesIn === 0 && p.bytesOut === 0)).toBe(true);
    // Seven connection rows: six closed (their last showing), nmsyn's still listed (absent from one poll only).
    expect(parsed.frames[1]?.processes.flatMap((p) => p.connections.map((c) => `${c.state}:${c.bytesIn}`))).toEqual(['Closed:0', 'Closed:0', 'Closed:0', 'Closed:0', 'SynSent:0', 'Closed:0', 'Closed:0']);
  });

  it('on a terminal there is no time column, as nettop prints it', () => {
    const text = frame(book(), ['-P', '-x', '-J', 'bytes_in,bytes_out', '-L', '1'], false);
    const real = capture(path.join(externalDir, 'macos-py-terminal-no-time-L1.txt'));
    expect(text.split('\n')[0]).toBe(real.split('\n')[0]);
    expect(only(text).columns).toEqual(['', 'bytes_in', 'bytes_out']);
  });

  it('UDP sockets are listed with empty counters (Linux keeps none per UDP socket)', () => {
    const udp = readSsOutput('UNCONN 0 0 198.51.100.2:40000 198.51.100.1:1194 users:(("openvpn",pid=77,fd=6)) ino:1 sk:50 cgroup:/ <->\n', 'udp');
    const processes = new SocketBook(EXTERNAL).frame(udp, [], ROUTES, () => true);
    const text = frame(processes, ['-L', '1', '-n', '-x', '-J', 'bytes_in,bytes_out,interface,state']);
    expect(text.split('\n')[2]).toBe('14:03:07.250000,udp4 198.51.100.2:40000<->198.51.100.1:1194,nmveth0,,,,');
    expect(only(text).processes[0]?.connections[0]).toMatchObject({ protocol: 'udp4', interface: 'nmveth0', bytesIn: 0, bytesOut: 0 });
  });
});

describe('line by line, the shape of the real captures', () => {
  const real = realLines();
  it.each([
    ['per connection, -J bytes_in,bytes_out,interface,state,time (capture 2)', ['-n', '-L', '1', '-J', 'bytes_in,bytes_out,interface,state,time']],
    ['per connection, the default columns (capture 4)', ['-L', '1', '-t', 'external']],
    ['per process, -P -J bytes_in,bytes_out', samplerArgv(false, 1)],
    ['per process, -P -d streaming', samplerArgv(false)],
  ])('%s: a header the captures have, and every line shaped like one of theirs under it', (_what, argv) => {
    const ours = new FrameRenderer(args(argv), true).render(new SocketBook(EXTERNAL).frame(POLL, [], ROUTES, () => true), AT).split('\n').filter((l) => l.length > 0);
    const header = ours[0] ?? '';
    const theirs = real.get(header);
    expect(theirs, `no capture has the header ${header}`).toBeDefined();
    const columns = header.split(',');
    const shapes = new Set((theirs ?? []).map((l) => shape(l, columns)));
    expect(ours.length).toBeGreaterThan(1);
    for (const line of ours.slice(1)) expect(shapes, `${line} → ${shape(line, columns)}`).toContain(shape(line, columns));
  });
});

describe('the stand-in’s flags', () => {
  it.each([
    ['streaming per connection', samplerArgv(true)],
    ['streaming per process', samplerArgv(false)],
    ['polling per connection', samplerArgv(true, 1)],
    ['polling per process', samplerArgv(false, 1)],
  ])('understands the sampler’s %s argv', (_what, argv) => {
    const parsed = parseNettopArgv(argv);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.args.perProcess).toBe(argv.includes('-P'));
    expect(parsed.args.deltas).toBe(argv.includes('-d'));
    expect(parsed.args.traffic).toBe('external');
    expect(parsed.args.samples).toBe(Number(argv[argv.indexOf('-L') + 1]));
  });

  it('refuses a flag nettop does not have, with nettop’s complaint', () => {
    expect(parseNettopArgv(['-L', '1', '-Z'])).toEqual({ ok: false, complaint: 'nettop: illegal option -- Z' });
  });

  it('keeps nettop’s column order whatever the order of -J', () => {
    expect(nettopHeader(args(['-J', 'time,bytes_out,state,bytes_in']).columns, true)).toBe('time,,state,bytes_in,bytes_out,');
  });
});
