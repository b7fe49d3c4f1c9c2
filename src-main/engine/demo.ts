// Synthetic history for `netmon demo`: about forty applications with a daily and weekly rhythm and a
// few heavy days, so the dashboard and the benchmarks have a realistic year to show, and the domains
// their traffic went to (browsers' spread over a dozen sites, part of it placed by the active tab, a
// few other apps' as the eBPF capture names them, and an unnamed remainder). Deterministic: the same
// seed and end time give the same history.
import type { DomainUsage } from './domains/types.js';
import type { LedgerDelta, NetworkInfo, NetworkUsage } from './network/network-rows.js';
import type { AppUsage, ProcessSeen } from './types.js';
import { UNATTRIBUTED } from './types.js';
import { seededRandom } from './random.js';
import { localDayStart } from './store/time.js';

interface DemoApp {
  app: string;
  /** Typical bytes per active day, downloaded. */
  dailyIn: number;
  /** Upload as a share of download. */
  upShare: number;
  /** Share of days the app is used at all. */
  usedDays: number;
  /** When it is busy: work hours, evenings, or around the clock. */
  rhythm: 'work' | 'evening' | 'always';
  /** Process names seen behind it (helpers fold into the app). */
  processes: string[];
  path: string;
}

const GB = 1e9;
const MB = 1e6;

