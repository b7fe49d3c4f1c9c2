// /proc readers: process details on a fake /proc tree (names with spaces and parentheses, pid reuse),
// and the namespace's network files captured in the client namespace (tests/fixtures/linux/).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isLoopbackAddress,
  parseFibTrieLocal,
  parseIfInet6,
  parseNetDev,
  parseProcCgroup,
  parseProcCmdline,
  parseProcStat,
  parseProcStatusUid,
  ProcReader,
} from '../../../../../src-main/engine/samplers/linux/proc.js';
import { cleanupTempRoots, statLine, tempRoot, writeProcess } from '../../../../fixtures/linux/fake-proc.js';

const fixtures = path.join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'linux');
afterAll(cleanupTempRoots);
const fakeProc = (): string => tempRoot('netmon-fakeproc-');

describe('/proc/PID/stat', () => {
  it.each([
    ['4242 (Web Content) S 4000 1 2 3', null], // too short for field 22
    [statLine(4242, 'Web Content', 4000, 987654), { pid: 4242, comm: 'Web Content', ppid: 4000, startTime: 987654 }],
    [statLine(7, 'a (b) c)', 1, 5), { pid: 7, comm: 'a (b) c)', ppid: 1, startTime: 5 }],
    [statLine(8, ') S 99 (', 2, 6), { pid: 8, comm: ') S 99 (', ppid: 2, startTime: 6 }],
    [statLine(9, '', 0, 0), { pid: 9, comm: '', ppid: 0, startTime: 0 }],
    ['garbage', null],
    ['(x) S 1', null],
  ])('%j', (text, expected) => {
    expect(parseProcStat(text)).toEqual(expected);
  });
});

describe('small /proc files', () => {
  it('cgroup: the v2 line, wherever it is; null without one', () => {
    expect(parseProcCgroup('12:cpu:/a\n0::/user.slice/user-1000.slice/app.slice/app-firefox-1.scope\n')).toBe('/user.slice/user-1000.slice/app.slice/app-firefox-1.scope');
    expect(parseProcCgroup('0::/\n')).toBe('/');
    expect(parseProcCgroup('4:memory:/x\n1:name=systemd:/y\n')).toBeNull();
  });

  it('status: the real uid', () => {
    expect(parseProcStatusUid('Name:\tx\nUid:\t1000\t0\t0\t0\n')).toBe(1000);
    expect(parseProcStatusUid('Name:\tx\n')).toBeNull();
  });

  it('cmdline: NUL-separated arguments joined by spaces', () => {
    expect(parseProcCmdline(Buffer.from('/usr/lib/firefox/firefox\0-contentproc\0-childID\x001\0'))).toBe('/usr/lib/firefox/firefox -contentproc -childID 1');
    expect(parseProcCmdline(Buffer.from(''))).toBeUndefined();
  });
});

