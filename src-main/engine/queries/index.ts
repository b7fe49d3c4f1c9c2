// The query layer's public surface: pure functions over the store's connection (`store.db`).
export { aggregateSql, type AggregateShape } from './aggregate.js';
export { domainTotalsSql, totalsByDomain, type DomainBytes, type DomainTotalsResult } from './domains.js';
export { bucketStarts, fillBuckets, heatmapGrid } from './grid.js';
export { HEATMAP_SQL, heatmap, type HeatmapCell, type HeatmapResult } from './heatmap.js';
export { planRange, provenanceOf, type Segment, type Tier } from './plan.js';
export { offsetSegments, zoneOffsetAt, type OffsetSegment } from './zone.js';
export {
  MAX_BUCKETS,
  QUERY_SQL,
  appIdOf,
  gapsInRange,
  grandTotals,
  lastSeenByApp,
  lastUsageAt,
  listApps,
  processesForApp,
  timeline,
  totalsByApp,
  totalsByDay,
  type AppBytes,
  type AppTotalsResult,
  type Bytes,
  type DayTotals,
  type DaysResult,
  type GapRow,
  type ProcessDetail,
  type Provenance,
  type QueryRange,
  type TimelinePoint,
  type TimelineResult,
  type TotalsResult,
} from './queries.js';
