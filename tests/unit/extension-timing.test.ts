// The extension's timing, driven by a hand-made clock: when the active tab is reported (debounce,
// 5-s heartbeat, silence without focus), and how the outbox queues, paces, retries and drops.
import { describe, expect, it } from 'vitest';
import { ActiveTabReporter, type TabSnapshot } from '../../extension/src/lib/active-tab.js';
import type { Outcome } from '../../extension/src/lib/client.js';
import type { Outgoing } from '../../extension/src/lib/contract.js';
import { Outbox, type LinkState } from '../../extension/src/lib/outbox.js';

/** Timers on a clock that moves only when told; `advance` runs what falls due, in order, letting promises settle. */
class FakeTime {
  now = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  setTimer = (fn: () => void, ms: number): number => {
    const id = this.next++;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  };
  clearTimer = (id: unknown): void => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  }
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    await this.settle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const due = this.timers[0];
      if (due === undefined || due.at > end) break;
      this.timers.shift();
      this.now = due.at;
      due.fn();
      await this.settle();
    }
    this.now = end;
  }
}

describe('ActiveTabReporter', () => {
  function setup(initial: TabSnapshot) {
    const time = new FakeTime();
    let snap = initial;
    let reportPrivate = false;
    const reports: [string, number][] = [];
    const reporter = new ActiveTabReporter({
      now: () => time.now,
      snapshot: () => Promise.resolve(snap),
      report: (host, at) => reports.push([host, at - 1_000_000]),
      reportPrivate: () => reportPrivate,
      setTimer: time.setTimer,
      clearTimer: time.clearTimer,
    });
    return { time, reporter, reports, set: (s: TabSnapshot) => (snap = s), allowPrivate: () => (reportPrivate = true) };
  }
  const tab = (url: string, focused = true, incognito = false): TabSnapshot => ({ url, focused, incognito });

  it('debounces a burst of events into one report, then reports every 5 s while the tab stays', async () => {
    const { time, reporter, reports } = setup(tab('https://www.a.test/x?y=1'));
    reporter.poke();
    await time.advance(100);
    reporter.poke();
    await time.advance(100);
    reporter.poke();
    await time.advance(12_000);
    // One report 250 ms after the last event (at 450), then heartbeats at 5 450 and 10 450.
    expect(reports).toEqual([
      ['www.a.test', 450],
      ['www.a.test', 5450],
      ['www.a.test', 10450],
    ]);
  });

  it('reports a switch at once (after the debounce) and restarts the heartbeat from there', async () => {
    const { time, reporter, reports, set } = setup(tab('https://a.test/'));
    reporter.poke();
    await time.advance(3000);
    set(tab('https://b.test/'));
    reporter.poke();
    await time.advance(6000);
    expect(reports).toEqual([
      ['a.test', 250],
      ['b.test', 3250],
      ['b.test', 8250],
    ]);
  });

  it('says nothing while no window has focus, on pages that are no site, and in private windows unless allowed', async () => {
    const { time, reporter, reports, set, allowPrivate } = setup(tab('https://a.test/', false));
    reporter.poke();
    await time.advance(20_000);
    set(tab('about:blank'));
    reporter.poke();
    await time.advance(20_000);
    set(tab('https://secret.test/', true, true));
    reporter.poke();
    await time.advance(20_000);
    expect(reports).toEqual([]);
    allowPrivate();
    reporter.poke();
    await time.advance(300);
    expect(reports).toEqual([['secret.test', 60_250]]);
  });

  it('stops the heartbeat when focus goes, and reports again when it comes back', async () => {
    const { time, reporter, reports, set } = setup(tab('https://a.test/'));
    reporter.poke();
    await time.advance(1000);
    set(tab('https://a.test/', false));
    reporter.poke();
    await time.advance(30_000);
    set(tab('https://a.test/'));
    reporter.poke();
    await time.advance(1000);
    expect(reports).toEqual([
      ['a.test', 250],
      ['a.test', 31_250],
    ]);
  });
});

