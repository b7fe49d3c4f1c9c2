// Where the engine looks for its eBPF helper, from wherever the engine's code runs.
import { describe, expect, it } from 'vitest';
import { helperPathFrom } from '../../../../../src-main/engine/samplers/ebpf/helper-path.js';

describe('helperPathFrom', () => {
  it.each([
    ['compiled by tsc', '/opt/netmon/dist/src-main/engine/samplers/ebpf', '/opt/netmon/dist/helper/netmon-capture'],
    ['bundled by vite', '/opt/netmon/dist/bundle/cli', '/opt/netmon/dist/helper/netmon-capture'],
    ['from the sources (tests)', '/work/netmon/src-main/engine/samplers/ebpf', '/work/netmon/dist/helper/netmon-capture'],
    [
      'packaged: unpacked beside the asar archive',
      '/opt/netmon/resources/app.asar/dist/src-main/engine/samplers/ebpf',
      '/opt/netmon/resources/app.asar.unpacked/dist/helper/netmon-capture',
    ],
  ])('%s', (_what, moduleDir, expected) => {
    expect(helperPathFrom(moduleDir)).toBe(expected);
  });
});