const APPS: DemoApp[] = [
  { app: 'Google Chrome', dailyIn: 3.2 * GB, upShare: 0.08, usedDays: 0.95, rhythm: 'work', processes: ['Google Chrome', 'Google Chrome Helper', 'Google Chrome Helper (Renderer)', 'Google Chrome Helper (GPU)'], path: '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome' },
  { app: 'Safari', dailyIn: 0.6 * GB, upShare: 0.05, usedDays: 0.6, rhythm: 'evening', processes: ['Safari', 'com.apple.WebKit.Networking', 'com.apple.WebKit.WebContent'], path: '/Applications/Safari.app/Contents/MacOS/Safari' },
  { app: 'Firefox', dailyIn: 0.9 * GB, upShare: 0.06, usedDays: 0.7, rhythm: 'evening', processes: ['firefox', 'Web Content', 'Isolated Web Content', 'Socket Process'], path: '/Applications/Firefox.app/Contents/MacOS/firefox' },
  { app: 'Zen', dailyIn: 0.8 * GB, upShare: 0.06, usedDays: 0.5, rhythm: 'evening', processes: ['zen', 'Web Content', 'Isolated Web Content'], path: '/Applications/Zen.app/Contents/MacOS/zen' },
  { app: 'Microsoft Edge', dailyIn: 0.15 * GB, upShare: 0.07, usedDays: 0.2, rhythm: 'work', processes: ['Microsoft Edge', 'Microsoft Edge Helper (Renderer)'], path: '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge' },
  { app: 'Spotify', dailyIn: 0.25 * GB, upShare: 0.02, usedDays: 0.8, rhythm: 'work', processes: ['Spotify', 'Spotify Helper'], path: '/Applications/Spotify.app/Contents/MacOS/Spotify' },
  { app: 'Slack', dailyIn: 0.12 * GB, upShare: 0.2, usedDays: 0.72, rhythm: 'work', processes: ['Slack', 'Slack Helper', 'Slack Helper (Renderer)'], path: '/Applications/Slack.app/Contents/MacOS/Slack' },
  { app: 'zoom.us', dailyIn: 0.9 * GB, upShare: 0.7, usedDays: 0.45, rhythm: 'work', processes: ['zoom.us', 'CptHost'], path: '/Applications/zoom.us.app/Contents/MacOS/zoom.us' },
  { app: 'Microsoft Teams', dailyIn: 0.5 * GB, upShare: 0.6, usedDays: 0.3, rhythm: 'work', processes: ['MSTeams', 'Microsoft Teams WebView Helper'], path: '/Applications/Microsoft Teams.app/Contents/MacOS/MSTeams' },
  { app: 'Discord', dailyIn: 0.2 * GB, upShare: 0.25, usedDays: 0.5, rhythm: 'evening', processes: ['Discord', 'Discord Helper'], path: '/Applications/Discord.app/Contents/MacOS/Discord' },
  { app: 'Mail', dailyIn: 0.05 * GB, upShare: 0.3, usedDays: 0.95, rhythm: 'always', processes: ['Mail', 'com.apple.MailServiceAgent'], path: '/System/Applications/Mail.app/Contents/MacOS/Mail' },
  { app: 'Messages', dailyIn: 0.03 * GB, upShare: 0.4, usedDays: 0.9, rhythm: 'always', processes: ['Messages', 'imagent'], path: '/System/Applications/Messages.app/Contents/MacOS/Messages' },
  { app: 'Telegram', dailyIn: 0.04 * GB, upShare: 0.2, usedDays: 0.6, rhythm: 'evening', processes: ['Telegram'], path: '/Applications/Telegram.app/Contents/MacOS/Telegram' },
  { app: 'WhatsApp', dailyIn: 0.03 * GB, upShare: 0.3, usedDays: 0.7, rhythm: 'always', processes: ['WhatsApp'], path: '/Applications/WhatsApp.app/Contents/MacOS/WhatsApp' },
  { app: 'Dropbox', dailyIn: 0.3 * GB, upShare: 0.8, usedDays: 0.5, rhythm: 'work', processes: ['Dropbox', 'Dropbox Web Helper'], path: '/Applications/Dropbox.app/Contents/MacOS/Dropbox' },
  { app: 'iCloud Drive', dailyIn: 0.2 * GB, upShare: 0.9, usedDays: 0.85, rhythm: 'always', processes: ['bird', 'cloudd', 'nsurlsessiond'], path: '/System/Library/PrivateFrameworks/CloudDocsDaemon.framework/Versions/A/Support/bird' },
  { app: 'Photos', dailyIn: 0.1 * GB, upShare: 1.5, usedDays: 0.3, rhythm: 'evening', processes: ['Photos', 'photoanalysisd', 'cloudphotod'], path: '/System/Applications/Photos.app/Contents/MacOS/Photos' },
  { app: 'Backblaze', dailyIn: 0.01 * GB, upShare: 60, usedDays: 0.9, rhythm: 'always', processes: ['bzserv', 'bztransmit'], path: '/Library/Backblaze.bzpkg/bztransmit' },
  { app: 'Time Machine', dailyIn: 0.005 * GB, upShare: 100, usedDays: 0.6, rhythm: 'always', processes: ['backupd'], path: '/System/Library/CoreServices/backupd.bundle/Contents/Resources/backupd' },
  { app: 'Software Update', dailyIn: 0.05 * GB, upShare: 0.01, usedDays: 0.3, rhythm: 'always', processes: ['softwareupdated', 'mobileassetd'], path: '/System/Library/PrivateFrameworks/SoftwareUpdate.framework/Resources/softwareupdated' },
  { app: 'App Store', dailyIn: 0.1 * GB, upShare: 0.01, usedDays: 0.2, rhythm: 'evening', processes: ['App Store', 'appstoreagent'], path: '/System/Applications/App Store.app/Contents/MacOS/App Store' },
  { app: 'Steam', dailyIn: 0.8 * GB, upShare: 0.02, usedDays: 0.25, rhythm: 'evening', processes: ['steam_osx', 'steamwebhelper'], path: '/Applications/Steam.app/Contents/MacOS/steam_osx' },
  { app: 'Docker', dailyIn: 0.6 * GB, upShare: 0.1, usedDays: 0.4, rhythm: 'work', processes: ['com.docker.backend', 'com.docker.vpnkit'], path: '/Applications/Docker.app/Contents/MacOS/com.docker.backend' },
  { app: 'Visual Studio Code', dailyIn: 0.06 * GB, upShare: 0.15, usedDays: 0.7, rhythm: 'work', processes: ['Code Helper', 'Code Helper (Plugin)', 'Electron'], path: '/Applications/Visual Studio Code.app/Contents/MacOS/Electron' },
  { app: 'git', dailyIn: 0.08 * GB, upShare: 0.1, usedDays: 0.65, rhythm: 'work', processes: ['git-remote-https', 'ssh'], path: '/usr/bin/git' },
  { app: 'Homebrew', dailyIn: 0.15 * GB, upShare: 0.01, usedDays: 0.25, rhythm: 'work', processes: ['curl', 'brew'], path: '/opt/homebrew/bin/brew' },
  { app: 'npm', dailyIn: 0.1 * GB, upShare: 0.02, usedDays: 0.5, rhythm: 'work', processes: ['node'], path: '/opt/homebrew/bin/node' },
  { app: 'Python', dailyIn: 0.03 * GB, upShare: 0.05, usedDays: 0.3, rhythm: 'work', processes: ['python3', 'pip'], path: '/usr/bin/python3' },
  { app: 'ssh', dailyIn: 0.01 * GB, upShare: 0.5, usedDays: 0.6, rhythm: 'work', processes: ['ssh'], path: '/usr/bin/ssh' },
  { app: 'Tailscale', dailyIn: 0.02 * GB, upShare: 0.6, usedDays: 0.95, rhythm: 'always', processes: ['IPNExtension', 'tailscaled'], path: '/Applications/Tailscale.app/Contents/MacOS/Tailscale' },
  { app: 'Netflix', dailyIn: 1.8 * GB, upShare: 0.01, usedDays: 0.35, rhythm: 'evening', processes: ['Netflix'], path: '/Applications/Netflix.app/Contents/MacOS/Netflix' },
  { app: 'Music', dailyIn: 0.1 * GB, upShare: 0.01, usedDays: 0.3, rhythm: 'evening', processes: ['Music', 'AMPLibraryAgent'], path: '/System/Applications/Music.app/Contents/MacOS/Music' },
  { app: 'Podcasts', dailyIn: 0.08 * GB, upShare: 0.01, usedDays: 0.4, rhythm: 'always', processes: ['Podcasts', 'podcastsd'], path: '/System/Applications/Podcasts.app/Contents/MacOS/Podcasts' },
  { app: 'News', dailyIn: 0.02 * GB, upShare: 0.02, usedDays: 0.5, rhythm: 'always', processes: ['News', 'newsd'], path: '/System/Applications/News.app/Contents/MacOS/News' },
  { app: 'Notion', dailyIn: 0.04 * GB, upShare: 0.2, usedDays: 0.6, rhythm: 'work', processes: ['Notion', 'Notion Helper (Renderer)'], path: '/Applications/Notion.app/Contents/MacOS/Notion' },
  { app: 'Figma', dailyIn: 0.07 * GB, upShare: 0.1, usedDays: 0.3, rhythm: 'work', processes: ['Figma', 'Figma Helper (Renderer)'], path: '/Applications/Figma.app/Contents/MacOS/Figma' },
  { app: '1Password', dailyIn: 0.003 * GB, upShare: 0.3, usedDays: 0.95, rhythm: 'always', processes: ['1Password', '1Password-BrowserSupport'], path: '/Applications/1Password.app/Contents/MacOS/1Password' },
  { app: 'mDNSResponder', dailyIn: 0.004 * GB, upShare: 0.8, usedDays: 1, rhythm: 'always', processes: ['mDNSResponder'], path: '/usr/sbin/mDNSResponder' },
  { app: 'apsd', dailyIn: 0.002 * GB, upShare: 1.2, usedDays: 1, rhythm: 'always', processes: ['apsd'], path: '/System/Library/PrivateFrameworks/ApplePushService.framework/apsd' },
  { app: 'trustd', dailyIn: 0.001 * GB, upShare: 0.2, usedDays: 1, rhythm: 'always', processes: ['trustd'], path: '/usr/libexec/trustd' },
  { app: 'ControlCenter', dailyIn: 0.0005 * GB, upShare: 0.5, usedDays: 1, rhythm: 'always', processes: ['ControlCenter'], path: '/System/Library/CoreServices/ControlCenter.app/Contents/MacOS/ControlCenter' },
];

