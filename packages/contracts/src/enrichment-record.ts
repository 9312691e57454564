/**
 * Enrichment results travel on the canonical topic, keyed by indicator id,
 * beside partner reports. The deduplicator is then the single writer of an
 * indicator's state (one partition, one consumer), so enrichment can never
 * race a report and the indexer's versioning stays simple.
 */
export const RECORD_TYPE_HEADER = 'dragnet-record-type';
export const RECORD_TYPES = { report: 'report', enrichment: 'enrichment', refresh: 'refresh' } as const;

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
