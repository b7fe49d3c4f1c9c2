import { describe, expect, it } from 'vitest';
import { RecentReportIds } from '../../src-main/api/report-ids.js';

describe('RecentReportIds', () => {
  it('takes an id once, until it expires; a released id can be taken again', () => {
    const ids = new RecentReportIds(1000, 10);
    expect(ids.claim('a', 0)).toBe(true);
    expect(ids.claim('a', 500)).toBe(false);
    expect(ids.claim('a', 1001)).toBe(true);
    ids.release('a');
    expect(ids.claim('a', 1002)).toBe(true);
  });

  it('holds at most max ids, forgetting the oldest', () => {
    const ids = new RecentReportIds(60_000, 3);
    for (const id of ['a', 'b', 'c', 'd']) expect(ids.claim(id, 0)).toBe(true);
    expect(ids.size).toBe(3);
    expect(ids.claim('a', 1)).toBe(true);
    expect(ids.claim('d', 1)).toBe(false);
  });
});