/** Heavy days: the kind of day that makes a user ask where 400 GB went. */
const HEAVY: { app: string; bytesIn: number; bytesOut: number }[] = [
  { app: 'Steam', bytesIn: 110 * GB, bytesOut: 0.3 * GB },
  { app: 'Software Update', bytesIn: 14 * GB, bytesOut: 0.05 * GB },
  { app: 'Docker', bytesIn: 22 * GB, bytesOut: 1 * GB },
  { app: 'Backblaze', bytesIn: 0.2 * GB, bytesOut: 180 * GB },
  { app: 'Photos', bytesIn: 2 * GB, bytesOut: 45 * GB },
];


/** Where an app's traffic goes: registrable domains with their typical share (relative weights). */
interface DomainProfile {
  sites: readonly (readonly [domain: string, weight: number])[];
  /** Domains one row goes to: a minute of browsing touches a few sites, an hour many. */
  perFineRow: number;
  perHourRow: number;
  /** Share of a row's bytes nobody could name (no SNI, no DNS answer, no report): [least, most]. */
  unnamed: readonly [number, number];
  /** Browsers only: chance that a row has bytes placed by the active tab (an estimate), and their share. */
  tab?: { chance: number; share: readonly [number, number] };
}

const BROWSER_SITES = [
  ['youtube.com', 26],
  ['googlevideo.com', 14],
  ['netflix.com', 12],
  ['twitch.tv', 6],
  ['reddit.com', 6],
  ['github.com', 5],
  ['google.com', 5],
  ['bbc.co.uk', 4],
  ['amazon.com', 4],
  ['cloudfront.net', 4],
  ['wikipedia.org', 3],
  ['stackoverflow.com', 3],
  ['nytimes.com', 2],
  ['gstatic.com', 2],
] as const;