describe('Outbox', () => {
  const item = (n: number): Outgoing => ({ path: '/api/browser/active-tab', body: { domain: `t${n}.test`, timestamp: n, browser: 'chromium' } });

  function setup(options: { maxAgeMs?: number; maxItems?: number } = {}) {
    const time = new FakeTime();
    let answer: Outcome = { kind: 'ok' };
    const sent: [number, string][] = [];
    const ids: (string | undefined)[] = [];
    const states: LinkState[] = [];
    const outbox = new Outbox(
      {
        now: () => time.now,
        send: (it) => {
          sent.push([time.now - 1_000_000, it.body.browser === 'chromium' && 'domain' in it.body ? it.body.domain : '?']);
          ids.push(it.body.reportId);
          return Promise.resolve(answer);
        },
        onState: (s) => states.push(s),
        setTimer: time.setTimer,
        clearTimer: time.clearTimer,
      },
      { retryMs: 5000, unpairedRetryMs: 30_000, paceMs: 150, ...options },
    );
    return { time, outbox, sent, ids, states, answer: (o: Outcome) => (answer = o) };
  }

  it('gives each report its own id and sends it with the same id on every retry', async () => {
    const { time, outbox, ids, answer } = setup();
    answer({ kind: 'not-running', detail: 'fetch failed' });
    outbox.push(item(1));
    outbox.push(item(2));
    await time.advance(6000);
    answer({ kind: 'ok' });
    await time.advance(6000);
    // Tried: 1 (down), 1 again (down), then 1 and 2.
    expect(ids.length).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
    expect(ids[3]).not.toBe(ids[0]);
  });

  it('sends at once while netmon answers', async () => {
    const { time, outbox, sent, states } = setup();
    outbox.push(item(1));
    await time.advance(0);
    expect(sent).toEqual([[0, 't1.test']]);
    expect(states).toEqual(['connected']);
    expect(outbox.size).toBe(0);
  });

  it('while netmon is down, queues and retries every 5 s; then sends the backlog in order, paced', async () => {
    const { time, outbox, sent, states, answer } = setup();
    answer({ kind: 'not-running', detail: 'fetch failed' });
    outbox.push(item(1));
    await time.advance(1000);
    outbox.push(item(2));
    outbox.push(item(3));
    await time.advance(9000);
    // Tried at 0, then at 5 000 and 10 000 (retries); pushes while waiting do not hammer netmon.
    expect(sent.map(([t]) => t)).toEqual([0, 5000, 10_000]);
    expect(outbox.size).toBe(3);
    answer({ kind: 'ok' });
    await time.advance(6000);
    expect(sent.slice(3)).toEqual([
      [15_000, 't1.test'],
      [15_150, 't2.test'],
      [15_300, 't3.test'],
    ]);
    expect(states).toEqual(['not-running', 'connected']);
  });

  it('never holds more than about ten minutes: older items are dropped, and counted', async () => {
    const { time, outbox, sent, answer } = setup({ maxAgeMs: 600_000 });
    answer({ kind: 'not-running', detail: 'down' });
    for (let i = 0; i < 24; i++) {
      outbox.push(item(i));
      await time.advance(60_000);
    }
    // Pushed at minutes 0…23, now at minute 24: the retries prune what is over 10 minutes old, so
    // minutes 14…23 remain (the one of minute 14 is exactly 10 minutes old).
    expect(outbox.size).toBe(10);
    expect(outbox.dropped).toBe(14);
    const before = sent.length;
    answer({ kind: 'ok' });
    await time.advance(10_000);
    // The next retry comes a few seconds later, when minute 14's item is past 10 minutes too.
    expect(sent.slice(before).map(([, d]) => d)).toEqual(Array.from({ length: 9 }, (_, i) => `t${15 + i}.test`));
    expect(outbox.dropped).toBe(15);
    expect(outbox.size).toBe(0);
  });

  it('is bounded in length too', async () => {
    const { time, outbox, answer } = setup({ maxItems: 5 });
    answer({ kind: 'not-running', detail: 'down' });
    for (let i = 0; i < 50; i++) outbox.push(item(i));
    await time.advance(0);
    expect(outbox.size).toBe(5);
    expect(outbox.dropped).toBe(45);
  });

  it('keeps the reports and says so when netmon refuses the link itself (403, 415, 421), then sends them once it takes them', async () => {
    const { time, outbox, sent, states, answer } = setup();
    answer({ kind: 'problem', status: 403, detail: 'netmon refused the reports (HTTP 403)' });
    outbox.push(item(1));
    await time.advance(0);
    expect(states.at(-1)).toBe('problem');
    expect(outbox.size).toBe(1);
    expect(outbox.refused).toBe(0);
    answer({ kind: 'ok' });
    await time.advance(30_000);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(outbox.size).toBe(0);
    expect(states.at(-1)).toBe('connected');
  });

  it('drops what netmon refused and goes on; waits out a rate limit; waits longer when not paired', async () => {
    const { time, outbox, sent, states, answer } = setup();
    answer({ kind: 'refused', status: 400, detail: 'bad' });
    outbox.push(item(1));
    await time.advance(0);
    expect(outbox.size).toBe(0);
    expect(outbox.refused).toBe(1);
    answer({ kind: 'busy', retryAfterMs: 2000 });
    outbox.push(item(2));
    await time.advance(1999);
    expect(sent.map(([t]) => t)).toEqual([0, 0]);
    answer({ kind: 'not-paired', detail: 'no token' });
    await time.advance(1);
    expect(states.at(-1)).toBe('not-paired');
    await time.advance(29_999);
    expect(sent).toHaveLength(3);
    answer({ kind: 'ok' });
    // A new token kicks at once rather than after the 30 s wait.
    outbox.kick();
    await time.advance(0);
    expect(sent).toHaveLength(4);
    expect(states.at(-1)).toBe('connected');
  });
});
