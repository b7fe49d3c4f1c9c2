// The sampler kit's pure parts: the flow book (new flows, holding, owners), the child-failure wording,
// stderr transcripts and the health rule.
import { describe, expect, it } from 'vitest';
import { describeExit, describeStartError, describeTimeout, firstLine, lastLine } from '../../../../src-main/engine/samplers/kit/describe-child.js';
import { FlowBook, uidOwner } from '../../../../src-main/engine/samplers/kit/flow-book.js';
import { samplerHealth } from '../../../../src-main/engine/samplers/kit/health.js';
import { StderrDigest } from '../../../../src-main/engine/samplers/kit/stderr-digest.js';
import { createLogger } from '../../../../src-main/engine/log.js';
import type { RemoteEndpoint } from '../../../../src-main/engine/types.js';

const remote: RemoteEndpoint = { protocol: 'tcp4', address: '198.51.100.1', port: 443 };
const curl = { pid: 101, name: 'curl', uid: 1000 };
const bytes = (n: number) => ({ bytesIn: n, bytesOut: n / 10 });

describe('FlowBook', () => {
  it('flags flows new since a completed round, never in the first', () => {
    const book = new FlowBook(1000);
    book.beginRound();
    expect(book.list('a', curl, remote, bytes(100), 0).newSincePrevious).toBeUndefined();
    book.endRound();
    book.beginRound();
    expect(book.list('a', curl, remote, bytes(200), 10).newSincePrevious).toBeUndefined();
    expect(book.list('b', curl, remote, bytes(50), 10)).toEqual({ id: 'b', owner: curl, remote, bytesIn: 50, bytesOut: 5, newSincePrevious: true });
  });

  it('holds an unlisted flow with its last counters until its TTL, then forgets it', () => {
    const book = new FlowBook(1000);
    book.beginRound();
    book.list('a', curl, remote, bytes(100), 0);
    book.endRound();
    book.beginRound();
    expect(book.held(500)).toEqual({ flows: [{ id: 'a', owner: curl, remote, bytesIn: 100, bytesOut: 10 }], vanished: 1, forgotten: [] });
    book.beginRound();
    expect(book.held(1000)).toEqual({ flows: [], vanished: 0, forgotten: ['a'] });
    expect(book.has('a')).toBe(false);
  });

  it('drops at once a flow listed without holding, unless held later (a restarted source)', () => {
    const book = new FlowBook(1000);
    book.beginRound();
    book.list('a', curl, remote, bytes(100), null);
    book.list('b', curl, remote, bytes(100), null);
    book.endRound();
    book.holdAll(50);
    book.beginRound();
    book.list('b', curl, remote, bytes(120), null);
    expect(book.held(100).flows.map((f) => f.id)).toEqual(['a']);
    book.beginRound();
    // b, listed again by the new source, is no longer held; a still is, within its TTL.
    expect(book.held(200)).toMatchObject({ flows: [{ id: 'a' }], forgotten: ['b'] });
    book.beginRound();
    expect(book.held(1050)).toMatchObject({ flows: [], forgotten: ['a'] });
  });

  it('repeats every flow after a failed round, forgetting none', () => {
    const book = new FlowBook(10);
    book.beginRound();
    book.list('a', curl, remote, bytes(100), 0);
    book.endRound();
    expect(book.held(1_000_000, true)).toMatchObject({ flows: [{ id: 'a' }], forgotten: [] });
  });

  it('joins a close to the owner it held; an unknown close is new and unjoined', () => {
    const book = new FlowBook(1000);
    book.beginRound();
    book.list('a', curl, remote, bytes(100), 0);
    book.endRound();
    expect(book.close('a', remote, bytes(300))).toEqual({ flow: { id: 'a', owner: curl, remote, bytesIn: 300, bytesOut: 30 }, joined: true });
    expect(book.close('z', remote, bytes(300))).toEqual({ flow: { id: 'z', owner: null, remote, bytesIn: 300, bytesOut: 30, newSincePrevious: true }, joined: false });
    expect(book.size).toBe(0);
  });

  it('a stranger is shown under its uid, with its cgroup when known', () => {
    expect(uidOwner({ uid: 1001, cgroup: '/user.slice' })).toEqual({ pid: 0, name: '(uid 1001)', uid: 1001, cgroup: '/user.slice' });
    expect(uidOwner({ uid: 1001, cgroup: null })).toEqual({ pid: 0, name: '(uid 1001)', uid: 1001 });
  });
});

describe('child failure wording', () => {
  const enoent = Object.assign(new Error('spawn x ENOENT'), { code: 'ENOENT' });
  const eacces = Object.assign(new Error('spawn x EACCES'), { code: 'EACCES' });
  it.each([
    [describeStartError(enoent, { command: '/x/ss' }), '/x/ss not found'],
    [describeStartError(enoent, { command: '/x/ss', notFound: 'install it' }), 'install it'],
    [describeStartError(eacces, { command: '/x/ss' }), '/x/ss is not executable'],
    [describeStartError(new Error('boom'), { command: '/x/ss' }), '/x/ss could not start: boom'],
    [describeExit('ss', { code: 1, signal: null }, '\nCannot open netlink socket\nmore'), 'ss exited with 1: Cannot open netlink socket'],
    [describeExit('ss -E', { code: null, signal: 'SIGKILL' }), 'ss -E exited with SIGKILL'],
    [describeTimeout('ss', 10_000), 'ss did not answer within 10 s'],
    [describeTimeout('ss', 1500), 'ss did not answer within 1500 ms'],
  ])('%s', (said, expected) => {
    expect(said).toBe(expected);
  });

  it('first and last lines skip blanks', () => {
    expect(firstLine('\n  a \nb\n')).toBe('a');
    expect(lastLine('a\n b \n\n')).toBe('b');
    expect(firstLine('\n')).toBeNull();
  });
});

describe('stderr transcript', () => {
  it('joins lines cut across chunks, strips CR, keeps the first and the last', () => {
    const seen: string[] = [];
    const transcript = new StderrDigest(createLogger('test'), 'test said').transcript((line) => seen.push(line));
    transcript.push('first li');
    transcript.push('ne\r\n\nsecond\nthi');
    transcript.end();
    expect(seen).toEqual(['first line', 'second', 'thi']);
    expect(transcript.first).toBe('first line');
    expect(transcript.last).toBe('thi');
    expect(transcript.recent(2)).toEqual(['second', 'thi']);
  });
});

describe('sampler health', () => {
  const facts = { sampler: 's', running: true, sampled: true, problems: [], restarts: 0, malformedLines: 0, lastSampleAt: null, details: {} };
  it.each([
    [{ running: false, problems: [['failing', 'x'] as const] }, 'stopped', null],
    [{ problems: [null, ['degraded', 'slow'] as const, ['failing', 'later'] as const] }, 'degraded', 'slow'],
    [{ sampled: false }, 'starting', null],
    [{}, 'running', null],
  ])('%o', (over, state, reason) => {
    expect(samplerHealth({ ...facts, ...over })).toMatchObject({ state, reason });
  });
});