const BROWSER: DomainProfile = { sites: BROWSER_SITES, perFineRow: 3, perHourRow: 9, unnamed: [0.01, 0.05], tab: { chance: 0.4, share: [0.05, 0.25] } };

function namedBy(sites: DomainProfile['sites']): DomainProfile {
  return { sites, perFineRow: 2, perHourRow: sites.length, unnamed: [0.003, 0.03] };
}

/** Apps with domain rows: every browser, and a few others as the privileged capture names their flows. */
const DOMAIN_PROFILES: ReadonlyMap<string, DomainProfile> = new Map([
  ['Google Chrome', BROWSER],
  ['Safari', BROWSER],
  ['Firefox', BROWSER],
  ['Zen', BROWSER],
  ['Microsoft Edge', BROWSER],
  ['Spotify', namedBy([['scdn.co', 6], ['spotify.com', 3], ['spotifycdn.com', 1]])],
  ['Slack', namedBy([['slack.com', 1], ['slack-edge.com', 1]])],
  ['zoom.us', namedBy([['zoom.us', 1]])],
  ['Discord', namedBy([['discord.media', 3], ['discord.com', 2]])],
  ['Dropbox', namedBy([['dropboxapi.com', 3], ['dropbox.com', 2]])],
  ['Steam', namedBy([['steamcontent.com', 9], ['steampowered.com', 1]])],
  ['Docker', namedBy([['docker.io', 7], ['docker.com', 3]])],
  ['git', namedBy([['github.com', 1]])],
  ['npm', namedBy([['npmjs.org', 1]])],
  ['Netflix', namedBy([['nflxvideo.net', 8], ['netflix.com', 2]])],
]);

const between = (random: () => number, [lo, hi]: readonly [number, number]): number => lo + random() * (hi - lo);

/**
 * Splits whole bytes by weights so that the parts add up exactly: each part is the rounded running
 * total minus the one before (never negative, since the running total only grows).
 */
export function splitBytes(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  if (sum <= 0) return weights.map((_, i) => (i === weights.length - 1 ? total : 0));
  let acc = 0;
  let before = 0;
  return weights.map((w, i) => {
    acc += w;
    const upTo = i === weights.length - 1 ? total : Math.round((total * acc) / sum);
    const part = upTo - before;
    before = upTo;
    return part;
  });
}

/** Picks `count` different sites, each with a chance in proportion to its weight. */
function pickSites(random: () => number, sites: DomainProfile['sites'], count: number): { domain: string; weight: number }[] {
  const left = sites.map(([domain, weight]) => ({ domain, weight }));
  const picked: { domain: string; weight: number }[] = [];
  while (picked.length < count && left.length > 0) {
    let x = random() * left.reduce((a, s) => a + s.weight, 0);
    let i = 0;
    while (i < left.length - 1 && x >= (left[i]?.weight ?? 0)) {
      x -= left[i]?.weight ?? 0;
      i += 1;
    }
    picked.push(...left.splice(i, 1));
  }
  return picked;
}

/**
 * The domain rows of one usage row: its bytes spread over a few sites (jittered weights), part placed
 * by the active tab (`estimate`) for browsers, and the unnamed rest under UNATTRIBUTED. Per row the
 * parts add up exactly to the usage row, as the engine keeps them.
 */
