/**
 * Enrichment results travel on the canonical topic, keyed by indicator id,
 * beside partner reports. The deduplicator is then the single writer of an
 * indicator's state (one partition, one consumer), so enrichment can never
 * race a report and the indexer's versioning stays simple.
 */
export const RECORD_TYPE_HEADER = 'dragnet-record-type';
export const RECORD_TYPES = {
  report: 'report',
  enrichment: 'enrichment',
  refresh: 'refresh',
  reconcile: 'reconcile',
} as const;

/**
 * Asks the deduplicator to rebuild an indicator's document from its merge
 * state: re-score it (decay, expiry) and re-enrich it if provider versions
 * moved on. Written by the maintenance sweep; carries only the id.
 */
export interface RefreshRecord {
  id: string;
  reason: 'expiry' | 'rescore' | 'reenrich';
}

export interface EnrichmentRecord {
  id: string;
  versions: Record<string, number>;
  result: Record<string, unknown>;
}

/** An indicator to enrich, as carried in an enrichment job. */
export interface EnrichmentTarget {
  id: string;
  kind: string;
  value: string;
}

/**
 * Written by the indexer when Elasticsearch refused a change as older than
 * what it holds (409) although the refused document carries content the
 * indexed one lacks: the deduplicator's state was behind (Redis lost writes,
 * a state expired before its last version was indexed, two owners for a
 * while). The deduplicator joins both documents' content into its state and
 * emits a new revision above both, so no statement is lost.
 */
export interface ReconcileRecord {
  id: string;
  /** The indexed document and the refused one (ECS documents as the deduplicator emits them). */
  documents: Record<string, unknown>[];
}
