// Which interface a socket's packets leave by: the kernel's policy routing, replayed in JS from a
// snapshot of `ip -j rule show` and `ip -j route show table all` (IPv4 and IPv6), so that every flow is
// resolved synchronously in the interval it shows up. Rules are taken in priority order with their
// selectors (from, to, fwmark/mask, `not`) and actions (lookup TABLE, with suppress_prefixlength, or
// unreachable/blackhole/prohibit); in a table the longest prefix wins, then the lowest metric. A socket's
// fwmark (Mullvad's and wg-quick's bypass marks) picks the rule the kernel would pick.
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';

export interface Route {
  family: 4 | 6;
  table: string;
  /** Network as a bigint with its prefix length; `default` is length 0. */
  net: bigint;
  length: number;
  dev: string | null;
  /** unicast, local, broadcast, unreachable, blackhole, prohibit, throw, multicast … */
  type: string;
  metric: number;
}

export interface Rule {
  family: 4 | 6;
  priority: number;
  not: boolean;
  src: { net: bigint; length: number } | null;
  dst: { net: bigint; length: number } | null;
  fwmark: number | null;
  fwmask: number;
  /** Table to look up, or null for a rule whose action is not a lookup (unreachable, blackhole, …). */
  table: string | null;
  action: string;
  suppressPrefixLength: number | null;
}

export interface RoutingSnapshot {
  rules: Rule[];
  routes: Route[];
}

/** An address as a bigint (IPv4 in 32 bits, IPv6 in 128), or null. IPv4-mapped IPv6 counts as IPv4. */
export function addressBits(address: string): { family: 4 | 6; bits: bigint } | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped?.[1] ?? address;
  const kind = isIP(a);
  if (kind === 4) {
    const parts = a.split('.').map(Number);
    return { family: 4, bits: parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n) };
  }
  if (kind === 6) {
    const [head = '', tail] = a.split('::');
    const words = (s: string): string[] => (s === '' ? [] : s.split(':'));
    let h = words(head);
    let t = tail === undefined ? [] : words(tail);
    const v4 = (list: string[]): string[] => {
      const last = list[list.length - 1];
      if (last === undefined || !last.includes('.')) return list;
      const p = last.split('.').map(Number);
      return [...list.slice(0, -1), (((p[0] ?? 0) << 8) | (p[1] ?? 0)).toString(16), (((p[2] ?? 0) << 8) | (p[3] ?? 0)).toString(16)];
    };
    h = v4(h);
    t = v4(t);
    const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
    const all = [...h, ...fill, ...t];
    if (all.length !== 8) return null;
    return { family: 6, bits: all.reduce((n, w) => (n << 16n) | BigInt(parseInt(w, 16)), 0n) };
  }
  return null;
}

function prefix(text: string, family: 4 | 6): { net: bigint; length: number } | null {
  if (text === 'default' || text === 'all') return { net: 0n, length: 0 };
  const [addr = '', len] = text.split('/');
  const bits = addressBits(addr);
  if (bits === null) return null;
  const max = family === 4 ? 32 : 128;
  const length = len === undefined ? max : Number(len);
  if (!Number.isInteger(length) || length < 0 || length > max) return null;
  return { net: bits.bits, length };
}