function domainRows(row: AppUsage, profile: DomainProfile, fine: boolean, random: () => number): DomainUsage[] {
  const sites = pickSites(random, profile.sites, fine ? profile.perFineRow : profile.perHourRow);
  const parts: { domain: string; estimate: boolean; weight: number }[] = [];
  const unnamed = between(random, profile.unnamed);
  const tab = profile.tab !== undefined && random() < profile.tab.chance ? between(random, profile.tab.share) : 0;
  const namedShare = 1 - unnamed - tab;
  const siteSum = sites.reduce((a, s) => a + s.weight, 0);
  for (const site of sites) parts.push({ domain: site.domain, estimate: false, weight: (namedShare * site.weight * (0.5 + random())) / siteSum });
  // The tab's guess goes to the site most likely in front: the first picked.
  if (tab > 0 && sites[0] !== undefined) parts.push({ domain: sites[0].domain, estimate: true, weight: tab });
  parts.push({ domain: UNATTRIBUTED, estimate: false, weight: unnamed });
  const weights = parts.map((p) => p.weight);
  const bytesIn = splitBytes(row.bytesIn, weights);
  const bytesOut = splitBytes(row.bytesOut, weights);
  const out: DomainUsage[] = [];
  parts.forEach((p, i) => {
    const rowIn = bytesIn[i] ?? 0;
    const rowOut = bytesOut[i] ?? 0;
    if (rowIn > 0 || rowOut > 0) out.push({ ts: row.ts, durationS: row.durationS, app: row.app, domain: p.domain, estimate: p.estimate, bytesIn: rowIn, bytesOut: rowOut });
  });
  return out;
}

/** Relative activity of an hour of the local day for a rhythm (sums to about 1 over a day). */
function hourWeight(rhythm: DemoApp['rhythm'], hour: number, weekend: boolean): number {
  const work = hour >= 9 && hour < 18 ? 1 : hour >= 7 && hour < 22 ? 0.25 : 0.02;
  const evening = hour >= 18 && hour < 24 ? 1 : hour >= 12 && hour < 18 ? 0.35 : hour < 1 ? 0.4 : 0.03;
  switch (rhythm) {
    case 'work':
      return (weekend ? 0.35 : 1) * work / 5.6;
    case 'evening':
      return (weekend ? 1.6 : 1) * evening / 5.0;
    case 'always':
      return (0.5 + 0.5 * work) / 17;
  }
}

export interface DemoOptions {
  days: number;
  /** End of the history (epoch seconds); usually now. */
  endSeconds: number;
  seed?: number;
  /** Rows finer than an hour for the most recent stretch (seconds of history), as a live monitor writes them. */
  fineSeconds?: number;
  /** Length of each fine row (seconds). */
  fineStepSeconds?: number;
  /** A known anomaly to plant (`netmon demo --anomaly`); the random heavy days then stay out of its last 15 days. */
  anomaly?: DemoAnomaly;
}

/** An app sending `bytesOut` to one site over a few night hours of one day: a figure tests can look for. */
export interface DemoAnomaly {
  app: string;
  domain: string;
  bytesOut: number;
  /** The local day this many days before the end. */
  daysAgo: number;
  /** Local hours [from, to) the bytes are spread over. */
  hours: readonly [number, number];
}

/** What `netmon demo --anomaly` plants: Photos uploads 30 GB to icloud-content.com, 02:00–05:00, three days ago. */
export const DEMO_ANOMALY: Readonly<DemoAnomaly> = Object.freeze({ app: 'Photos', domain: 'icloud-content.com', bytesOut: 30e9, daysAgo: 3, hours: [2, 5] as const });

export interface DemoBatch {
  usage: AppUsage[];
  processes: ProcessSeen[];
  /** Per app and interval, these add up exactly to the app's usage row (apps without a profile have none). */
  domains: DomainUsage[];
  /** Every usage row again, on the network it crossed (DEMO_NETWORKS): the per-network tiers add up to the usage tiers. */
  networks: NetworkUsage[];
  /** Each hour's ledger sums; in the last 24 hours, the DEMO_FLAGGED_HOUR has sockets over 1.2 × the physical interfaces. */
  ledger: LedgerDelta[];
}

