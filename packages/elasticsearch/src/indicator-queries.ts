import type { estypes } from '@elastic/elasticsearch';
import type { Client } from './client.js';

/** An indexed indicator document as read back: its `_id` and source. */
export interface StoredIndicator {
  id: string;
  document: Record<string, unknown>;
}

/**
 * Documents by id in one round trip. `mget` is real-time (it sees writes not
 * yet refreshed), so a lookup right after indexing finds the indicator.
 */
export async function getIndicators(
  client: Client,
  index: string,
  ids: string[],
): Promise<StoredIndicator[]> {
  if (ids.length === 0) return [];
  const response = await client.mget<Record<string, unknown>>({ index, ids });
  const found: StoredIndicator[] = [];
  for (const doc of response.docs) {
    if ('found' in doc && doc.found && doc._source) found.push({ id: doc._id, document: doc._source });
  }
  return found;
}

/** Network (CIDR) indicators containing any of `ips`, restricted to the given TLP values. */
export async function findNetworksContaining(
  client: Client,
  index: string,
  ips: string[],
  tlps: readonly string[],
  limit = 1_000,
): Promise<StoredIndicator[]> {
  if (ips.length === 0) return [];
  const response = await client.search<Record<string, unknown>>({
    index,
    size: limit,
    query: {
      bool: {
        filter: [
          { terms: { 'dragnet.tlp': [...tlps] } },
          {
            bool: { should: ips.map((ip) => ({ term: { 'dragnet.network': ip } })), minimum_should_match: 1 },
          },
        ],
      },
    },
  });
  return hitsOf(response);
}

export interface IndicatorSearch {
  /** Lucene query-string syntax; empty means everything. */
  query: string;
  size: number;
  /** The previous page's last sort values (opaque to callers). */
  searchAfter?: estypes.FieldValue[] | undefined;
  tlps: readonly string[];
}

export interface IndicatorPage {
  total: number;
  hits: StoredIndicator[];
  /** Sort values of the last hit: pass back as `searchAfter` for the next page; null on the last page. */
  next: estypes.FieldValue[] | null;
}

/**
 * One page of a query-string search, newest first. Paging uses `search_after`
 * on (`@timestamp`, `dragnet.id`) — stable under concurrent indexing and not
 * capped at 10,000 like `from`.
 */
export async function searchIndicators(
  client: Client,
  index: string,
  search: IndicatorSearch,
): Promise<IndicatorPage> {
  const filter: estypes.QueryDslQueryContainer[] = [{ terms: { 'dragnet.tlp': [...search.tlps] } }];
  const must: estypes.QueryDslQueryContainer[] =
    search.query.trim() === ''
      ? [{ match_all: {} }]
      : [
          {
            query_string: {
              query: search.query,
              default_field: 'dragnet.value',
              allow_leading_wildcard: false,
              default_operator: 'AND',
            },
          },
        ];
  const response = await client.search<Record<string, unknown>>({
    index,
    size: search.size,
    track_total_hits: true,
    sort: [{ '@timestamp': 'desc' }, { 'dragnet.id': 'asc' }],
    query: { bool: { must, filter } },
    ...(search.searchAfter ? { search_after: search.searchAfter } : {}),
  });
  const hits = hitsOf(response);
  const last = response.hits.hits.at(-1);
  const total = response.hits.total;
  return {
    total: typeof total === 'number' ? total : (total?.value ?? hits.length),
    hits,
    next: hits.length === search.size && last?.sort ? last.sort : null,
  };
}

/** True when Elasticsearch rejected the request itself (bad query syntax), as opposed to being unavailable. */
export function isBadRequest(error: unknown): boolean {
  const status = (error as { meta?: { statusCode?: number } } | null)?.meta?.statusCode;
  return status === 400;
}

/** Elasticsearch's own reason for a rejected request, without the request echoed back. */
export function rejectionReason(error: unknown): string {
  const body = (
    error as { meta?: { body?: { error?: { root_cause?: { reason?: string }[]; reason?: string } } } }
  )?.meta?.body;
  return body?.error?.root_cause?.[0]?.reason ?? body?.error?.reason ?? 'rejected by Elasticsearch';
}

function hitsOf(response: estypes.SearchResponse<Record<string, unknown>>): StoredIndicator[] {
  return response.hits.hits.flatMap((hit) =>
    hit._source && hit._id ? [{ id: hit._id, document: hit._source }] : [],
  );
}
