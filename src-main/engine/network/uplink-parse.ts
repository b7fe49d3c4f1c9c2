// Parsers of what the OS tells about uplinks without special permission: the default gateways and
// their MAC addresses (Linux `ip -j route|neigh|addr`, macOS `route -n get default` and `arp -n`),
// NetworkManager's devices (`nmcli -t device show`: connection UUID and Metered flag), and macOS's
// hardware ports (`networksetup -listallhardwareports`: which device is Wi-Fi, which an iPhone tether).
// Pure: text or JSON in, plain records out; anything malformed is skipped, never thrown.

/** A default route: the gateway a physical interface reaches the network through. */
export interface DefaultGateway {
  iface: string;
  gateway: string | null;
  metric: number;
}

/** NetworkManager's view of one device. */
export interface NmDevice {
  device: string;
  type: string | null;
  driver: string | null;
  connection: string | null;
  uuid: string | null;
  /** NM's Metered flag: `yes`/`no` (set by the user or the connection), `guess-yes`/`guess-no`, or `unknown`. */
  metered: 'yes' | 'no' | 'guess-yes' | 'guess-no' | 'unknown';
}

/** A MAC address as six lower-case, two-digit octets (macOS `arp` drops leading zeros), or null. */
export function normalizeMac(text: string | null | undefined): string | null {
  if (typeof text !== 'string') return null;
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-f]{1,2}$/i.test(p))) return null;
  const mac = parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':');
  return mac === '00:00:00:00:00:00' || mac === 'ff:ff:ff:ff:ff:ff' ? null : mac;
}

const record = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Default routes from `ip -j route show` (the main table), lowest metric first. */
export function parseIpDefaultRoutes(json: unknown): DefaultGateway[] {
  if (!Array.isArray(json)) return [];
  const out: DefaultGateway[] = [];
  for (const item of json) {
    const r = record(item);
    if (r === null || r.dst !== 'default') continue;
    const iface = str(r.dev);
    if (iface === null) continue;
    out.push({ iface, gateway: str(r.gateway), metric: typeof r.metric === 'number' ? r.metric : 0 });
  }
  return out.sort((a, b) => a.metric - b.metric);
}

/** `ip -j neigh show`: (interface, address) → MAC, for entries that have one (not FAILED/INCOMPLETE). */
export function parseIpNeigh(json: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(json)) return out;
  for (const item of json) {
    const r = record(item);
    const dst = str(r?.dst);
    const dev = str(r?.dev);
    const mac = normalizeMac(str(r?.lladdr));
    if (dst === null || dev === null || mac === null) continue;
    out.set(`${dev}|${dst}`, mac);
  }
  return out;
}

/** `ip -j -4 addr show`: interface → its IPv4 addresses with prefix length. */
export function parseIpAddr(json: unknown): Map<string, { address: string; prefix: number }[]> {
  const out = new Map<string, { address: string; prefix: number }[]>();
  if (!Array.isArray(json)) return out;
  for (const item of json) {
    const r = record(item);
    const name = str(r?.ifname);
    if (name === null || !Array.isArray(r?.addr_info)) continue;
    const list: { address: string; prefix: number }[] = [];
    for (const a of r.addr_info as unknown[]) {
      const ai = record(a);
      const local = str(ai?.local);
      if (local === null || ai?.family !== 'inet' || typeof ai.prefixlen !== 'number') continue;
      list.push({ address: local, prefix: ai.prefixlen });
    }
    out.set(name, list);
  }
  return out;
}

function nmMetered(value: string | undefined): NmDevice['metered'] {
  const v = (value ?? '').trim().toLowerCase();
  const guessed = v.includes('guess');
  if (v.startsWith('yes')) return guessed ? 'guess-yes' : 'yes';
  if (v.startsWith('no')) return guessed ? 'guess-no' : 'no';
  return 'unknown';
}

/** `nmcli -t -f GENERAL.DEVICE,…,GENERAL.METERED device show`: one record per device. */
export function parseNmcliDevices(text: string): NmDevice[] {
  const out: NmDevice[] = [];
  let fields = new Map<string, string>();
  const flush = (): void => {
    const device = fields.get('GENERAL.DEVICE');
    if (device !== undefined && device !== '') {
      const opt = (k: string): string | null => {
        const v = fields.get(k);
        return v === undefined || v === '' || v === '--' ? null : v;
      };
      out.push({ device, type: opt('GENERAL.TYPE'), driver: opt('GENERAL.DRIVER'), connection: opt('GENERAL.CONNECTION'), uuid: opt('GENERAL.CON-UUID'), metered: nmMetered(fields.get('GENERAL.METERED')) });
    }
    fields = new Map();
  };
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') {
      flush();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    if (key === 'GENERAL.DEVICE' && fields.has('GENERAL.DEVICE')) flush();
    // Terse mode escapes ':' in values as '\:'.
    fields.set(key, line.slice(colon + 1).replace(/\\:/g, ':'));
  }
  flush();
  return out;
}

/** macOS `route -n get default`: the default gateway and its interface, or null. */
export function parseRouteGetDefault(text: string): DefaultGateway | null {
  const field = (name: string): string | null => {
    const m = new RegExp(`^\\s*${name}:\\s*(\\S+)\\s*$`, 'm').exec(text);
    return m?.[1] ?? null;
  };
  const iface = field('interface');
  if (iface === null) return null;
  return { iface, gateway: field('gateway'), metric: 0 };
}

/** macOS `arp -n ADDRESS`: the MAC of that address, or null (`(incomplete)`, `no entry`). */
export function parseArp(text: string, address: string): string | null {
  for (const line of text.split('\n')) {
    const m = /^\S+\s+\(([^)]+)\)\s+at\s+(\S+)/.exec(line.trim());
    if (m?.[1] === address) return normalizeMac(m[2]);
  }
  return null;
}

/** macOS `networksetup -listallhardwareports`: device → hardware port name ("Wi-Fi", "iPhone USB", …). */
export function parseHardwarePorts(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let port: string | null = null;
  for (const line of text.split('\n')) {
    const p = /^Hardware Port:\s*(.+?)\s*$/.exec(line);
    if (p !== null) {
      port = p[1] ?? null;
      continue;
    }
    const d = /^Device:\s*(\S+)\s*$/.exec(line);
    if (d?.[1] !== undefined && port !== null) {
      out.set(d[1], port);
      port = null;
    }
  }
  return out;
}
