// The browser extension's two reports (HTTP-only endpoints, not channels): the active tab and bytes
// per host, validated with the contract's schemas like a channel's request. Hostnames only, never URLs.
import { browserActiveTabSchema, browserBytesSchema } from '../../../src-shared/contract/schemas.js';
import type { BrowserBytesAccepted, BrowserReportAccepted, Result } from '../../../src-shared/contract/types.js';
import { normalizeIp } from '../../engine/domains/ip.js';
import type { ReportedBytes } from '../../engine/domains/types.js';
import { createLogger } from '../../engine/log.js';
import { describeIssues, fail, runGuarded } from '../errors.js';
import { RecentReportIds } from '../report-ids.js';
import type { AreaContext } from './area.js';

const log = createLogger('api');

// Reports from a clock this far ahead are refused rather than stored in the future.
const MAX_FUTURE_S = 600;

// engine/domains/hostname.ts carries tldts (the Public Suffix List as a trie): loaded with the first
// browser report rather than at start, so that a `netmon serve` nobody has paired a browser with never holds it.
const loadHostname = () => import('../../engine/domains/hostname.js');
let hostnameModule: ReturnType<typeof loadHostname> | null = null;

/** The extension's endpoints, validated as the channels are. */
export interface BrowserReports {
  /** The browser extension's active-tab report. */
  reportActiveTab(body: unknown): Promise<Result<BrowserReportAccepted>>;
  /** The browser extension's per-host byte counts. */
  reportBrowserBytes(body: unknown): Promise<Result<BrowserBytesAccepted>>;
}

export function browserReportHandlers({ deps, nowS }: AreaContext): BrowserReports {
  // A report the extension sends again (same reportId) is answered as taken and counted once.
  const ids = new RecentReportIds();
  const claim = (id: string | undefined): boolean => id === undefined || ids.claim(id, deps.now());
  return {
    async reportActiveTab(body) {
      const parsed = browserActiveTabSchema.safeParse(body);
      if (!parsed.success) return fail('bad-request', describeIssues(parsed.error));
      const { normalizeHostname } = await (hostnameModule ??= loadHostname());
      const host = normalizeHostname(parsed.data.domain);
      if (!host.ok) return fail('bad-request', host.reason);
      const receivedAt = nowS();
      if (parsed.data.timestamp > receivedAt + MAX_FUTURE_S) {
        return fail('bad-request', 'timestamp: is in the future (epoch seconds expected, not milliseconds)');
      }
      // While paused nothing is recorded, browser reports included; the extension is not told off for it.
      if (deps.capture.state().paused) return { ok: true, value: { stored: false, id: null, hostname: host.hostname, domain: host.domain } };
      const { reportId } = parsed.data;
      if (!claim(reportId)) return { ok: true, value: { stored: false, id: null, hostname: host.hostname, domain: host.domain, duplicate: true } };
      deps.browserDomains?.activeTab(parsed.data.browser, host, parsed.data.timestamp * 1000);
      const result = await runGuarded('browser report', async () => {
        const id = await deps.browserReports.record({
          receivedAt,
          ts: parsed.data.timestamp,
          hostname: host.hostname,
          domain: host.domain,
          browser: parsed.data.browser.toLowerCase(),
          reportId,
        });
        return { stored: true, id, hostname: host.hostname, domain: host.domain };
      });
      // Not stored: the extension keeps the report and sends it again, which must then count.
      if (!result.ok && reportId !== undefined) ids.release(reportId);
      return result;
    },

    async reportBrowserBytes(body) {
      const parsed = browserBytesSchema.safeParse(body);
      if (!parsed.success) return fail('bad-request', describeIssues(parsed.error));
      const report = parsed.data;
      if (report.until > nowS() + MAX_FUTURE_S) return fail('bad-request', 'until: is in the future (epoch seconds expected, not milliseconds)');
      const { normalizeHostname } = await (hostnameModule ??= loadHostname());
      const entries: ReportedBytes[] = [];
      for (const e of report.entries) {
        const host = normalizeHostname(e.domain);
        const ip = e.ip === null ? null : normalizeIp(e.ip);
        // Privacy rule as for the active tab: an entry that is not a bare hostname is refused, not trimmed.
        if (!host.ok || (e.ip !== null && ip === null)) continue;
        entries.push({ hostname: host.hostname, domain: host.domain, ip, bytesIn: e.bytesIn, bytesOut: e.bytesOut, estimate: e.estimate, startedAt: e.startedAt, endedAt: e.endedAt });
      }
      const refused = report.entries.length - entries.length;
      if (deps.capture.state().paused) return { ok: true, value: { stored: false, accepted: 0, refused } };
      if (!claim(report.reportId)) return { ok: true, value: { stored: false, accepted: 0, refused, duplicate: true } };
      log.debug('browser bytes', {
        browser: report.browser,
        since: report.since,
        until: report.until,
        entries: entries.map((e) => `${e.domain}@${e.ip ?? '-'} ${e.bytesIn}+${e.bytesOut} ${e.startedAt ?? ''}..${e.endedAt ?? ''}`).join('; '),
      });
      deps.browserDomains?.bytes(report.browser, entries, report.since * 1000, report.until * 1000);
      return { ok: true, value: { stored: deps.browserDomains !== undefined, accepted: entries.length, refused } };
    },
  };
}
