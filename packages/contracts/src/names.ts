import { NAMESPACE_PATTERN, namespaceEnv, parseConfig } from '@dragnet/config';

/**
 * Every topic, consumer group, index, alias, queue and Redis key prefix Dragnet
 * uses, in one place: `names(namespace)`. Nothing else spells them.
 *
 * The namespace (`DRAGNET_NAMESPACE`, validated by the runtime config schema
 * of @dragnet/config) prefixes all of them, so several pipelines (staging
 * beside production, parallel test runs) share one Kafka, Elasticsearch and
 * Redis without seeing each other. Each service gets its `names` in its
 * context at boot (`runService`); tests pass their own namespace.
 */
export function names(namespace = '') {
  if (!NAMESPACE_PATTERN.test(namespace))
    throw new Error(
      `namespace: expected lower-case letters, digits and dashes, at most 41 (got ${JSON.stringify(namespace.slice(0, 60))})`,
    );
  // Kafka topics, groups, queues and Redis keys take `<namespace>.` in front; Elasticsearch names `-<namespace>` behind.
  const dotted = namespace ? `${namespace}.` : '';
  const dashed = namespace ? `-${namespace}` : '';
  return {
    namespace,
    ...partnerTopicNames(dotted),
    topics: topicNames(dotted),
    groups: groupNames(dotted),
    /** Elasticsearch names. The alias matches `logs-ti_*` so Kibana's threat-intel features find it. */
    index: indicatorIndexNames(dashed),
    /** The API's append-only audit trail: one document per lookup, search and export request. */
    auditIndex: auditIndexNames(dashed),
    queues: queueNames(dotted),
    redisKeys: redisKeyNames(dotted),
  } as const;
}

function partnerTopicNames(dotted: string) {
  /** Partner intake topics are `feeds.<partnerId>`; one per partner so ACLs and retention are per partner. */
  const partnerTopicPrefix = `${dotted}feeds.`;
  /**
   * Each partner's rejects topic, `dragnet.rejects.<partnerId>`: the dead letters
   * of that partner's own messages, so the partner (and only it) learns what was
   * refused. The shared dead-letter topic stays for operators.
   */
  const partnerRejectsTopicPrefix = `${dotted}dragnet.rejects.`;
  return {
    partnerTopicPrefix,
    partnerTopic: (partnerId: string): string => `${partnerTopicPrefix}${partnerId}`,
    partnerRejectsTopicPrefix,
    partnerRejectsTopic: (partnerId: string): string => `${partnerRejectsTopicPrefix}${partnerId}`,
  } as const;
}

function topicNames(dotted: string) {
  return {
    /**
     * The deduplicator's input, keyed by indicator id: reports (normalizer), enrichment results
     * (enricher), refresh (maintenance sweep, re-drive) and reconcile (indexer) records. One codec:
     * `@dragnet/contracts/merge-input`. The name predates the other kinds and stays (ACLs, deployments).
     */
    mergeInput: `${dotted}dragnet.indicators.canonical`,
    /** Latest document of every changed indicator (JSON), keyed by indicator id; compacted. */
    changes: `${dotted}dragnet.indicators.changes`,
    /** Rejected input with its original bytes, source position and reason. Written by every stage. */
    deadLetter: `${dotted}dragnet.deadletter`,
    /** One re-drive mark per dead letter (key `<partition>:<offset>` of the letter); compacted. Written by `dragnet dlq redrive`. */
    deadLetterRedrives: `${dotted}dragnet.deadletter.redrives`,
  } as const;
}

function groupNames(dotted: string) {
  return {
    normalizer: `${dotted}dragnet-normalizer`,
    deduplicator: `${dotted}dragnet-deduplicator`,
    indexer: `${dotted}dragnet-indexer`,
    /** Prefix of the API's throw-away readers (a TAXII inbox status reads the partner's rejects topic). */
    apiReaderPrefix: `${dotted}dragnet-api-`,
  } as const;
}

function indicatorIndexNames(dashed: string) {
  const alias = `logs-ti_dragnet.indicator${dashed}`;
  return {
    /** Read and write alias over the current versioned index. */
    alias,
    /** Versioned concrete index the alias points to; a new mapping gets `-v2` and a reindex. */
    concrete: `${alias}-v1`,
    /** What the index template applies to. */
    pattern: `${alias}-v*`,
    template: `dragnet-indicators${dashed}`,
    /** Above the stack's built-in `logs` template (priority 100), so no data stream is made for our names. */
    templatePriority: 500,
  } as const;
}

