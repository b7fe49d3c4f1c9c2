// `netmon report` and `netmon export` say which figures are estimates, on a real SQLite folder: the
// part of a domain's bytes the active tab placed (a guess) and, once retention cut the raw rows, the
// bytes spread from hourly totals. Fixture in Europe/Berlin, July 2024 (UTC+2); every expected figure
// is summed by hand from the rows below.
process.env.TZ = 'Europe/Berlin';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main.js';
import type { DomainUsage } from '../../src-main/engine/domains/index.js';
import { openStore } from '../../src-main/engine/store/index.js';
import type { AppUsage } from '../../src-main/engine/types.js';
import { tempDataDir } from '../helpers/store.js';

/** Epoch seconds of Berlin wall time on July `day` 2024. */
const jul = (day: number, h: number, min = 0, s = 0): number => Date.UTC(2024, 6, day, h - 2, min, s) / 1000;
const iso = (s: number): string => new Date(s * 1000).toISOString();

const usage = (ts: number, app: string, bytesIn: number, bytesOut: number): AppUsage => ({ ts, durationS: 5, app, bytesIn, bytesOut });
const domain = (ts: number, app: string, name: string, estimate: boolean, bytesIn: number, bytesOut: number): DomainUsage => ({
  ts,
  durationS: 5,
  app,
  domain: name,
  estimate,
  bytesIn,
  bytesOut,
});

// Per app and interval the domain rows add up to the usage row, as the engine keeps them.
const USAGE = [usage(jul(10, 9, 0, 5), 'Chromium', 1000, 100), usage(jul(10, 9, 30), 'Chromium', 600, 60), usage(jul(10, 9, 45), 'curl', 400, 40)];
const DOMAINS = [
  domain(jul(10, 9, 0, 5), 'Chromium', 'a.test', false, 600, 60),
  domain(jul(10, 9, 0, 5), 'Chromium', 'b.test', true, 400, 40),
  domain(jul(10, 9, 30), 'Chromium', 'a.test', false, 600, 60),
  domain(jul(10, 9, 45), 'curl', 'c.test', false, 400, 40),
];

let dataDir: string;
beforeEach(() => {
  dataDir = tempDataDir();
  const store = openStore({ dataDir, clock: { now: () => jul(11, 13) * 1000 } });
  store.append(USAGE);
  store.appendDomains(DOMAINS);
  expect(store.flush().ok).toBe(true);
  store.close();
});

/** Cuts the raw rows as retention a week later does (raw kept 7 days: everything of the 10th goes). */
function ageOut(): void {
  const store = openStore({ dataDir, clock: { now: () => jul(18, 12, 30) * 1000 } });
  expect(store.runMaintenance(jul(18, 12, 30)).done).toBe(true);
  expect(store.db.prepare('SELECT count(*) FROM usage_raw').pluck().get()).toBe(0);
  store.close();
}

async function netmon(args: string[]): Promise<string> {
  const out: string[] = [];
  expect(await main([...args, '--data-dir', dataDir], (t) => out.push(t))).toBe(0);
  return out.join('\n');
}

const HOUR = ['--since', iso(jul(10, 9)), '--until', iso(jul(10, 10))];
const QUARTER = ['--since', iso(jul(10, 9)), '--until', iso(jul(10, 9, 15))];
const NONE = { bytesIn: 0, bytesOut: 0 };

