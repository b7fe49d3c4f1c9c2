// The NettopSampler's pure parts: the command lines it runs and how it words a usage-text failure.
import { describe, expect, it } from 'vitest';
import { usageReason } from '../../../../../src-main/engine/samplers/kit/describe-child.js';
import { NettopSampler, nettopArgs } from '../../../../../src-main/engine/samplers/nettop/sampler.js';
import { samplerKind } from '../../../../../src-main/engine/samplers/registry.js';
import { DEFAULT_CONFIG } from '../../../../../src-shared/contract/settings.js';

describe('nettop command lines', () => {
  it.each([
    [{ perConnection: false, externalOnly: true, samples: 0, intervalS: 5, deltas: true }, '-P -L 0 -s 5 -d -x -n -t external -J bytes_in,bytes_out'],
    [{ perConnection: true, externalOnly: true, samples: 0, intervalS: 5, deltas: true }, '-L 0 -s 5 -d -x -n -t external -J bytes_in,bytes_out,interface'],
    [{ perConnection: false, externalOnly: false, samples: 1, intervalS: null, deltas: false }, '-P -L 1 -x -n -J bytes_in,bytes_out'],
  ])('%o', (options, expected) => {
    expect(nettopArgs(options).join(' ')).toBe(expected);
  });

  it('the sampler streams with -d and polls with -L 1 (-P when asked per process)', () => {
    const sampler = new NettopSampler({ executable: '/usr/bin/nettop', intervalS: 5, interfaceReader: null, ptyWrapper: null, perConnection: false });
    expect(sampler.streamingCommand().join(' ')).toBe('/usr/bin/nettop -P -L 0 -s 5 -d -x -n -t external -J bytes_in,bytes_out');
    expect(sampler.pollingCommand().join(' ')).toBe('/usr/bin/nettop -P -L 1 -x -n -t external -J bytes_in,bytes_out');
    expect(sampler.health()).toMatchObject({ sampler: 'nettop', state: 'starting', restarts: 0, malformedLines: 0, lastSampleAt: null });
  });

  it('per connection by default: no -P, numeric (-n), with the interface of each connection', () => {
    const sampler = new NettopSampler({ executable: '/usr/bin/nettop', intervalS: 5, interfaceReader: null, ptyWrapper: null });
    expect(sampler.streamingCommand().join(' ')).toBe('/usr/bin/nettop -L 0 -s 5 -d -x -n -t external -J bytes_in,bytes_out,interface');
    expect(sampler.pollingCommand().join(' ')).toBe('/usr/bin/nettop -L 1 -x -n -t external -J bytes_in,bytes_out,interface');
    expect(sampler.health().details).toMatchObject({ perConnection: true });
  });

  it('the registry builds it per connection unless config says otherwise', () => {
    const nettop = samplerKind('nettop');
    const setup = { intervalS: 5, stateDir: '/nonexistent' };
    expect(nettop.create(setup).health().details).toMatchObject({ perConnection: true });
    expect(nettop.create({ ...setup, nettopPerConnection: false }).health().details).toMatchObject({ perConnection: false });
    expect(DEFAULT_CONFIG.nettop_per_connection).toBe(true);
  });
});

describe('usage text', () => {
  const argv = ['/usr/bin/nettop', '-P', '-L', '0', '-t', 'external'];
  it.each([
    [['nettop: illegal option -- t', 'usage: nettop [-P]'], 'does not accept flag -t'],
    [["nettop: invalid option -- 'J'", 'usage: nettop'], 'does not accept flag -J'],
    [["nettop: unrecognized option '--json'"], 'does not accept flag --json'],
    [['usage: nettop [-ncdPxlhvy]'], 'does not accept one of the flags of: nettop -P -L 0 -t external'],
  ])('%o', (lines, expected) => {
    const reason = usageReason(lines, argv);
    expect(reason).toContain('nettop printed its usage text instead of data');
    expect(reason).toContain(expected);
  });
});
