// One interval's browser bytes → bytes per (app, domain). Pure. The IP join comes first: a flow whose
// server address the browser reported is that host's (shared out by the browser's own counts when
// several hosts used the address): Linux sockets and nettop's connection rows (macOS, per connection)
// alike. The rest is estimated: bytes of a sampler row without an address (nettop's `-P` process rows,
// a process's remainder beyond its listed connections) by what the browser itself fetched per host during the interval;
// bytes to an address nobody reported, and address-less bytes of an interval in which the browser
// reported nothing, by the active tab over the interval; with neither, they are UNATTRIBUTED. Every
// byte of the browser lands in exactly one row, so per-domain shares add up to the browser's total.
import { UNATTRIBUTED } from '../../types.js';
import type { NameWeight } from './ip-map.js';
import { splitWhole } from './split.js';
import type { DomainUsage } from '../types.js';

/** A browser's bytes to one server address (null: the sampler knew no address) in one interval. */
export interface BrowserFlow {
  app: string;
  ip: string | null;
  bytesIn: number;
  bytesOut: number;
}

/** What attribution asks about the interval it attributes. */
export interface DomainContext {
  /** The hosts an address stood for during the interval (empty: unknown). */
  hostsAt(ip: string): readonly NameWeight[];
  /** The active tabs of the app's browser during the interval, weighted by time (empty: none). */
  tabsOf(app: string): readonly NameWeight[];
  /** What the app's browser fetched per host during the interval, weighted by bytes (empty: nothing). */
  fetchedBy?(app: string): readonly NameWeight[];
}

type Sums = Map<string, { bytesIn: number; bytesOut: number }>;

function add(sums: Sums, name: string, bytesIn: number, bytesOut: number): void {
  if (bytesIn === 0 && bytesOut === 0) return;
  const s = sums.get(name) ?? { bytesIn: 0, bytesOut: 0 };
  s.bytesIn += bytesIn;
  s.bytesOut += bytesOut;
  sums.set(name, s);
}

function share(sums: Sums, hosts: readonly NameWeight[], bytesIn: number, bytesOut: number): void {
  const weights = hosts.map((h) => h.weight);
  const ins = splitWhole(bytesIn, weights);
  const outs = splitWhole(bytesOut, weights);
  hosts.forEach((h, i) => add(sums, h.name, ins[i] ?? 0, outs[i] ?? 0));
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The domain rows of one interval (stamped `ts`, `durationS` long), sorted by app, estimate, domain. */
export function attributeDomains(ts: number, durationS: number, flows: readonly BrowserFlow[], ctx: DomainContext): DomainUsage[] {
  const perApp = new Map<string, { joined: Sums; rest: { bytesIn: number; bytesOut: number }; noAddress: { bytesIn: number; bytesOut: number } }>();
  for (const f of flows) {
    if (f.bytesIn === 0 && f.bytesOut === 0) continue;
    let app = perApp.get(f.app);
    if (app === undefined) {
      app = { joined: new Map(), rest: { bytesIn: 0, bytesOut: 0 }, noAddress: { bytesIn: 0, bytesOut: 0 } };
      perApp.set(f.app, app);
    }
    const hosts = f.ip === null ? [] : ctx.hostsAt(f.ip);
    const into = f.ip === null ? app.noAddress : app.rest;
    if (hosts.length > 0) share(app.joined, hosts, f.bytesIn, f.bytesOut);
    else {
      into.bytesIn += f.bytesIn;
      into.bytesOut += f.bytesOut;
    }
  }
  const rows: DomainUsage[] = [];
  for (const appName of [...perApp.keys()].sort(byName)) {
    const entry = perApp.get(appName);
    if (entry === undefined) continue;
    const { joined, rest, noAddress } = entry;
    const guessed: Sums = new Map();
    const unplaced: Sums = new Map();
    if (noAddress.bytesIn > 0 || noAddress.bytesOut > 0) {
      const fetched = ctx.fetchedBy?.(appName) ?? [];
      if (fetched.length > 0) share(guessed, fetched, noAddress.bytesIn, noAddress.bytesOut);
      else {
        rest.bytesIn += noAddress.bytesIn;
        rest.bytesOut += noAddress.bytesOut;
      }
    }
    if (rest.bytesIn > 0 || rest.bytesOut > 0) {
      const tabs = ctx.tabsOf(appName);
      if (tabs.length > 0) share(guessed, tabs, rest.bytesIn, rest.bytesOut);
      else add(unplaced, UNATTRIBUTED, rest.bytesIn, rest.bytesOut);
    }
    const push = (sums: Sums, estimate: boolean): void => {
      for (const name of [...sums.keys()].sort(byName)) {
        const s = sums.get(name);
        if (s !== undefined && (s.bytesIn > 0 || s.bytesOut > 0)) rows.push({ ts, durationS, app: appName, domain: name, estimate, ...s });
      }
    };
    push(joined, false);
    push(unplaced, false);
    push(guessed, true);
  }
  return rows;
}
