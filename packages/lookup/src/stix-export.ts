import { InvalidRequestError } from './errors.js';
import { type LookupScope, MAX_PAGE_SIZE, searchStored } from './lookup.js';
import { toStixBundle } from './stix-bundle.js';

/** Most indicators one export holds; larger exports page through `/v1/search` or narrow the query. */
export const MAX_EXPORT_INDICATORS = 10_000;

/** The indicators matching `query` (newest first, at most `limit`) as a STIX 2.1 bundle. */
export async function exportStix(
  scope: LookupScope,
  request: { query: string; limit: number },
  now = new Date(),
): Promise<Record<string, unknown>> {
  if (!Number.isInteger(request.limit) || request.limit < 1 || request.limit > MAX_EXPORT_INDICATORS)
    throw new InvalidRequestError(
      'invalid_limit',
      `limit: expected an integer from 1 to ${MAX_EXPORT_INDICATORS}`,
    );
  const documents: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  while (documents.length < request.limit) {
    const size = Math.min(MAX_PAGE_SIZE, request.limit - documents.length);
    const page = await searchStored(scope, { query: request.query, size, cursor });
    documents.push(...page.hits.map((hit) => hit.document));
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return toStixBundle(documents, now);
}
