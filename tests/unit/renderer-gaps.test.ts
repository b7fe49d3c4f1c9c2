// The dashboard's label for a stretch netmon did not measure (the gap a restart records).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { GapView } from '../../src-shared/contract/types.js';
import { GapNotes } from '../../src-renderer/components/GapNotes.js';
import { gapMessages, gapSpan, MAX_GAPS_NAMED } from '../../src-renderer/lib/gaps.js';

const TZ = 'Europe/Berlin';
// 2026-11-20 09:02 UTC is 10:02 in Berlin (CET).
const AT = Date.UTC(2026, 10, 20, 9, 2) / 1000;
const stopped = (start: number, end: number): GapView => ({ start, end, reason: 'netmon-stopped' });

describe('gaps in the dashboard', () => {
  it('names the time netmon was not running and says where its bytes went', () => {
    const html = renderToStaticMarkup(createElement(GapNotes, { gaps: [stopped(AT, AT + 12 * 60)], timeZone: TZ }));
    expect(html).toContain('data-testid="gaps"');
    expect(html).toContain('netmon was not running 10:02–10:14; bytes moved then are counted at the restart');
  });

  it('shows nothing without a netmon-stopped gap (other reasons, none, or an engine that sends none)', () => {
    for (const gaps of [undefined, [], [{ start: AT, end: AT + 60, reason: 'paused' }, { start: AT, end: AT + 60, reason: 'stall' }] satisfies GapView[]]) {
      expect(renderToStaticMarkup(createElement(GapNotes, { gaps, timeZone: TZ }))).toBe('');
    }
  });

  it('writes the dates when the gap spans midnight', () => {
    // 22:30 to 07:15 the next morning, Berlin.
    const start = Date.UTC(2026, 10, 20, 21, 30) / 1000;
    expect(gapSpan({ start, end: start + 8 * 3600 + 45 * 60 }, TZ)).toBe('20 Nov 2026, 22:30–21 Nov 2026, 07:15');
  });

  it('names at most a few gaps, oldest first, and counts the rest', () => {
    const gaps = Array.from({ length: MAX_GAPS_NAMED + 2 }, (_, i) => stopped(AT + i * 3600, AT + i * 3600 + 60));
    const { messages, more } = gapMessages(gaps, TZ);
    expect(messages).toHaveLength(MAX_GAPS_NAMED);
    expect(messages[0]).toContain('10:02–10:03');
    expect(more).toBe(2);
    const html = renderToStaticMarkup(createElement(GapNotes, { gaps, timeZone: TZ }));
    expect(html).toContain('and 2 more times netmon was not running in this range');
  });
});
