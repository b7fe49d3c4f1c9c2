// Each interval's bytes on the network of the interface they crossed. After the migration (migrate.ts)
// every flow that counts is put on one physical interface:
// - a flow on a physical interface: that one (with two uplinks each socket counts on its own);
// - a flow inside a tunnel: the physical interface its provider's own sockets used most in the interval
//   (followed through nested tunnels), the tunnel's underlay;
// - a provider's overhead row: the physical interface of that provider's sockets;
// - a flow whose interface is unknown (or local): the only physical interface that moved bytes, if there
//   is one; else it stays on interface '' (the "unknown network"), and the physical interfaces' remainder
//   is reduced by it, so nothing is counted twice.
// Each interface's part is then attributed like a whole interval (attribute()), its interface bytes as
// the total, so its remainder is that interface's `(unattributed)`; the parts add up to the interval.
// Pure: the stage gives the flows, the interfaces' bytes, and the original flows of the providers.
import type { Platform } from '../attribution/index.js';
import { attribute } from '../attribution/index.js';
import type { FlowDelta, InterfaceTotals, Interval } from '../types.js';
import type { InterfaceBytes, InterfaceKind } from './interfaces.js';
import type { NetworkUsage } from './network-rows.js';

/** One physical interface's share of an interval ('' for flows no interface could be found for). */
export interface InterfacePart {
  iface: string;
  flows: FlowDelta[];
  /** The interface's bytes less its share of the unknown flows; null when unknown ('' or no counters). */
  total: InterfaceTotals | null;
}

export interface SplitInput {
  /** The interval's flows after the migration (providers' sockets replaced by `overhead:PROCESS` flows). */
  flows: readonly FlowDelta[];
  /** The interval's flows before the migration, with their interfaces (for providers' underlays). */
  before: readonly FlowDelta[];
  /** Provider process key (`name.pid`) → tunnels it serves, where known. */
  providers: ReadonlyMap<string, readonly string[] | undefined>;
  interfaces: readonly InterfaceBytes[] | null;
  /** The interval's total, used when the per-interface bytes are unknown. */
  total: InterfaceTotals | null;
  kindOf: (iface: string) => InterfaceKind;
}

const processKey = (f: FlowDelta): string | null => (f.owner === null ? null : `${f.owner.name}.${f.owner.pid}`);
const bytes = (f: { bytesIn: number; bytesOut: number }): number => f.bytesIn + f.bytesOut;

function heaviest(weights: Map<string, number>): string | null {
  let best: string | null = null;
  let max = 0;
  for (const [k, w] of weights) if (w > max || (w === max && best !== null && k < best)) [best, max] = [k, w];
  return best;
}

