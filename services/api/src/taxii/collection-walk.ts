import { type AddedIndicator, type ElasticsearchClient, searchAddedIndicators } from '@dragnet/elasticsearch';
import type { Tlp } from '@dragnet/indicators';
import { documentStixObjects, projectDocument, tlpsUpTo } from '@dragnet/lookup';
import type { Collection } from './collections.js';
import { matchesObject, type ObjectQuery } from './object-filters.js';
import {
  type Cursor,
  type DocumentGroup,
  decodeCursor,
  encodeCursor,
  type FillState,
  fillPage,
  type ServedObject,
} from './paging.js';

export interface WalkScope {
  client: ElasticsearchClient;
  index: string;
  collection: Collection;
  /** The lower of the key's and the collection's ceilings. */
  ceiling: Tlp;
  /** Epoch ms; documents added after it are not served yet (see `settleMs`). */
  addedUpTo: number;
}

export interface WalkPage {
  objects: ServedObject[];
  more: boolean;
  next?: string;
}

/** Index reads per request, at most: a filter that matches little returns a short page with `more`, not a long wait. */
const MAX_ROUNDS = 8;
const MAX_DOCUMENTS_PER_ROUND = 1_000;

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * Whether the reader's projection of a document belongs to the collection.
 * The index query already narrowed by the whole document; this decides on
 * what the reader sees, so content above the reader never changes the answer.
 */
export function inCollection(collection: Collection, projected: Record<string, unknown>): boolean {
  const dragnet = record(projected.dragnet);
  if (collection.kinds && !collection.kinds.includes(dragnet.kind as never)) return false;
  if (collection.activeOnly && dragnet.active !== true) return false;
  if (collection.minScore !== undefined && !(Number(dragnet.score) >= collection.minScore)) return false;
  const sources = Array.isArray(dragnet.sources) ? dragnet.sources : [];
  const providers = sources.map((source) => record(source).provider);
  if (collection.partners && !collection.partners.some((partner) => providers.includes(partner)))
    return false;
  const tags = Array.isArray(projected.tags) ? projected.tags : [];
  if (collection.tags && !collection.tags.some((tag) => tags.includes(tag))) return false;
  return true;
}

/** A stored document as the reader's group of STIX objects, or null when it is not theirs to see. */
export function documentGroup(
  hit: AddedIndicator,
  collection: Collection,
  ceiling: Tlp,
): DocumentGroup | null {
  const projected = projectDocument(hit.document, ceiling);
  if (!projected || !inCollection(collection, projected)) return null;
  const added = new Date(hit.added).toISOString();
  const { own, shared } = documentStixObjects(projected, {
    modified: added,
    revoked: record(projected.dragnet).active === false,
  });
  return { id: hit.id, added: hit.added, objects: [...shared, ...own], sharedCount: shared.length };
}

/**
 * One page of a collection's objects in the order they were added, resuming
 * from the query's `next`. The page holds at most `limit` objects, fewer
 * only when the collection ends or the round budget runs out.
 */
export async function walkCollection(
  scope: WalkScope,
  query: ObjectQuery,
  documentIds?: readonly string[],
): Promise<WalkPage> {
  const start: Cursor = query.next
    ? decodeCursor(query.next, scope.collection.id)
    : { collection: scope.collection.id, after: null, partial: null };
  const state: FillState = {
    served: [],
    sharedInPage: new Set(),
    after: start.after,
    partial: start.partial,
  };
  const visible = tlpsUpTo(scope.ceiling);
  const wanted = (object: Parameters<typeof matchesObject>[1], added: number) =>
    matchesObject(query, object, added);
  // A document is at least an indicator, its observable and their relationship, unless `match[…]` narrows.
  let objectsPerDocument = query.types || query.ids ? 1 : 3;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await searchAddedIndicators(scope.client, scope.index, {
      wholeTlps: visible,
      floorTlps: visible,
      kinds: scope.collection.kinds,
      providers: scope.collection.partners,
      tags: scope.collection.tags,
      minScore: scope.collection.minScore,
      activeOnly: scope.collection.activeOnly,
      ids: documentIds,
      addedAfter: query.addedAfter,
      addedUpTo: scope.addedUpTo,
      after: state.after ?? undefined,
      size: documentsToRead(query.limit - state.served.length, objectsPerDocument),
    });
    const groups = page.hits.flatMap((hit) => documentGroup(hit, scope.collection, scope.ceiling) ?? []);
    const before = state.served.length;
    if (fillPage(state, groups, query.limit, wanted)) return pageWithNext(state, scope);
    // What this round yielded per document read sizes the next read (a filter can make it small).
    objectsPerDocument = page.hits.length > 0 ? (state.served.length - before) / page.hits.length : 1;
    const last = page.hits.at(-1);
    if (last) state.after = [last.added, last.id];
    if (!page.more) return { objects: state.served, more: false };
    if (state.served.length >= query.limit) break;
  }
  return pageWithNext(state, scope);
}

/**
 * Documents to read for `remaining` objects: whole documents are read, so
 * reading one per wanted object would fetch several times what the page
 * holds. One more than the estimate, so a short estimate still ends the page.
 */
export function documentsToRead(remaining: number, objectsPerDocument: number): number {
  const estimate = Math.ceil(remaining / Math.max(objectsPerDocument, 0.01)) + 1;
  return Math.max(1, Math.min(MAX_DOCUMENTS_PER_ROUND, estimate));
}

function pageWithNext(state: FillState, scope: WalkScope): WalkPage {
  const next = encodeCursor({ collection: scope.collection.id, after: state.after, partial: state.partial });
  return { objects: state.served, more: true, next };
}
