/**
 * Every topic, consumer group, index, alias, queue and Redis key prefix Dragnet
 * uses, in one place. Services import these; nothing else spells them.
 *
 * `DRAGNET_NAMESPACE` (lower-case letters, digits, dashes) prefixes all of
 * them, so several pipelines (staging beside production, parallel test runs)
 * share one Kafka, Elasticsearch and Redis without seeing each other.
 */
const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9-]{0,40}$/;

function readNamespace(): string {
  const raw = process.env.DRAGNET_NAMESPACE ?? '';
  if (raw !== '' && !NAMESPACE_PATTERN.test(raw)) {
    throw new Error(
      `DRAGNET_NAMESPACE: expected lower-case letters, digits and dashes, at most 41 (got ${JSON.stringify(raw)})`,
    );
  }
  return raw;
}

export const NAMESPACE = readNamespace();
const dotted = NAMESPACE ? `${NAMESPACE}.` : '';
const dashed = NAMESPACE ? `-${NAMESPACE}` : '';

/** Partner intake topics are `feeds.<partnerId>`; one per partner so ACLs and retention are per partner. */
export const PARTNER_TOPIC_PREFIX = `${dotted}feeds.`;
export const partnerTopic = (partnerId: string): string => `${PARTNER_TOPIC_PREFIX}${partnerId}`;

/**
 * Each partner's rejects topic, `dragnet.rejects.<partnerId>`: the dead letters
 * of that partner's own messages, so the partner (and only it) learns what was
 * refused. The shared dead-letter topic stays for operators.
 */
export const PARTNER_REJECTS_TOPIC_PREFIX = `${dotted}dragnet.rejects.`;
export const partnerRejectsTopic = (partnerId: string): string =>
  `${PARTNER_REJECTS_TOPIC_PREFIX}${partnerId}`;

export const TOPICS = {
  /** Canonical indicator reports (Avro) and enrichment results (JSON), keyed by indicator id. */
  canonical: `${dotted}dragnet.indicators.canonical`,
  /** Latest document of every changed indicator (JSON), keyed by indicator id; compacted. */
  changes: `${dotted}dragnet.indicators.changes`,
  /** Rejected input with its original bytes, source position and reason. Written by every stage. */
  deadLetter: `${dotted}dragnet.deadletter`,
  /** One re-drive mark per dead letter (key `<partition>:<offset>` of the letter); compacted. Written by `dragnet dlq redrive`. */
  deadLetterRedrives: `${dotted}dragnet.deadletter.redrives`,
} as const;

export const CONSUMER_GROUPS = {
  normalizer: `${dotted}dragnet-normalizer`,
  deduplicator: `${dotted}dragnet-deduplicator`,
  indexer: `${dotted}dragnet-indexer`,
} as const;

const alias = `logs-ti_dragnet.indicator${dashed}`;

/** Elasticsearch names. The alias matches `logs-ti_*` so Kibana's threat-intel features find it. */
export const INDEX = {
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

const auditAlias = `dragnet-audit${dashed}`;

/** The API's append-only audit trail: one document per lookup, search and export request. */
export const AUDIT_INDEX = {
  /** Read and write alias; the API writes with `require_alias`, so a missing index is an error, never an unmapped auto-created one. */
  alias: auditAlias,
  concrete: `${auditAlias}-v1`,
  pattern: `${auditAlias}-v*`,
  template: `dragnet-audit${dashed}`,
} as const;

export const QUEUES = {
  enrichment: `${dotted}dragnet-enrichment`,
  maintenance: `${dotted}dragnet-maintenance`,
} as const;

export const REDIS_KEYS = {
  /** Merge state per indicator: `dragnet:merge:<indicatorId>`. */
  mergeState: `${dotted}dragnet:merge:`,
  /** Per-key API rate limiting windows. */
  rateLimit: `${dotted}dragnet:ratelimit:`,
  /** Pub/sub channel for operator commands to every running enricher (`dragnet warninglists reload`). */
  control: `${dotted}dragnet:control`,
} as const;

/** Messages on the `REDIS_KEYS.control` channel. */
export const CONTROL_COMMANDS = {
  /** Every enricher reloads its warninglists directory (as on SIGHUP). */
  reloadWarninglists: 'reload-warninglists',
} as const;

/** Kafka header names carried from intake to index. */
export const HEADERS = {
  correlationId: 'dragnet-correlation-id',
  partner: 'dragnet-partner',
} as const;
