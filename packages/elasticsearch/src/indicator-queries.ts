import { FIELDS } from '@dragnet/document';
import type { estypes } from '@elastic/elasticsearch';
import { type ElasticsearchClient, elasticsearchDriver } from './driver.js';

/** An indexed indicator document as read back: its `_id` and source. */
export interface StoredIndicator {
  id: string;
  document: Record<string, unknown>;
}

/**
 * Documents by id in one round trip. Real-time by default: the get sees
 * writes not yet refreshed, so a lookup right after indexing finds the
 * indicator (and the deduplicator's cache recovery reads the latest version).
 * `realtime: false` reads only what a refresh made searchable, which costs the
 * shard no refresh of its own.
 */
export async function getIndicators(
  client: ElasticsearchClient,
  index: string,
  ids: string[],
  options: { sourceIncludes?: readonly string[]; chunkSize?: number; realtime?: boolean } = {},
): Promise<StoredIndicator[]> {
  if (ids.length === 0) return [];
  // Large lookups are split into concurrent chunks: one mget runs on one search thread,
  // chunks spread over all of them.
  const chunkSize = options.chunkSize ?? 2_500;
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += chunkSize)
    chunks.push(ids.slice(start, start + chunkSize));
  const responses = await Promise.all(
    chunks.map((chunk) =>
      elasticsearchDriver(client).mget<Record<string, unknown>>({
        index,
        ids: chunk,
        realtime: options.realtime ?? true,
        ...(options.sourceIncludes ? { _source_includes: [...options.sourceIncludes] } : {}),
      }),
    ),
  );
  const found: StoredIndicator[] = [];
  for (const response of responses) {
    for (const doc of response.docs) {
      if ('found' in doc && doc.found && doc._source) found.push({ id: doc._id, document: doc._source });
    }
  }
  return found;
}

/**
 * Documents whose whole content is marked one of `tlps` (`dragnet.tlp`), or
 * that were stated at least once at one of `floorTlps` (`dragnet.tlp_floor`:
 * a reader cleared for it may know the indicator exists). The floor is never
 * above the marking, and a document written before the floor existed has
 * only its marking.
 */
function markedFor(tlps: readonly string[], floorTlps: readonly string[]): estypes.QueryDslQueryContainer {
  const should: estypes.QueryDslQueryContainer[] = [{ terms: { [FIELDS.tlp]: [...tlps] } }];
  if (floorTlps.length > 0) should.push({ terms: { [FIELDS.tlpFloor]: [...floorTlps] } });
  return { bool: { should, minimum_should_match: 1 } };
}

/**
 * Network (CIDR) indicators containing any of `ips` that a reader cleared for
 * `tlps` may know exist (matching by the network itself never depends on
 * what a partner said about it); callers project what they return.
 */
export async function findNetworksContaining(
  client: ElasticsearchClient,
  index: string,
  ips: string[],
  tlps: readonly string[],
  options: MatchOptions = {},
): Promise<StoredIndicator[]> {
  const clauses = ips.map((ip) => ({ term: { [FIELDS.network]: ip } }));
  return findKnownMatchingAny(client, index, clauses, tlps, options);
}

/**
 * URL indicators whose value is one of `urls` plus a fragment
 * (`http://a.example/?q=1` finds `http://a.example/?q=1#token`): canonical
 * URLs keep the fragment a partner reported, and a lookup without it must
 * still find them. Same marking filter as networks: every document the
 * reader may know exists.
 */
export async function findUrlsWithFragment(
  client: ElasticsearchClient,
  index: string,
  urls: string[],
  tlps: readonly string[],
  options: MatchOptions = {},
): Promise<StoredIndicator[]> {
  const clauses = urls.map((url) => ({ prefix: { [FIELDS.value]: `${url}#` } }));
  return findKnownMatchingAny(client, index, clauses, tlps, options);
}

interface MatchOptions {
  sourceIncludes?: readonly string[];
  /** Most hits returned (default 1,000). */
  limit?: number;
}

/** Documents a reader cleared for `tlps` may know exist that match any of `clauses`. */
async function findKnownMatchingAny(
  client: ElasticsearchClient,
  index: string,
  clauses: Record<string, unknown>[],
  tlps: readonly string[],
  options: MatchOptions,
): Promise<StoredIndicator[]> {
  if (clauses.length === 0) return [];
  const response = await elasticsearchDriver(client).search<Record<string, unknown>>({
    index,
    size: options.limit ?? 1_000,
    ...(options.sourceIncludes ? { _source_includes: [...options.sourceIncludes] } : {}),
    query: {
      bool: { filter: [markedFor(tlps, tlps), { bool: { should: clauses, minimum_should_match: 1 } }] },
    },
  });
  return hitsOf(response);
}

/** A sort key of a hit, passed back as `searchAfter` to get the next page. */
export type SortValue = string | number | boolean | null;

export interface IndicatorSearch {
  /** Lucene query-string syntax; empty means everything. */
  query: string;
  size: number;
  /** The previous page's last sort values (opaque to callers). */
  searchAfter?: SortValue[] | undefined;
  /** Documents whose whole content is marked one of these (`dragnet.tlp`) match. */
  tlps: readonly string[];
  /**
   * Also documents stated at least once at one of these (`dragnet.tlp_floor`):
   * only for queries that cannot match content above them. Default none.
   */
  floorTlps?: readonly string[];
  /** Date field sorted on, newest first (default `@timestamp`); documents without it come last. */
  sortField?: string;
}

