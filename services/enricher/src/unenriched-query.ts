import type { Client } from '@dragnet/elasticsearch';

export interface UnenrichedPage {
  ids: string[];
  /** Pass as `after` for the next page; null when this was the last. */
  next: string | null;
}

/**
 * Active indicators that are still not enriched (`dragnet.enriched: false`)
 * although their document was written before `changedBefore`, in id order,
 * paged by id with `search_after`. Their enrichment was scheduled once, but the
 * job is gone (Redis lost its data) or has not run within the grace period.
 *
 * This belongs beside `findRefreshCandidates` in `@dragnet/elasticsearch` as
 * one more criterion; it lives here until that package takes it.
 */
export async function findUnenriched(
  client: Client,
  index: string,
  request: { changedBefore: number; after: string | null; size: number },
): Promise<UnenrichedPage> {
  const response = await client.search({
    index,
    size: request.size,
    _source: false,
    sort: [{ 'dragnet.id': 'asc' }],
    query: {
      bool: {
        filter: [
          { term: { 'dragnet.expired': false } },
          { term: { 'dragnet.enriched': false } },
          { range: { 'event.ingested': { lt: request.changedBefore, format: 'epoch_millis' } } },
        ],
      },
    },
    ...(request.after ? { search_after: [request.after] } : {}),
  });
  const hits = response.hits.hits;
  const ids = hits.flatMap((hit) => (hit._id ? [hit._id] : []));
  const last = hits.at(-1)?.sort?.[0];
  return { ids, next: hits.length === request.size && typeof last === 'string' ? last : null };
}
