import { FIELDS } from '@dragnet/document';
import type { estypes } from '@elastic/elasticsearch';
import { type ElasticsearchClient, elasticsearchDriver } from './driver.js';

/**
 * What a TAXII collection may contain, as an index query. Documents a reader
 * sees whole (`dragnet.tlp` in `wholeTlps`) are filtered exactly; documents
 * it sees only in part (`dragnet.tlp_floor` in `floorTlps`, marking above)
 * are filtered only by what cannot exclude their visible projection (kind,
 * and partners and tags, of which the projection has a subset) — the caller
 * checks the projection itself, whose score and activity may differ.
 */
export interface AddedFilter {
  wholeTlps: readonly string[];
  floorTlps: readonly string[];
  kinds?: readonly string[] | undefined;
  providers?: readonly string[] | undefined;
  tags?: readonly string[] | undefined;
  minScore?: number | undefined;
  activeOnly?: boolean | undefined;
  /** Only these document ids (`dragnet.id`). */
  ids?: readonly string[] | undefined;
}

export interface AddedSearch extends AddedFilter {
  /** Epoch ms; only documents written after it (`event.ingested` >). */
  addedAfter?: number | undefined;
  /** Epoch ms; only documents written at or before it. */
  addedUpTo: number;
  /** The last (date added, id) already served: the page starts after it. */
  after?: readonly [number, string] | undefined;
  size: number;
}

export interface AddedIndicator {
  id: string;
  /** `event.ingested` in epoch ms: when this version of the document was written. */
  added: number;
  document: Record<string, unknown>;
}

export interface AddedPage {
  hits: AddedIndicator[];
  /** Whether documents past the last hit match too. */
  more: boolean;
}

/**
 * One page of documents in the order they were added (`event.ingested`, then
 * id), with `search_after` — never `from` — so a walk while documents are
 * written sees each document already there once, wherever its page falls.
 */
export async function searchAddedIndicators(
  client: ElasticsearchClient,
  index: string,
  search: AddedSearch,
): Promise<AddedPage> {
  const response = await elasticsearchDriver(client).search<Record<string, unknown>>({
    index,
    size: search.size + 1,
    track_total_hits: false,
    sort: [{ [FIELDS.ingested]: { order: 'asc' } }, { [FIELDS.id]: 'asc' }],
    query: { bool: { filter: addedFilter(search) } },
    ...(search.after ? { search_after: [...search.after] } : {}),
  });
  const hits = response.hits.hits.flatMap((hit): AddedIndicator[] => {
    const added = hit.sort?.[0];
    return hit._source && hit._id && typeof added === 'number'
      ? [{ id: hit._id, added, document: hit._source }]
      : [];
  });
  return { hits: hits.slice(0, search.size), more: hits.length > search.size };
}

function addedFilter(search: AddedSearch): estypes.QueryDslQueryContainer[] {
  // Epoch ms as strings, as `format: epoch_millis` reads them.
  const range: estypes.QueryDslDateRangeQuery = { lte: String(search.addedUpTo), format: 'epoch_millis' };
  if (search.addedAfter !== undefined) range.gt = String(search.addedAfter);
  const filter: estypes.QueryDslQueryContainer[] = [{ range: { [FIELDS.ingested]: range } }];
  if (search.ids) filter.push({ terms: { [FIELDS.id]: [...search.ids] } });
  if (search.kinds) filter.push({ terms: { [FIELDS.kind]: [...search.kinds] } });
  const content: estypes.QueryDslQueryContainer[] = [];
  if (search.providers) content.push({ terms: { [FIELDS.sourceProvider]: [...search.providers] } });
  if (search.tags) content.push({ terms: { [FIELDS.tags]: [...search.tags] } });
  const whole: estypes.QueryDslQueryContainer[] = [
    { terms: { [FIELDS.tlp]: [...search.wholeTlps] } },
    ...content,
  ];
  if (search.minScore !== undefined) whole.push({ range: { [FIELDS.score]: { gte: search.minScore } } });
  if (search.activeOnly) whole.push({ term: { [FIELDS.active]: true } });
  const should: estypes.QueryDslQueryContainer[] = [{ bool: { filter: whole } }];
  if (search.floorTlps.length > 0)
    should.push({
      bool: {
        filter: [{ terms: { [FIELDS.tlpFloor]: [...search.floorTlps] } }, ...content],
        must_not: [{ terms: { [FIELDS.tlp]: [...search.wholeTlps] } }],
      },
    });
  filter.push({ bool: { should, minimum_should_match: 1 } });
  return filter;
}
