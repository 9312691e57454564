/**
 * Every topic, consumer group, index, alias, queue and Redis key prefix Dragnet
 * uses, in one place. Services import these; nothing else spells them.
 */

/** Partner intake topics are `feeds.<partnerId>`; one per partner so ACLs and retention are per partner. */
export const PARTNER_TOPIC_PREFIX = 'feeds.';
export const partnerTopic = (partnerId: string): string => `${PARTNER_TOPIC_PREFIX}${partnerId}`;

export const TOPICS = {
  /** Canonical indicator reports (Avro), keyed by indicator id. Written by the normalizer. */
  canonical: 'dragnet.indicators.canonical',
  /** Merged indicator changes (JSON documents), keyed by indicator id. Written by the deduplicator and the enricher. */
  changes: 'dragnet.indicators.changes',
  /** Rejected input with its original bytes, source position and reason. Written by every stage. */
  deadLetter: 'dragnet.deadletter',
} as const;

export const CONSUMER_GROUPS = {
  normalizer: 'dragnet-normalizer',
  deduplicator: 'dragnet-deduplicator',
  indexer: 'dragnet-indexer',
} as const;

/** Elasticsearch names. The alias matches `logs-ti_*` so Kibana's threat-intel features find it. */
export const INDEX = {
  /** Read and write alias over the current versioned index. */
  alias: 'logs-ti_dragnet.indicator',
  /** Versioned concrete index the alias points to; bump the suffix for a new mapping and reindex. */
  concrete: 'logs-ti_dragnet.indicator-v1',
  /** Pattern the index template applies to. */
  pattern: 'logs-ti_dragnet.indicator-*',
  template: 'dragnet-indicators',
  /** Above the stack's built-in `logs` template (priority 100) so no data stream is created for our names. */
  templatePriority: 500,
} as const;

export const QUEUES = {
  enrichment: 'dragnet-enrichment',
  maintenance: 'dragnet-maintenance',
} as const;

export const REDIS_KEYS = {
  /** Merge state per indicator: `dragnet:merge:<indicatorId>`. */
  mergeState: 'dragnet:merge:',
  /** Per-key API rate limiting windows. */
  rateLimit: 'dragnet:ratelimit:',
} as const;

/** Kafka header names carried from intake to index. */
export const HEADERS = {
  correlationId: 'dragnet-correlation-id',
  partner: 'dragnet-partner',
} as const;