/** The demo's two uplinks: home Wi-Fi, and a phone's hotspot at lunchtime (metered, by its subnet). */
export const DEMO_NETWORKS: readonly Omit<NetworkInfo, 'lastSeen'>[] = [
  { key: 'wifi:a4:2b:b0:11:a1:b2', label: 'Wi-Fi · a1b2', kind: 'wifi', metered: false, reason: 'no sign of a metered link' },
  { key: 'hotspot:d2:11:07:5e:6f:01', label: 'Hotspot · 6f01', kind: 'hotspot', metered: true, reason: 'the address is in 172.20.10.0/28' },
];
/** Local hours [from, to) the demo spends on the hotspot, every day. */
export const DEMO_HOTSPOT_HOURS: readonly [number, number] = [12, 14];
/** The local hour whose ledger the demo flags in its last 24 hours (a content filter hiding the interface's input). */
export const DEMO_FLAGGED_HOUR = 15;
/** The demo's tunnel overhead row: the VPN's own bytes, a share of what Tailscale carried. */
export const DEMO_OVERHEAD = { app: 'VPN overhead (Tailscale)', of: 'Tailscale', share: 0.08 } as const;

/** The network rows and the ledger of one hour's usage rows (all stored on the same network). */
function hourNetworks(rows: readonly AppUsage[], hourStart: number, hour: number, flagged: boolean): { networks: NetworkUsage[]; ledger: LedgerDelta } {
  const network = hour >= DEMO_HOTSPOT_HOURS[0] && hour < DEMO_HOTSPOT_HOURS[1] ? DEMO_NETWORKS[1] : DEMO_NETWORKS[0];
  const sum = (pick: (r: AppUsage) => boolean): { bytesIn: number; bytesOut: number } =>
    rows.filter(pick).reduce((t, r) => ({ bytesIn: t.bytesIn + r.bytesIn, bytesOut: t.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
  const attributed = sum((r) => r.app !== UNATTRIBUTED && r.app !== DEMO_OVERHEAD.app);
  const overhead = sum((r) => r.app === DEMO_OVERHEAD.app);
  const all = sum(() => true);
  // The flagged hour: the interface counted half of what the sockets did.
  const physical = flagged ? { bytesIn: Math.round((attributed.bytesIn + overhead.bytesIn) / 2), bytesOut: Math.round((attributed.bytesOut + overhead.bytesOut) / 2) } : all;
  return {
    networks: rows.map((r) => ({ ...r, network: network?.key ?? 'unknown', iface: 'en0' })),
    ledger: { hourStart, physical, attributed, overhead, excluded: { bytesIn: 0, bytesOut: 0 }, unknownIntervals: 0 },
  };
}

/**
 * Generates the history oldest first, one local day per batch: hourly rows for old days, rows of
 * `fineStepSeconds` for the last `fineSeconds`, with their domain rows. An unattributed share (about 3 %) is included, as
 * the interface counters would show it.
 */
export function* generateDemo(options: DemoOptions): Generator<DemoBatch> {
  const random = seededRandom(options.seed ?? 42);
  // A stream of its own, so that the usage figures stay those of a seed before domains were added.
  const domainRandom = seededRandom(((options.seed ?? 42) ^ 0x5eed) >>> 0);
  const fineSeconds = options.fineSeconds ?? 7 * 86_400;
  const fineStep = options.fineStepSeconds ?? 60;
  const end = Math.floor(options.endSeconds / 3600) * 3600;
  const start = end - options.days * 86_400;
  const heavyDays = new Map<number, (typeof HEAVY)[number]>();
  for (const heavy of HEAVY) {
    const index = Math.floor(random() * options.days);
    // With a planted anomaly, nothing else unusual happens in the two weeks it is compared with.
    if (options.anomaly === undefined || index < options.days - 15) heavyDays.set(index, heavy);
  }
  const planted = options.anomaly;
  const plantedDay = planted === undefined ? null : localDayStart(end - planted.daysAgo * 86_400);

  let dayIndex = -1;
  let batch: DemoBatch = { usage: [], processes: [], domains: [], networks: [], ledger: [] };
  let used = new Set<string>();
  for (let hourStart = start; hourStart < end; hourStart += 3600) {
    const date = new Date(hourStart * 1000);
    const index = Math.floor((hourStart - start) / 86_400);
    if (index !== dayIndex) {
      if (batch.usage.length > 0) yield batch;
      batch = { usage: [], processes: [], domains: [], networks: [], ledger: [] };
      dayIndex = index;
      used = new Set(APPS.filter((app) => random() < app.usedDays).map((app) => app.app));
      for (const app of APPS) {
        if (!used.has(app.app)) continue;
        const name = app.processes[Math.floor(random() * app.processes.length)] ?? app.app;
        batch.processes.push({ app: app.app, name, pid: 300 + Math.floor(random() * 90_000), path: app.path, ts: hourStart + 3600 });
      }
    }
    const weekend = date.getDay() === 0 || date.getDay() === 6;
    const hour = date.getHours();
    const heavy = heavyDays.get(index);
    const steps = hourStart >= end - fineSeconds ? Math.max(1, Math.floor(3600 / fineStep)) : 1;
    const step = 3600 / steps;
    let hourIn = 0;
    let hourOut = 0;
    const firstRow = batch.usage.length;
    for (const app of APPS) {
      if (!used.has(app.app)) continue;
      const profile = DOMAIN_PROFILES.get(app.app);
      const jitter = 0.4 + random() * 1.2;
      let bytesIn = app.dailyIn * hourWeight(app.rhythm, hour, weekend) * jitter;
      let bytesOut = bytesIn * app.upShare * (0.7 + random() * 0.6);
      if (heavy !== undefined && heavy.app === app.app && hour >= 10 && hour < 16) {
        bytesIn += heavy.bytesIn / 6;
        bytesOut += heavy.bytesOut / 6;
      }
      for (let s = 0; s < steps; s += 1) {
        const share = steps === 1 ? 1 : (0.2 + random() * 1.6) / steps;
        const rowIn = Math.round(bytesIn * share);
        const rowOut = Math.round(bytesOut * share);
        if (rowIn === 0 && rowOut === 0) continue;
        hourIn += rowIn;
        hourOut += rowOut;
        const row = { ts: Math.round(hourStart + (s + 1) * step), durationS: Math.round(step), app: app.app, bytesIn: rowIn, bytesOut: rowOut };
        batch.usage.push(row);
        if (profile !== undefined) batch.domains.push(...domainRows(row, profile, steps > 1, domainRandom));
      }
    }
    if (planted !== undefined && localDayStart(hourStart) === plantedDay && hour >= planted.hours[0] && hour < planted.hours[1]) {
      // A row of its own (its own second), so its domain row adds up to it exactly.
      const bytesOut = Math.round(planted.bytesOut / (planted.hours[1] - planted.hours[0]));
      const row = { ts: hourStart + 3599, durationS: 3600, app: planted.app, bytesIn: 0, bytesOut };
      batch.usage.push(row);
      batch.domains.push({ ts: row.ts, durationS: row.durationS, app: row.app, domain: planted.domain, estimate: false, bytesIn: 0, bytesOut });
    }
    const unIn = Math.round(hourIn * 0.03 + random() * 2 * MB);
    const unOut = Math.round(hourOut * 0.03 + random() * 1 * MB);
    batch.usage.push({ ts: hourStart + 3600, durationS: 3600, app: UNATTRIBUTED, bytesIn: unIn, bytesOut: unOut });
    // The VPN's own bytes (no random draw: the other figures stay those of the seed).
    const tunnelled = batch.usage.slice(firstRow).filter((r) => r.app === DEMO_OVERHEAD.of);
    const overIn = Math.round(tunnelled.reduce((a, r) => a + r.bytesIn, 0) * DEMO_OVERHEAD.share);
    const overOut = Math.round(tunnelled.reduce((a, r) => a + r.bytesOut, 0) * DEMO_OVERHEAD.share);
    if (overIn + overOut > 0) batch.usage.push({ ts: hourStart + 3600, durationS: 3600, app: DEMO_OVERHEAD.app, bytesIn: overIn, bytesOut: overOut });
    const perNetwork = hourNetworks(batch.usage.slice(firstRow), hourStart, hour, hour === DEMO_FLAGGED_HOUR && hourStart >= end - 86_400);
    batch.networks.push(...perNetwork.networks);
    batch.ledger.push(perNetwork.ledger);
  }
  if (batch.usage.length > 0) yield batch;
}

/** The demo's applications that get domain rows. */
export const DEMO_DOMAIN_APPS: readonly string[] = [...DOMAIN_PROFILES.keys()];

/** The demo's application names, for tests and the dashboard's empty states. */
export const DEMO_APPS: readonly string[] = APPS.map((app) => app.app);
