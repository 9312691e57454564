import type { RefreshRecord } from '@dragnet/contracts';
import { encodeMergeInput } from '@dragnet/contracts/merge-input';
import { type ElasticsearchClient, findRefreshCandidates, findUnenriched } from '@dragnet/elasticsearch';
import type { BatchProducer } from '@dragnet/kafka';

export interface SweepOptions {
  elasticsearch: ElasticsearchClient;
  /** The index swept (`index.alias`) and where refresh records go (`topics.mergeInput`). */
  names: { index: { alias: string }; topics: { mergeInput: string } };
  producer: BatchProducer;
  /** `versionsKey` of the versions enrichment should be at; null when enrichment is off. */
  versionsKey: string | null;
  rescoreAfterMs: number;
  /**
   * An active document still not enriched this long after it was written is
   * re-enriched (its job was lost with Redis' data, or never ran); 0 turns
   * this off.
   */
  reenrichUnenrichedAfterMs: number;
  maxPerRun: number;
  pageSize?: number;
  now?: number;
}

export interface SweepResult {
  requested: number;
  byReason: Record<RefreshRecord['reason'], number>;
}

type Candidate = { id: string; reason: RefreshRecord['reason'] };

/**
 * One maintenance sweep: find active indicators whose document is out of
 * date (expired by now, score decayed since it was written, enriched by old
 * provider versions, or still not enriched after the grace period) and ask
 * the deduplicator to rebuild them, by refresh records on the canonical
 * topic. The deduplicator stays the only writer of an indicator, so the
 * indexer's versioning holds, and it schedules enrichment again where the
 * state says none is pending; a sweep interrupted half way is simply
 * repeated by the next one.
 */
export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const now = options.now ?? Date.now();
  const pageSize = options.pageSize ?? 2_000;
  const result: SweepResult = { requested: 0, byReason: { expiry: 0, rescore: 0, reenrich: 0 } };
  // An indicator matching both passes is asked for once per sweep.
  const requested = new Set<string>();
  const budget = () => Math.min(pageSize, options.maxPerRun - result.requested);
  const request = async (candidates: Candidate[]) => {
    const fresh = candidates
      .filter(({ id }) => !requested.has(id))
      .slice(0, options.maxPerRun - result.requested);
    if (fresh.length === 0) return;
    await options.producer.send(
      fresh.map(({ id, reason }) => ({
        topic: options.names.topics.mergeInput,
        ...encodeMergeInput({ kind: 'refresh', record: { id, reason } }),
      })),
    );
    for (const { id, reason } of fresh) {
      requested.add(id);
      result.byReason[reason]++;
    }
    result.requested += fresh.length;
  };

  let after: string | null = null;
  do {
    const size = budget();
    if (size <= 0) break;
    const page = await findRefreshCandidates(options.elasticsearch, options.names.index.alias, {
      now,
      staleBefore: now - options.rescoreAfterMs,
      versionsKey: options.versionsKey,
      after,
      size,
    });
    await request(page.candidates);
    after = page.next;
  } while (after !== null);

  if (options.versionsKey === null || options.reenrichUnenrichedAfterMs <= 0) return result;
  after = null;
  do {
    const size = budget();
    if (size <= 0) break;
    const page = await findUnenriched(options.elasticsearch, options.names.index.alias, {
      changedBefore: now - options.reenrichUnenrichedAfterMs,
      after,
      size,
    });
    await request(page.ids.map((id) => ({ id, reason: 'reenrich' })));
    after = page.next;
  } while (after !== null);
  return result;
}