function auditIndexNames(dashed: string) {
  const alias = `dragnet-audit${dashed}`;
  return {
    /** Read and write alias; the API writes with `require_alias`, so a missing index is an error, never an unmapped auto-created one. */
    alias,
    concrete: `${alias}-v1`,
    pattern: `${alias}-v*`,
    template: `dragnet-audit${dashed}`,
  } as const;
}

function queueNames(dotted: string) {
  return {
    enrichment: `${dotted}dragnet-enrichment`,
    maintenance: `${dotted}dragnet-maintenance`,
  } as const;
}

function redisKeyNames(dotted: string) {
  return {
    /** Merge state per indicator: `dragnet:merge:<index UUID>:<indicatorId>` (`mergeStateKey`); the epoch marker and recovery lock beside them. */
    mergeState: `${dotted}dragnet:merge:`,
    /** Per-key API rate limiting windows. */
    rateLimit: `${dotted}dragnet:ratelimit:`,
    /** Pub/sub channel for operator commands to every running enricher (`dragnet warninglists reload`). */
    control: `${dotted}dragnet:control`,
    /** The TAXII collector's position per partner source: `dragnet:taxii:position:<partnerId>` (JSON). */
    taxiiPosition: `${dotted}dragnet:taxii:position:`,
    /** The API's TAXII inbox status resources: `dragnet:taxii-status:<status id>` (JSON, with a TTL). */
    taxiiStatus: `${dotted}dragnet:taxii-status:`,
  } as const;
}

export type Names = ReturnType<typeof names>;

/**
 * Where the deduplicator caches one indicator's merge state. The key names
 * the UUID of the index the state mirrors, so a state of an index that was
 * deleted and recreated is never read as the new index's — even when Redis
 * lost its epoch marker in between and nothing could tell the two apart.
 */
export function mergeStateKey(prefix: string, indexUuid: string, indicatorId: string): string {
  return `${prefix}${indexUuid}:${indicatorId}`;
}

/**
 * The names of the process environment's namespace, read once at import
 * through the config loader.
 * @deprecated Take `names` from the service context (`runService`) or call
 * `names(config.DRAGNET_NAMESPACE)`; kept only for callers not migrated yet
 * (see the module-level constants below).
 */
export const DEFAULT_NAMES: Names = names(parseConfig(namespaceEnv).DRAGNET_NAMESPACE);

/** @deprecated `names().namespace` */
export const NAMESPACE = DEFAULT_NAMES.namespace;
/** @deprecated `names().partnerTopicPrefix` */
export const PARTNER_TOPIC_PREFIX = DEFAULT_NAMES.partnerTopicPrefix;
/** @deprecated `names().partnerTopic` */
export const partnerTopic = DEFAULT_NAMES.partnerTopic;
/** @deprecated `names().partnerRejectsTopicPrefix` */
export const PARTNER_REJECTS_TOPIC_PREFIX = DEFAULT_NAMES.partnerRejectsTopicPrefix;
/** @deprecated `names().partnerRejectsTopic` */
export const partnerRejectsTopic = DEFAULT_NAMES.partnerRejectsTopic;
/** @deprecated `names().topics` */
export const TOPICS = DEFAULT_NAMES.topics;
/** @deprecated `names().groups` */
export const CONSUMER_GROUPS = DEFAULT_NAMES.groups;
/** @deprecated `names().index` */
export const INDEX = DEFAULT_NAMES.index;
/** @deprecated `names().auditIndex` */
export const AUDIT_INDEX = DEFAULT_NAMES.auditIndex;
/** @deprecated `names().queues` */
export const QUEUES = DEFAULT_NAMES.queues;
/** @deprecated `names().redisKeys` */
export const REDIS_KEYS = DEFAULT_NAMES.redisKeys;

/** Messages on the `REDIS_KEYS.control` channel. */
export const CONTROL_COMMANDS = {
  /** Every enricher reloads its warninglists directory (as on SIGHUP). */
  reloadWarninglists: 'reload-warninglists',
} as const;

/** Kafka header names carried from intake to index. */
export const HEADERS = {
  correlationId: 'dragnet-correlation-id',
  partner: 'dragnet-partner',
  /** The kind of a record on `TOPICS.mergeInput`; read and written only by `merge-input.ts`. */
  recordKind: 'dragnet-record-type',
} as const;
