// Domain attribution: which sites a browser's bytes went to, from the browser extension's reports.
export { ActiveTabs, type ActiveTabOptions } from './extension/active-tab.js';
export { attributeDomains, type BrowserFlow, type DomainContext } from './extension/place-bytes.js';
export { BROWSER_APPS, appsOfBrowser } from './browsers.js';
export { IpDomainMap, type IpMapOptions, type NameWeight } from './extension/ip-map.js';
export { normalizeIp } from './ip.js';
export { splitWhole } from './extension/split.js';
export { TransferLog, bytesWithin, weightList, type Transfer } from './extension/transfers.js';
export { DomainTracker, type DomainTrackerOptions, type DomainTrackerStats } from './extension/tracker.js';
export type { DomainUsage, ReportedBytes, ReportedHost } from './types.js';
