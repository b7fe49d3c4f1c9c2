// Vocabulary of domain attribution: what the browser extension tells the engine, and the rows that
// the engine stores per interval. Plain data, so that the attribution itself stays a pure function.

/** Bytes of one application to one domain in one interval, as stored. */
export interface DomainUsage {
  /** Interval end, epoch seconds (the same stamp as the interval's `AppUsage` rows). */
  ts: number;
  /** Interval length, seconds. */
  durationS: number;
  app: string;
  /** Registrable domain (or hostname, with rollup off), or UNATTRIBUTED for the browser's bytes nobody could place. */
  domain: string;
  /** True when the bytes were placed by the active tab (a guess), false when by the IP the browser reported. */
  estimate: boolean;
  bytesIn: number;
  bytesOut: number;
}

/** A hostname as the API normalized it, with its registrable domain (Public Suffix List). */
export interface ReportedHost {
  hostname: string;
  domain: string;
}

/** One entry of the extension's byte report: what the browser itself counted for one host at one server address. */
export interface ReportedBytes extends ReportedHost {
  /** The server's address as the browser gave it, normalized by `normalizeIp`; null when the browser gave none. */
  ip: string | null;
  bytesIn: number;
  bytesOut: number;
  /** True when the browser only knew Content-Length (Chromium), false for measured sizes (Firefox). */
  estimate: boolean;
  /** When the first of these transfers started and the last ended (epoch ms), where the extension said. */
  startedAt?: number | undefined;
  endedAt?: number | undefined;
}

/** Bytes in and out. */
export interface ByteSum {
  bytesIn: number;
  bytesOut: number;
}
