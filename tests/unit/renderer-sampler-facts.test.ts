// The settings page's sampler panel in words: known keys get their label and unit, a key the table
// does not know yet is still put in words, and no raw camelCase key reaches the page.
import { describe, expect, it } from 'vitest';
import { formatMs, samplerFacts, samplerTitle, wordsOfKey } from '../../src-renderer/lib/sampler-facts.js';

describe('sampler facts', () => {
  it('labels the linux sampler\'s facts and shows their units', () => {
    const facts = samplerFacts({ intervalMs: 5000, ssPath: '/usr/bin/ss', closeEventsLineBuffered: true, lastPollMs: 23, flows: 1234, seesAllOwners: false, helperPid: null });
    expect(facts.map((f) => [f.label, f.value])).toEqual([
      ['reads counters every', '5 s'],
      ['ss program', '/usr/bin/ss'],
      ['close events line-buffered (stdbuf)', 'yes'],
      ['last poll took', '23 ms'],
      ['connections in the last sample', '1,234'],
      ["sees every user's processes", 'no'],
      ['capture helper process id', '—'],
    ]);
  });

  it('shows shares, bytes and seconds of the other samplers', () => {
    const facts = samplerFacts({ childCpuShare: 0.031, bytesNotCounted: 2_500_000, pollEveryS: 60, nextStreamingTryInS: null });
    expect(facts.map((f) => f.value)).toEqual(['3.1 % of a core', '2.50 MB', '1 min', '—']);
  });

  it('puts a key it does not know into words, reading Ms and S as durations', () => {
    expect(samplerFacts({ ringBufferDropsLastMinute: 3, warmupMs: 1500, idleS: 120, usesHTTPProxy: true }).map((f) => [f.label, f.value])).toEqual([
      ['ring buffer drops last minute', '3'],
      ['warmup', '1.5 s'],
      ['idle', '2 min'],
      ['uses http proxy', 'yes'],
    ]);
    expect(wordsOfKey('closeEventsLineBuffered')).toBe('close events line buffered');
  });

  it('never shows a raw camelCase key as a label', () => {
    const keys = ['intervalMs', 'mode', 'perConnection', 'lastSnapshotMs', 'packetStartsLost', 'someFutureKeyS', 'anotherOne'];
    for (const f of samplerFacts(Object.fromEntries(keys.map((k) => [k, 1])))) expect([f.key, /[a-z][A-Z]/.test(f.label)]).toEqual([f.key, false]);
  });

  it('names the sampler with what it is', () => {
    expect(samplerTitle('linux')).toBe('linux: ss socket counters, per connection');
    expect(samplerTitle('replay')).toBe('replay');
    expect([formatMs(0), formatMs(999), formatMs(1000), formatMs(12_000)]).toEqual(['0 ms', '999 ms', '1 s', '12 s']);
  });
});