describe('measured figures', () => {
  it('report --json: app rows not approximate; domain rows carry the part the active tab placed', async () => {
    expect(JSON.parse(await netmon(['report', '--json', ...HOUR]))).toEqual({
      since: jul(10, 9),
      until: jul(10, 10),
      approximate: false,
      // Chromium 1000 + 600 in, 100 + 60 out.
      rows: [
        { app: 'Chromium', bytesIn: 1600, bytesOut: 160, approximate: false },
        { app: 'curl', bytesIn: 400, bytesOut: 40, approximate: false },
      ],
      totals: { bytesIn: 2000, bytesOut: 200 },
    });
    expect(JSON.parse(await netmon(['report', '--by', 'domain', '--json', ...HOUR]))).toEqual({
      since: jul(10, 9),
      until: jul(10, 10),
      approximate: false,
      // a 600 + 600; b and c tie at 440 and sort by name.
      rows: [
        { domain: 'a.test', bytesIn: 1200, bytesOut: 120, estimated: NONE, approximate: false },
        { domain: 'b.test', bytesIn: 400, bytesOut: 40, estimated: { bytesIn: 400, bytesOut: 40 }, approximate: false },
        { domain: 'c.test', bytesIn: 400, bytesOut: 40, estimated: NONE, approximate: false },
      ],
      totals: { bytesIn: 2000, bytesOut: 200, estimated: { bytesIn: 400, bytesOut: 40 } },
    });
  });

  it('report tables: only the guessed figures get ~, with the footnote that says why; nothing spread', async () => {
    const apps = await netmon(['report', ...HOUR]);
    expect(apps).not.toContain('~');
    expect(apps).toMatch(/^Chromium\s+1\.60 KB\s+160 B\s+1\.76 KB$/m);
    const domains = (await netmon(['report', '--by', 'domain', ...HOUR])).split('\n');
    expect(domains.find((l) => l.startsWith('a.test'))).toMatch(/^a\.test\s+1\.20 KB\s+120 B\s+1\.32 KB\s+60\.0 %$/);
    // 440 of 2 200 bytes: 20.0 %; all of b.test's bytes were placed by the tab.
    expect(domains.find((l) => l.startsWith('b.test'))).toMatch(/^b\.test\s+~400 B\s+~40 B\s+~440 B\s+20\.0 %\s+440 B$/);
    expect(domains.find((l) => l.startsWith('c.test'))).toMatch(/^c\.test\s+400 B\s+40 B\s+440 B\s+20\.0 %$/);
    expect(domains.find((l) => l.startsWith('TOTAL'))).toMatch(/^TOTAL\s+~2\.00 KB\s+~200 B\s+~2\.20 KB\s+100\.0 %\s+440 B$/);
    expect(domains.at(-1)).toMatch(/^~ estimate: includes bytes placed by the browser's active tab/);
    expect(domains.join('\n')).not.toMatch(/spread evenly/);
  });

  it('export CSV: an approximate column, and for domains the estimated part', async () => {
    expect(await netmon(['export', '--format', 'csv', ...HOUR])).toBe('app,bytesIn,bytesOut,approximate\r\nChromium,1600,160,false\r\ncurl,400,40,false');
    expect(await netmon(['export', '--format', 'csv', '--by', 'domain', ...HOUR])).toBe(
      'domain,bytesIn,bytesOut,estimatedBytesIn,estimatedBytesOut,approximate\r\na.test,1200,120,0,0,false\r\nb.test,400,40,400,40,false\r\nc.test,400,40,0,0,false',
    );
  });
});

describe('after retention cut the raw rows', () => {
  it('a quarter hour is spread from its hour: every figure flagged, marked ~ and footnoted', async () => {
    ageOut();
    // A quarter of hour 9: Chromium 1600/160 → 400/40, curl 400/40 → 100/10.
    expect(JSON.parse(await netmon(['report', '--json', ...QUARTER]))).toEqual({
      since: jul(10, 9),
      until: jul(10, 9, 15),
      approximate: true,
      rows: [
        { app: 'Chromium', bytesIn: 400, bytesOut: 40, approximate: true },
        { app: 'curl', bytesIn: 100, bytesOut: 10, approximate: true },
      ],
      totals: { bytesIn: 500, bytesOut: 50 },
    });
    // a 1200/120 → 300/30; b 400/40 → 100/10, all of it the tab's; c 400/40 → 100/10.
    expect(JSON.parse(await netmon(['report', '--by', 'domain', '--json', ...QUARTER]))).toEqual({
      since: jul(10, 9),
      until: jul(10, 9, 15),
      approximate: true,
      rows: [
        { domain: 'a.test', bytesIn: 300, bytesOut: 30, estimated: NONE, approximate: true },
        { domain: 'b.test', bytesIn: 100, bytesOut: 10, estimated: { bytesIn: 100, bytesOut: 10 }, approximate: true },
        { domain: 'c.test', bytesIn: 100, bytesOut: 10, estimated: NONE, approximate: true },
      ],
      totals: { bytesIn: 500, bytesOut: 50, estimated: { bytesIn: 100, bytesOut: 10 } },
    });
    const apps = (await netmon(['report', ...QUARTER])).split('\n');
    expect(apps.find((l) => l.startsWith('Chromium'))).toMatch(/^Chromium\s+~400 B\s+~40 B\s+~440 B$/);
    expect(apps.find((l) => l.startsWith('TOTAL'))).toMatch(/^TOTAL\s+~500 B\s+~50 B\s+~550 B$/);
    expect(apps.at(-1)).toBe('~ estimate: part of these bytes is spread evenly from hourly or daily totals (the finer rows are past retention)');
    const domains = (await netmon(['report', '--by', 'domain', ...QUARTER])).split('\n');
    expect(domains.find((l) => l.startsWith('c.test'))).toMatch(/^c\.test\s+~100 B\s+~10 B\s+~110 B\s+20\.0 %$/);
    expect(domains.slice(-2).map((l) => l.slice(0, 30))).toEqual(["~ estimate: includes bytes pla", '~ estimate: part of these byte']);
  });

  it('export by hour flags the bucket spread from coarser totals and not the whole hour read from the hourly tier', async () => {
    ageOut();
    // 08:30–09:00 lies before the raw rows that remain: estimated from hour 8 (empty). Hour 9 is whole.
    const csv = await netmon(['export', '--format', 'csv', '--by', 'hour', '--since', iso(jul(10, 8, 30)), '--until', iso(jul(10, 10))]);
    expect(csv).toBe(`ts,bytesIn,bytesOut,approximate\r\n${jul(10, 8)},0,0,true\r\n${jul(10, 9)},2000,200,false`);
    const json = JSON.parse(await netmon(['export', '--format', 'json', '--by', 'hour', '--since', iso(jul(10, 8, 30)), '--until', iso(jul(10, 10))])) as unknown;
    expect(json).toEqual({
      since: jul(10, 8, 30),
      until: jul(10, 10),
      approximate: true,
      rows: [
        { ts: jul(10, 8), bytesIn: 0, bytesOut: 0, approximate: true },
        { ts: jul(10, 9), bytesIn: 2000, bytesOut: 200, approximate: false },
      ],
      totals: { bytesIn: 2000, bytesOut: 200 },
    });
  });
});
