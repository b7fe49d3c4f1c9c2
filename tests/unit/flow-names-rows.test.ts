// domainRowsOfFlows: one interval's named flows → domain rows per app. Expected rows are summed by hand;
// the property (rows per app add up to the app's usage, deferred bytes apart) is checked by plain sums.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { domainRowsOfFlows } from '../../src-main/engine/domains/packets/flow-domains.js';
import type { AppUsage, FlowDelta, ProcessInfo } from '../../src-main/engine/types.js';

const curl: ProcessInfo = { pid: 1, name: 'curl', path: '/usr/bin/curl' };
const firefox: ProcessInfo = { pid: 2, name: 'firefox', path: '/usr/lib/firefox/firefox' };

function f(id: string, owner: ProcessInfo | null, bytesIn: number, bytesOut: number, hostname?: string): FlowDelta {
  return { id, owner, bytesIn, bytesOut, hostname };
}

const u = (app: string, bytesIn: number, bytesOut: number): AppUsage => ({ ts: 1000, durationS: 5, app, bytesIn, bytesOut });

// A stand-in rollup that is easy to check by eye: the last two labels.
const lastTwo = (h: string): string => h.split('.').slice(-2).join('.');

describe('domainRowsOfFlows', () => {
  it('named bytes by rolled-up name, the rest of each app (remainder included) unattributed', () => {
    const flows = [
      f('1', curl, 100, 10, 'video.a.test'),
      f('2', curl, 50, 5, 'cdn.a.test'),
      f('3', curl, 7, 1),
      f('4', firefox, 300, 30, 'www.b.test'),
      f('5', null, 20, 2),
      f('6', curl, 0, 0, 'zero.test'),
    ];
    // Usage as attribute() makes it: curl 157/16, Firefox 300/30, unattributed 20/2 + 80/8 from the interface.
    const usage = [u('(unattributed)', 100, 10), u('Firefox', 300, 30), u('curl', 157, 16)];
    const split = domainRowsOfFlows(flows, usage, { platform: 'linux', domainOf: lastTwo, defer: () => false });
    const row = (app: string, domain: string, bytesIn: number, bytesOut: number) => ({ ts: 1000, durationS: 5, app, domain, estimate: false, bytesIn, bytesOut });
    expect(split.rows).toEqual([
      row('(unattributed)', '(unattributed)', 100, 10),
      row('Firefox', 'b.test', 300, 30),
      row('curl', '(unattributed)', 7, 1),
      row('curl', 'a.test', 150, 15),
    ]);
    expect(split.deferred).toEqual([]);
  });

  it('a deferred app\'s unnamed flows are handed back, not written; its named ones are', () => {
    const flows = [f('1', firefox, 300, 30, 'www.b.test'), f('2', firefox, 40, 4), f('3', firefox, 60, 6), f('4', curl, 9, 9)];
    const usage = [u('Firefox', 400, 40), u('curl', 9, 9)];
    const split = domainRowsOfFlows(flows, usage, { platform: 'linux', domainOf: (h) => h, defer: (app) => app === 'Firefox' });
    expect(split.rows.map((r) => [r.app, r.domain, r.bytesIn, r.bytesOut])).toEqual([
      ['Firefox', 'www.b.test', 300, 30],
      ['curl', '(unattributed)', 9, 9],
    ]);
    expect(split.deferred.map((d) => d.id)).toEqual(['2', '3']);
    expect([...split.deferredBytes]).toEqual([['Firefox', { bytesIn: 100, bytesOut: 10 }]]);
  });

  it('property: per app, rows plus deferred bytes equal the usage row', () => {
    const owners = [curl, firefox, null, { pid: 3, name: 'wget', path: '/usr/bin/wget' }];
    const flowArb = fc.record({
      owner: fc.integer({ min: 0, max: 3 }),
      bytesIn: fc.integer({ min: 0, max: 1e6 }),
      bytesOut: fc.integer({ min: 0, max: 1e6 }),
      host: fc.option(fc.constantFrom('a.x.test', 'b.x.test', 'y.test'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(flowArb, { maxLength: 30 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (specs, extra, deferFirefox) => {
        const flows = specs.map((s, i) => f(String(i), owners[s.owner] ?? null, s.bytesIn, s.bytesOut, s.host));
        // Usage summed here independently: app names by owner index (rule tables name these three plainly).
        const names = ['curl', 'Firefox', '(unattributed)', 'wget'];
        const sums = new Map<string, [number, number]>();
        specs.forEach((s) => {
          const name = names[s.owner] ?? '?';
          const cur = sums.get(name) ?? [0, 0];
          sums.set(name, [cur[0] + s.bytesIn, cur[1] + s.bytesOut]);
        });
        const un = sums.get('(unattributed)') ?? [0, 0];
        sums.set('(unattributed)', [un[0] + extra, un[1] + extra]);
        const usage = [...sums].filter(([, [i, o]]) => i + o > 0).map(([app, [i, o]]) => u(app, i, o));
        const split = domainRowsOfFlows(flows, usage, { platform: 'linux', domainOf: lastTwo, defer: (app) => deferFirefox && app === 'Firefox' });
        for (const row of usage) {
          const mine = split.rows.filter((r) => r.app === row.app);
          const d = split.deferredBytes.get(row.app) ?? { bytesIn: 0, bytesOut: 0 };
          const sumIn = mine.reduce((t, r) => t + r.bytesIn, 0) + d.bytesIn;
          const sumOut = mine.reduce((t, r) => t + r.bytesOut, 0) + d.bytesOut;
          if (sumIn !== row.bytesIn || sumOut !== row.bytesOut) return false;
          if (mine.some((r) => r.bytesIn < 0 || r.bytesOut < 0 || (r.bytesIn === 0 && r.bytesOut === 0))) return false;
        }
        return split.rows.every((r) => usage.some((x) => x.app === r.app));
      }),
    );
  });
});
