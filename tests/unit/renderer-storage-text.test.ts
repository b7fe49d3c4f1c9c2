// The status line about a damaged database set aside at start and what was salvaged from it.
import { describe, expect, it } from 'vitest';
import { recoveredText } from '../../src-renderer/lib/storage-text.js';

describe('the status line of a salvaged database', () => {
  it('says where the damaged file is kept and what was recovered from it', () => {
    expect(recoveredText({ recoveredTo: '/d/network_monitor.db.corrupt-1', salvaged: 'recovered 12 rows: usage_raw 12' })).toBe(
      'a damaged database was set aside (kept at /d/network_monitor.db.corrupt-1); recovered 12 rows: usage_raw 12',
    );
  });
  it('names the kept file alone when nothing was salvaged, or from an engine that does not say', () => {
    expect(recoveredText({ recoveredTo: '/d/x.corrupt-1', salvaged: null })).toBe('a damaged database was set aside (kept at /d/x.corrupt-1)');
    expect(recoveredText({ recoveredTo: '/d/x.corrupt-1' })).toBe('a damaged database was set aside (kept at /d/x.corrupt-1)');
  });
  it('says nothing when no database was set aside', () => {
    expect(recoveredText({ recoveredTo: null, salvaged: null })).toBeNull();
  });
});