/** Splits an interval's flows by the physical interface they crossed. */
export function splitByInterface(input: SplitInput): InterfacePart[] {
  const kind = (iface: string | undefined): InterfaceKind | 'unknown' => (iface === undefined || iface === '' ? 'unknown' : input.kindOf(iface));
  // Where each provider's own sockets went: process → iface → bytes.
  const ownIfaces = new Map<string, Map<string, number>>();
  for (const f of input.before) {
    const p = processKey(f);
    if (p === null || !input.providers.has(p) || f.iface === undefined) continue;
    const m = ownIfaces.get(p) ?? new Map<string, number>();
    m.set(f.iface, (m.get(f.iface) ?? 0) + bytes(f));
    ownIfaces.set(p, m);
  }
  const underlayOf = (iface: string, depth: number): string | null => {
    if (kind(iface) === 'physical') return iface;
    if (depth > 4 || kind(iface) !== 'tunnel') return null;
    const weights = new Map<string, number>();
    for (const [p, serves] of input.providers) {
      if (serves !== undefined && !serves.includes(iface)) continue;
      for (const [own, w] of ownIfaces.get(p) ?? []) {
        if (own === iface) continue;
        const next = underlayOf(own, depth + 1);
        if (next !== null) weights.set(next, (weights.get(next) ?? 0) + w);
      }
    }
    return heaviest(weights);
  };
  const providerUnderlay = (process: string): string | null => {
    const weights = new Map<string, number>();
    for (const [own, w] of ownIfaces.get(process) ?? []) {
      const u = underlayOf(own, 1);
      if (u !== null) weights.set(u, (weights.get(u) ?? 0) + w);
    }
    return heaviest(weights);
  };

  if (input.interfaces === null) {
    // No per-interface counters: one part, on the one physical interface the flows name, if they name one.
    const named = new Set(input.flows.flatMap((f) => (f.iface !== undefined && kind(f.iface) === 'physical' ? [f.iface] : [])));
    const iface = named.size === 1 ? ([...named][0] ?? '') : '';
    return [{ iface, flows: [...input.flows], total: input.total === null ? null : { ...input.total } }];
  }
  const physical = input.interfaces.filter((i) => i.kind === 'physical');
  const moving = physical.filter((i) => bytes(i) > 0);
  const only = moving.length === 1 ? (moving[0]?.name ?? null) : physical.length === 1 ? (physical[0]?.name ?? null) : null;

  const parts = new Map<string, InterfacePart>();
  for (const i of physical) parts.set(i.name, { iface: i.name, flows: [], total: { bytesIn: i.bytesIn, bytesOut: i.bytesOut } });
  const partOf = (iface: string): InterfacePart => {
    let part = parts.get(iface);
    if (part === undefined) {
      part = { iface, flows: [], total: null };
      parts.set(iface, part);
    }
    return part;
  };
  for (const f of input.flows) {
    let iface: string | null;
    if (f.id.startsWith('overhead:')) iface = providerUnderlay(f.id.slice('overhead:'.length));
    else iface = f.iface === undefined ? null : underlayOf(f.iface, 0);
    partOf(iface ?? only ?? '').flows.push(f);
  }

  // The unknown flows crossed some physical interface: take them off the remainders, in proportion.
  const unknown = parts.get('');
  if (unknown !== undefined && physical.length > 0) {
    for (const dir of ['bytesIn', 'bytesOut'] as const) {
      const u = unknown.flows.reduce((n, f) => n + f[dir], 0);
      const rest = physical.map((i) => {
        const part = parts.get(i.name);
        return Math.max(0, i[dir] - (part?.flows.reduce((n, f) => n + f[dir], 0) ?? 0));
      });
      const sum = rest.reduce((a, b) => a + b, 0);
      if (u <= 0 || sum <= 0) continue;
      physical.forEach((i, k) => {
        const total = parts.get(i.name)?.total;
        if (total != null) total[dir] -= Math.min(rest[k] ?? 0, Math.round((u * (rest[k] ?? 0)) / sum));
      });
    }
  }
  return [...parts.values()];
}

/** Whether a part moved anything (an idle interface's network need not be known). */
export function partMoved(part: InterfacePart): boolean {
  return part.flows.some((f) => f.bytesIn + f.bytesOut > 0) || (part.total !== null && part.total.bytesIn + part.total.bytesOut > 0);
}

/** The interval's per-network rows: each part attributed on its own, with its own carried surplus. */
export function networkUsage(
  interval: Interval,
  parts: readonly InterfacePart[],
  platform: Platform,
  networkOf: (iface: string) => string,
  carry: Map<string, InterfaceTotals>,
): NetworkUsage[] {
  const rows: NetworkUsage[] = [];
  for (const part of parts) {
    const result = attribute({ ...interval, flows: part.flows, iface: part.total }, platform, carry.get(part.iface));
    // As the monitor does: a surplus that never settles keeps at most what this part moved.
    const moved = result.usage.reduce((a, u) => ({ bytesIn: a.bytesIn + u.bytesIn, bytesOut: a.bytesOut + u.bytesOut }), { bytesIn: 0, bytesOut: 0 });
    if (part.total !== null) carry.set(part.iface, { bytesIn: Math.min(result.carry.bytesIn, moved.bytesIn), bytesOut: Math.min(result.carry.bytesOut, moved.bytesOut) });
    if (result.usage.length === 0) continue;
    const network = networkOf(part.iface);
    for (const u of result.usage) rows.push({ ...u, network, iface: part.iface });
  }
  return rows;
}
