import { FIELDS } from '@dragnet/document';
import type { estypes } from '@elastic/elasticsearch';
import { type ElasticsearchClient, elasticsearchDriver } from './driver.js';

/** One term and how many documents carry it. */
export interface TermCount {
  term: string;
  count: number;
}

/** What an index holds, counted by Elasticsearch (`dragnet demo summary`). */
export interface IndexOverview {
  documents: number;
  /** Documents per `dragnet.kind`, most first. */
  byKind: TermCount[];
  /** Documents each partner reported (a document reported by two partners counts for both), most first. */
  byPartner: TermCount[];
  /** Documents per number of reporting partners (`dragnet.provider_count`), fewest partners first. */
  byPartnerCount: { partners: number; count: number }[];
  /** Documents the enricher has answered for (`dragnet.enriched`). */
  enriched: number;
  /** The document reported by the most partners (ties: lowest id), only the fields a summary shows; null when empty. */
  mostReported: Record<string, unknown> | null;
}

// Bounds: kinds are a closed list, partners come from the registry; past these a summary would not be read anyway.
const MAX_KINDS = 100;
const MAX_PARTNERS = 1_000;
const MAX_PARTNER_COUNTS = 100;

const termCounts = (aggregation: unknown): TermCount[] =>
  (
    (aggregation as estypes.AggregationsStringTermsAggregate | undefined)?.buckets as
      | estypes.AggregationsStringTermsBucket[]
      | undefined
  )?.map((bucket) => ({ term: String(bucket.key), count: bucket.doc_count })) ?? [];

/**
 * Counts per kind, per partner and per number of partners, the enriched
 * count and the most reported document, in one refresh and one search.
 */
export async function indexOverview(client: ElasticsearchClient, index: string): Promise<IndexOverview> {
  const driver = elasticsearchDriver(client);
  await driver.indices.refresh({ index });
  const response = await driver.search<Record<string, unknown>>({
    index,
    size: 1,
    track_total_hits: true,
    sort: [{ [FIELDS.providerCount]: 'desc' }, { [FIELDS.id]: 'asc' }],
    _source_includes: [
      FIELDS.value,
      FIELDS.kind,
      FIELDS.score,
      FIELDS.tlp,
      FIELDS.providerCount,
      FIELDS.sourceProvider,
      FIELDS.sourceTlp,
    ],
    aggs: {
      kinds: { terms: { field: FIELDS.kind, size: MAX_KINDS } },
      partners: { terms: { field: FIELDS.sourceProvider, size: MAX_PARTNERS } },
      partnerCounts: {
        terms: { field: FIELDS.providerCount, size: MAX_PARTNER_COUNTS, order: { _key: 'asc' } },
      },
      enriched: { filter: { term: { [FIELDS.enriched]: true } } },
    },
  });
  const total = response.hits.total;
  const aggregations = response.aggregations ?? {};
  const partnerCounts = (aggregations.partnerCounts as estypes.AggregationsLongTermsAggregate | undefined)
    ?.buckets as estypes.AggregationsLongTermsBucket[] | undefined;
  return {
    documents: typeof total === 'number' ? total : (total?.value ?? 0),
    byKind: termCounts(aggregations.kinds),
    byPartner: termCounts(aggregations.partners),
    byPartnerCount: (partnerCounts ?? []).map((bucket) => ({
      partners: Number(bucket.key),
      count: bucket.doc_count,
    })),
    enriched: (aggregations.enriched as estypes.AggregationsFilterAggregate | undefined)?.doc_count ?? 0,
    mostReported: response.hits.hits[0]?._source ?? null,
  };
}
