// Start times on nettop's owners (owners.ts) and the `ps -o pid=,lstart=` parser they come from.
import { describe, expect, it } from 'vitest';
import { OwnerStartTimes } from '../../../../../src-main/engine/samplers/nettop/owners.js';
import { parseStartTimes } from '../../../../../src-main/engine/samplers/process/index.js';
import type { FlowCounter } from '../../../../../src-main/engine/types.js';

const flow = (pid: number, name: string): FlowCounter => ({ id: `${name}.${pid}`, owner: { pid, name }, bytesIn: 1, bytesOut: 1 });

describe('parseStartTimes', () => {
  it('reads pid and lstart (LC_ALL=C) as epoch seconds of local time, skipping what it cannot read', () => {
    const out = parseStartTimes(['    1 Sat Dec  5 07:33:54 2026', ' 9723 Sat Dec  5 10:45:49 2026', '  PID STARTED', ' 12 Foo Bar  5 10:45:49 2026', ''].join('\n'));
    expect([...out.keys()]).toEqual([1, 9723]);
    expect(out.get(1)).toBe(new Date(2026, 11, 5, 7, 33, 54).getTime() / 1000);
    expect(out.get(9723)! - out.get(1)!).toBe(3 * 3600 + 11 * 60 + 55);
  });
});

describe('OwnerStartTimes', () => {
  it('looks each pid up once while it stays listed, again after it left a frame, and leaves unknown ones without', async () => {
    const asked: number[][] = [];
    let times = new Map([[501, 100], [9001, 200]]);
    const book = new OwnerStartTimes((pids) => {
      asked.push([...pids]);
      return Promise.resolve(times);
    });
    const first = await book.stamp([flow(501, 'Safari'), flow(9001, 'curl'), flow(77, 'gone')]);
    expect(first.map((f) => f.owner?.startTime)).toEqual([100, 200, undefined]);
    // Same pids: no lookup (77, not found before, is not asked again either).
    times = new Map([[501, 999], [9001, 999]]);
    expect((await book.stamp([flow(501, 'Safari'), flow(9001, 'curl'), flow(77, 'gone')])).map((f) => f.owner?.startTime)).toEqual([100, 200, undefined]);
    // 9001 left a frame: when it is listed again it may be another process, so it is asked anew.
    await book.stamp([flow(501, 'Safari')]);
    expect((await book.stamp([flow(501, 'Safari'), flow(9001, 'curl')])).map((f) => f.owner?.startTime)).toEqual([100, 999]);
    expect(asked).toEqual([[501, 9001, 77], [9001]]);
  });

  it('a failing reader leaves the owners as they were', async () => {
    const book = new OwnerStartTimes(() => Promise.reject(new Error('ps failed')));
    const flows = [flow(501, 'Safari')];
    expect(await book.stamp(flows)).toEqual(flows);
  });
});