function within(bits: bigint, p: { net: bigint; length: number }, family: 4 | 6): boolean {
  const width = family === 4 ? 32 : 128;
  if (p.length === 0) return true;
  const shift = BigInt(width - p.length);
  return bits >> shift === p.net >> shift;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** `ip -j -4|-6 route show table all` → routes (entries that cannot be read are skipped). */
export function parseIpRoutes(json: unknown, family: 4 | 6): Route[] {
  if (!Array.isArray(json)) return [];
  const out: Route[] = [];
  for (const r of json as Json[]) {
    const dst = str(r.dst);
    if (dst === undefined) continue;
    const p = prefix(dst, family);
    if (p === null) continue;
    out.push({ family, table: str(r.table) ?? 'main', net: p.net, length: p.length, dev: str(r.dev) ?? null, type: str(r.type) ?? 'unicast', metric: Number(r.metric ?? 0) || 0 });
  }
  return out;
}

/** `ip -j -4|-6 rule show` → rules. */
export function parseIpRules(json: unknown, family: 4 | 6): Rule[] {
  if (!Array.isArray(json)) return [];
  const out: Rule[] = [];
  for (const r of json as Json[]) {
    const priority = Number(r.priority);
    if (!Number.isInteger(priority)) continue;
    const src = str(r.src);
    const dst = str(r.dst);
    const srclen = str(r.srclen);
    const dstlen = str(r.dstlen);
    const table = str(r.table) ?? null;
    const action = str(r.action) ?? (table === null ? 'unknown' : 'lookup');
    out.push({
      family,
      priority,
      not: 'not' in r,
      src: src === undefined ? null : prefix(srclen === undefined ? src : `${src}/${srclen}`, family),
      dst: dst === undefined ? null : prefix(dstlen === undefined ? dst : `${dst}/${dstlen}`, family),
      fwmark: r.fwmark === undefined ? null : Number(r.fwmark),
      fwmask: r.fwmask === undefined ? 0xffffffff : Number(r.fwmask),
      table,
      action,
      suppressPrefixLength: r.suppress_prefixlen === undefined ? null : Number(r.suppress_prefixlen),
    });
  }
  return out.sort((a, b) => a.priority - b.priority);
}

/**
 * The device the kernel would send to `dst` by, for a socket with fwmark `mark` (0 when none) bound to
 * `src` (optional); null when the route is unknown, unreachable, or local (traffic that stays here).
 */
export function resolveEgress(snapshot: RoutingSnapshot, dst: string, mark = 0, src?: string): string | null {
  const d = addressBits(dst);
  if (d === null) return null;
  const s = src === undefined ? null : addressBits(src);
  for (const rule of snapshot.rules) {
    if (rule.family !== d.family) continue;
    let match = true;
    if (rule.dst !== null && rule.dst.length > 0 && !within(d.bits, rule.dst, d.family)) match = false;
    if (rule.src !== null && rule.src.length > 0 && (s === null || !within(s.bits, rule.src, d.family))) match = false;
    if (rule.fwmark !== null && (mark & rule.fwmask) >>> 0 !== (rule.fwmark & rule.fwmask) >>> 0) match = false;
    if (rule.not) match = !match;
    if (!match) continue;
    if (rule.table === null) {
      if (rule.action === 'goto' || rule.action === 'nop') continue;
      return null; // unreachable, blackhole, prohibit
    }
    let best: Route | null = null;
    for (const route of snapshot.routes) {
      if (route.family !== d.family || route.table !== rule.table || !within(d.bits, route, d.family)) continue;
      if (best === null || route.length > best.length || (route.length === best.length && route.metric < best.metric)) best = route;
    }
    if (best === null) continue;
    if (rule.suppressPrefixLength !== null && best.length <= rule.suppressPrefixLength) continue;
    if (best.type === 'throw') continue;
    if (best.type === 'unicast') return best.dev;
    return best.type === 'local' || best.type === 'broadcast' ? (best.dev === 'lo' ? 'lo' : best.dev) : null;
  }
  return null;
}

/** Reads the routing snapshot with `ip -j` (async), refreshed at most every `maxAgeMs`. */
export class RouteReader {
  #snapshot: RoutingSnapshot | null = null;
  #readAt = -Infinity;
  #reading: Promise<void> | null = null;
  readonly #maxAgeMs: number;
  readonly #ip: string;

  constructor(options: { maxAgeMs?: number; ip?: string } = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 10_000;
    this.#ip = options.ip ?? 'ip';
  }

  /** The last snapshot (null before the first read); starts a refresh in the background when stale. */
  current(nowMs: number = performance.now()): RoutingSnapshot | null {
    if (nowMs - this.#readAt > this.#maxAgeMs && this.#reading === null) void this.refresh(nowMs);
    return this.#snapshot;
  }

  refresh(nowMs: number = performance.now()): Promise<void> {
    this.#reading ??= (async () => {
      try {
        const [r4, r6, t4, t6] = await Promise.all([
          this.#json(['-j', '-4', 'rule', 'show']),
          this.#json(['-j', '-6', 'rule', 'show']),
          this.#json(['-j', '-4', 'route', 'show', 'table', 'all']),
          this.#json(['-j', '-6', 'route', 'show', 'table', 'all']),
        ]);
        this.#snapshot = {
          rules: [...parseIpRules(r4, 4), ...parseIpRules(r6, 6)].sort((a, b) => a.priority - b.priority),
          routes: [...parseIpRoutes(t4, 4), ...parseIpRoutes(t6, 6)],
        };
      } finally {
        this.#readAt = nowMs;
        this.#reading = null;
      }
    })();
    return this.#reading;
  }

  #json(args: string[]): Promise<unknown> {
    return new Promise((resolve) => {
      execFile(this.#ip, args, { timeout: 5000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout) => {
        if (error !== null) return resolve(null);
        try {
          resolve(JSON.parse(stdout === '' ? 'null' : stdout) as unknown);
        } catch {
          resolve(null);
        }
      });
    });
  }
}
