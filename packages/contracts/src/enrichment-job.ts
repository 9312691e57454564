/**
 * An indicator to enrich, as carried in an enrichment job (BullMQ queue
 * `QUEUES.enrichment`, scheduled by the deduplicator). Its result goes back on
 * `TOPICS.mergeInput` as an `enrichment` record (`merge-input.ts`).
 */
export interface EnrichmentTarget {
  id: string;
  kind: string;
  value: string;
  /**
   * Correlation id of the report that made the deduplicator schedule this
   * target; the enrichment result carries it back as its header, so one id
   * follows a report from intake through enrichment to the index. Absent in
   * jobs of a sweep-driven refresh and in jobs queued before it existed.
   */
  correlationId?: string;
}