export interface IndicatorPage {
  total: number;
  hits: StoredIndicator[];
  /** Sort values of the last hit: pass back as `searchAfter` for the next page; null on the last page. */
  next: SortValue[] | null;
}

/**
 * One page of a query-string search, newest first. Paging uses `search_after`
 * on (`sortField`, `dragnet.id`) — stable under concurrent indexing and not
 * capped at 10,000 like `from`.
 */
export async function searchIndicators(
  client: ElasticsearchClient,
  index: string,
  search: IndicatorSearch,
): Promise<IndicatorPage> {
  const filter: estypes.QueryDslQueryContainer[] = [markedFor(search.tlps, search.floorTlps ?? [])];
  const must: estypes.QueryDslQueryContainer[] =
    search.query.trim() === ''
      ? [{ match_all: {} }]
      : [
          {
            query_string: {
              query: search.query,
              default_field: FIELDS.value,
              allow_leading_wildcard: false,
              default_operator: 'AND',
            },
          },
        ];
  const response = await elasticsearchDriver(client).search<Record<string, unknown>>({
    index,
    size: search.size,
    track_total_hits: true,
    sort: [
      { [search.sortField ?? FIELDS.timestamp]: { order: 'desc', missing: 0, unmapped_type: 'date' } },
      { [FIELDS.id]: 'asc' },
    ],
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

export interface RefreshCandidates {
  /** Ids with why each needs a refresh. */
  candidates: { id: string; reason: 'expiry' | 'rescore' | 'reenrich' }[];
  /** Pass as `after` for the next page; null when this was the last. */
  next: string | null;
}

/**
 * Active indicators whose document is out of date, in id order: past their
 * computed expiry but not marked expired; scored longer ago than
 * `staleBefore` (decay has moved the score on); or enriched by provider
 * versions other than `versionsKey`. Paged by id with `search_after`, so a
 * sweep visits each indicator once even while the index changes.
 */
export async function findRefreshCandidates(
  client: ElasticsearchClient,
  index: string,
  request: {
    now: number;
    staleBefore: number;
    versionsKey: string | null;
    after: string | null;
    size: number;
  },
): Promise<RefreshCandidates> {
  const should: estypes.QueryDslQueryContainer[] = [
    { range: { [FIELDS.expiresAt]: { lte: request.now, format: 'epoch_millis' } } },
    { range: { [FIELDS.ingested]: { lt: request.staleBefore, format: 'epoch_millis' } } },
  ];
  if (request.versionsKey !== null)
    should.push({
      bool: {
        filter: [{ term: { [FIELDS.enriched]: true } }],
        must_not: [{ term: { [FIELDS.enrichmentVersions]: request.versionsKey } }],
      },
    });
  const response = await elasticsearchDriver(client).search<Record<string, unknown>>({
    index,
    size: request.size,
    _source: [FIELDS.expiresAt, FIELDS.ingested, FIELDS.enrichmentVersions],
    sort: [{ [FIELDS.id]: 'asc' }],
    query: {
      bool: { filter: [{ term: { [FIELDS.expired]: false } }], should, minimum_should_match: 1 },
    },
    ...(request.after ? { search_after: [request.after] } : {}),
  });
  const candidates = response.hits.hits.flatMap((hit) => {
    if (!hit._id || !hit._source) return [];
    const source = hit._source as {
      dragnet?: { expires_at?: string; enrichment?: { versions?: string } };
      event?: { ingested?: string };
    };
    const expiresAt = Date.parse(source.dragnet?.expires_at ?? '');
    const reason: 'expiry' | 'rescore' | 'reenrich' =
      expiresAt <= request.now
        ? 'expiry'
        : request.versionsKey !== null &&
            source.dragnet?.enrichment !== undefined &&
            source.dragnet.enrichment.versions !== request.versionsKey
          ? 'reenrich'
          : 'rescore';
    return [{ id: hit._id, reason }];
  });
  const last = response.hits.hits.at(-1)?.sort?.[0];
  return {
    candidates,
    next: candidates.length === request.size && typeof last === 'string' ? last : null,
  };
}

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
 */
export async function findUnenriched(
  client: ElasticsearchClient,
  index: string,
  request: { changedBefore: number; after: string | null; size: number },
): Promise<UnenrichedPage> {
  const response = await elasticsearchDriver(client).search({
    index,
    size: request.size,
    _source: false,
    sort: [{ [FIELDS.id]: 'asc' }],
    query: {
      bool: {
        filter: [
          { term: { [FIELDS.expired]: false } },
          { term: { [FIELDS.enriched]: false } },
          { range: { [FIELDS.ingested]: { lt: request.changedBefore, format: 'epoch_millis' } } },
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

/** How many documents `index` holds (what a refresh made searchable). */
export async function countDocuments(client: ElasticsearchClient, index: string): Promise<number> {
  return (await elasticsearchDriver(client).count({ index })).count;
}

/**
 * The indexed indicator reported by the most partners (ties: lowest id), as
 * stored, without its raw enrichment result; null when the index is empty.
 * Refreshes first, so what was just indexed counts (`dragnet sample`).
 */
export async function findMostReported(
  client: ElasticsearchClient,
  index: string,
): Promise<Record<string, unknown> | null> {
  const driver = elasticsearchDriver(client);
  await driver.indices.refresh({ index });
  const result = await driver.search<Record<string, unknown>>({
    index,
    size: 1,
    sort: [{ [FIELDS.providerCount]: 'desc' }, { [FIELDS.id]: 'asc' }],
    _source_excludes: [FIELDS.enrichmentResult],
  });
  return result.hits.hits[0]?._source ?? null;
}
