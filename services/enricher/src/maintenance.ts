import { RECORD_TYPE_HEADER, RECORD_TYPES, type RefreshRecord, TOPICS } from '@dragnet/contracts';
import { type Client, findRefreshCandidates } from '@dragnet/elasticsearch';
import type { BatchProducer } from '@dragnet/kafka';

export interface SweepOptions {
  elasticsearch: Client;
  index: string;
  producer: BatchProducer;
  /** `versionsKey` of the versions enrichment should be at; null when enrichment is off. */
  versionsKey: string | null;
  rescoreAfterMs: number;
  maxPerRun: number;
  pageSize?: number;
  now?: number;
  topic?: string;
}

export interface SweepResult {
  requested: number;
  byReason: Record<RefreshRecord['reason'], number>;
}

/**
 * One maintenance sweep: find active indicators whose document is out of
 * date (expired by now, score decayed since it was written, enriched by old
 * provider versions) and ask the deduplicator to rebuild them, by refresh
 * records on the canonical topic. The deduplicator stays the only writer of
 * an indicator, so the indexer's versioning holds; a sweep interrupted half
 * way is simply repeated by the next one.
 */
export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const now = options.now ?? Date.now();
  const result: SweepResult = { requested: 0, byReason: { expiry: 0, rescore: 0, reenrich: 0 } };
  let after: string | null = null;
  do {
    const size = Math.min(options.pageSize ?? 2_000, options.maxPerRun - result.requested);
    if (size <= 0) break;
    const page = await findRefreshCandidates(options.elasticsearch, options.index, {
      now,
      staleBefore: now - options.rescoreAfterMs,
      versionsKey: options.versionsKey,
      after,
      size,
    });
    if (page.candidates.length === 0) break;
    await options.producer.send(
      page.candidates.map(({ id, reason }) => ({
        topic: options.topic ?? TOPICS.canonical,
        key: id,
        value: Buffer.from(JSON.stringify({ id, reason } satisfies RefreshRecord)),
        headers: { [RECORD_TYPE_HEADER]: RECORD_TYPES.refresh },
      })),
    );
    for (const { reason } of page.candidates) result.byReason[reason]++;
    result.requested += page.candidates.length;
    after = page.next;
  } while (after !== null);
  return result;
}