describe('ProcReader on a fake /proc', () => {
  it('reads name, path, command line, parent, cgroup, uid and start time', async () => {
    const root = fakeProc();
    writeProcess(root, { pid: 4000, comm: 'firefox', ppid: 1, startTime: 1000, exe: '/usr/lib/firefox/firefox' });
    writeProcess(root, {
      pid: 4242,
      comm: 'Web (Content) x',
      ppid: 4000,
      startTime: 987654,
      exe: '/usr/lib/firefox/firefox (deleted)',
      cmdline: ['/usr/lib/firefox/firefox', '-contentproc', '-childID', '3'],
      cgroup: '12:cpu:/\n0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1.scope\n',
      uid: 1000,
    });
    const reader = new ProcReader(root);
    expect(await reader.process(4242)).toEqual({
      pid: 4242,
      name: 'Web (Content) x',
      path: '/usr/lib/firefox/firefox',
      cmdline: '/usr/lib/firefox/firefox -contentproc -childID 3',
      ppid: 4000,
      parentName: 'firefox',
      parentPath: '/usr/lib/firefox/firefox',
      cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1.scope',
      uid: 1000,
      startTime: 987654,
    });
  });

  it('leaves out what it may not read, and answers null for a pid that is gone', async () => {
    const root = fakeProc();
    writeProcess(root, { pid: 50, comm: 'sshd', ppid: 1, startTime: 7 });
    const reader = new ProcReader(root);
    expect(await reader.process(50)).toEqual({ pid: 50, name: 'sshd', ppid: 1, startTime: 7 });
    expect(await reader.process(51)).toBeNull();
  });

  it('caches by pid, start time and name: the same process is read once, a reused pid or an exec is read anew', async () => {
    const root = fakeProc();
    writeProcess(root, { pid: 300, comm: 'curl', ppid: 1, startTime: 100, cmdline: ['curl', 'a'] });
    const reader = new ProcReader(root);
    expect((await reader.process(300))?.cmdline).toBe('curl a');

    // Same start time: still the same process, its details come from the cache.
    writeFileSync(path.join(root, '300', 'cmdline'), 'changed\0');
    expect((await reader.process(300))?.cmdline).toBe('curl a');

    // The pid now belongs to a newer process.
    writeProcess(root, { pid: 300, comm: 'wget', ppid: 1, startTime: 250, cmdline: ['wget', 'b'] });
    expect(await reader.process(300)).toEqual({ pid: 300, name: 'wget', ppid: 1, startTime: 250, cmdline: 'wget b' });

    // exec(): same pid and start time, a new name: read anew.
    writeProcess(root, { pid: 300, comm: 'python3', ppid: 1, startTime: 250, cmdline: ['python3', 'c.py'] });
    expect((await reader.process(300))?.cmdline).toBe('python3 c.py');
  });

  it('forgets processes nobody asked about since the last sweep', async () => {
    const root = fakeProc();
    writeProcess(root, { pid: 1, comm: 'init', ppid: 0, startTime: 1 });
    writeProcess(root, { pid: 2, comm: 'a', ppid: 1, startTime: 2 });
    const reader = new ProcReader(root);
    await reader.process(1);
    await reader.process(2);
    reader.sweep();
    expect(reader.size).toBe(2);
    await reader.process(1);
    reader.sweep();
    expect(reader.size).toBe(1);
  });
});

describe('/proc/net files of the client namespace', () => {
  it('net/dev: sums every interface but lo', () => {
    // lo 1153/1153 left out; nmcap13459c: rx 1207662, tx 16196
    expect(parseNetDev(readFileSync(path.join(fixtures, 'net-dev.txt'), 'utf8'))).toEqual({
      bytesIn: 1207662,
      bytesOut: 16196,
      interfaces: { nmcap13459c: { bytesIn: 1207662, bytesOut: 16196 } },
    });
  });

  it('net/dev: a counter touching the colon, several interfaces, no interface at all', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0',
      '  eth0:123456789012 100 0 0 0 0 0 0 2000 20 0 0 0 0 0 0',
      'wlan0: 10 1 0 0 0 0 0 0 30 3 0 0 0 0 0 0',
    ].join('\n');
    expect(parseNetDev(text)).toEqual({
      bytesIn: 123456789022,
      bytesOut: 2030,
      interfaces: { eth0: { bytesIn: 123456789012, bytesOut: 2000 }, wlan0: { bytesIn: 10, bytesOut: 30 } },
    });
    expect(parseNetDev('Inter-|\n face |\n')).toBeNull();
  });

  it('fib_trie: our own IPv4 addresses are the /32 host LOCAL leaves', () => {
    expect([...parseFibTrieLocal(readFileSync(path.join(fixtures, 'fib-trie.txt'), 'utf8'))].sort()).toEqual(['127.0.0.1', '198.51.100.2']);
  });

  it('if_inet6: our own IPv6 addresses, in the canonical spelling', () => {
    expect([...parseIfInet6(readFileSync(path.join(fixtures, 'if-inet6.txt'), 'utf8'))]).toEqual(['::1']);
    expect([...parseIfInet6('fe800000000000009466a1fffe18d8b2 05 40 20 80 eth0\n20010db8000000000001000000000001 02 40 00 00 eth0\n')]).toEqual([
      'fe80::9466:a1ff:fe18:d8b2',
      '2001:db8::1:0:0:1',
    ]);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['198.51.100.1', false],
    ['::2', false],
  ])('loopback %s: %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});
