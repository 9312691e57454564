import type { Tlp } from '@dragnet/indicators';

/**
 * Paths of the indexed document's fields that code reads, filters, sorts or
 * fetches by name (queries, lookup, recovery, the CLI, Kibana checks). The
 * only place such a path is spelled: `fields.test.ts` proves each one is in
 * `INDICATOR_MAPPINGS` (or is kept in `_source` only, see
 * `SOURCE_ONLY_FIELDS`) and that `stateToDocument` writes it.
 * Object paths (`as`, `sources`, …) name a whole subtree, for `_source`
 * filters and field-name prefixes.
 */
export const FIELDS = {
  timestamp: '@timestamp',
  tags: 'tags',
  event: 'event',
  ingested: 'event.ingested',
  related: 'related',
  threat: 'threat',

  type: 'threat.indicator.type',
  name: 'threat.indicator.name',
  confidence: 'threat.indicator.confidence',
  firstSeen: 'threat.indicator.first_seen',
  lastSeen: 'threat.indicator.last_seen',
  ip: 'threat.indicator.ip',
  emailAddress: 'threat.indicator.email.address',
  url: 'threat.indicator.url',
  fileHash: 'threat.indicator.file.hash',
  as: 'threat.indicator.as',
  geo: 'threat.indicator.geo',

  id: 'dragnet.id',
  kind: 'dragnet.kind',
  value: 'dragnet.value',
  network: 'dragnet.network',
  revision: 'dragnet.revision',
  score: 'dragnet.score',
  tlp: 'dragnet.tlp',
  tlpFloor: 'dragnet.tlp_floor',
  active: 'dragnet.active',
  expired: 'dragnet.expired',
  expiresAt: 'dragnet.expires_at',
  suppressed: 'dragnet.suppressed',
  enriched: 'dragnet.enriched',
  threatNames: 'dragnet.threat_names',
  vulnerabilities: 'dragnet.vulnerabilities',
  warninglists: 'dragnet.warninglists',
  providerCount: 'dragnet.provider_count',
  lastSeenAt: 'dragnet.last_seen_at',
  sources: 'dragnet.sources',
  sourceProvider: 'dragnet.sources.provider',
  sourceFeed: 'dragnet.sources.feed',
  sourceFirstSeen: 'dragnet.sources.first_seen',
  sourceLastSeen: 'dragnet.sources.last_seen',
  sourceConfidence: 'dragnet.sources.confidence',
  sourceTlp: 'dragnet.sources.tlp',
  enrichment: 'dragnet.enrichment',
  enrichmentProviders: 'dragnet.enrichment.providers',
  enrichmentVersions: 'dragnet.enrichment.versions',
  enrichmentResult: 'dragnet.enrichment_result',
} as const;

export type FieldPath = (typeof FIELDS)[keyof typeof FIELDS];

/** A TLP level as a field name (`amber+strict` → `amber_strict`): `+` has a meaning in query syntax. */
export const tlpFieldName = (tlp: Tlp): string => tlp.replace('+', '_');

/** `dragnet.last_seen_at.<ceiling>`: the latest sighting a reader cleared up to `ceiling` sees. */
export const lastSeenAtField = (ceiling: Tlp): string => `${FIELDS.lastSeenAt}.${tlpFieldName(ceiling)}`;

/**
 * Kept in `_source` but deliberately absent from the mapping (`dynamic: false`
 * leaves them unindexed): the enricher's raw result, which only
 * `documentToState` reads back.
 */
export const SOURCE_ONLY_FIELDS: readonly string[] = [FIELDS.enrichmentResult];

/**
 * What `documentToState` reads: recovery fetches only these
 * (`_source_includes`), and `fields.test.ts` proves the state survives the
 * filter.
 */
export const STATE_SOURCE_FIELDS: readonly string[] = [
  FIELDS.id,
  FIELDS.kind,
  FIELDS.value,
  FIELDS.revision,
  FIELDS.sources,
  FIELDS.enrichmentProviders,
  FIELDS.enrichmentResult,
];
