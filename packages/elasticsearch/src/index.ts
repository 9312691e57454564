export * from './added-indicators.js';
export * from './audit-index.js';
export * from './bulk-writer.js';
export * from './client.js';
export type { ElasticsearchClient } from './driver.js';
export * from './index-overview.js';
// ensureVersionedIndex stays inside: it takes the driver's template request.
export {
  concreteIndexUuid,
  DEFAULT_INDEX_NAMES,
  deleteIndicatorIndex,
  deleteVersionedIndex,
  ensureIndicatorIndex,
  type IndexNames,
  indexingCount,
  REPLICA_SETTINGS,
} from './index-setup.js';
export * from './indicator-queries.js';
