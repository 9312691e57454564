import { FIELDS } from '@dragnet/document';

/**
 * Fields whose values come from the observable itself (its value, type and
 * enrichment), never from what a partner said about it under some marking.
 * A query that names only these cannot match a document by content above the
 * reader's TLP, so it may run over every document the reader may know exists.
 */
const MARKING_FREE_FIELDS = new Set<string>([
  FIELDS.id,
  FIELDS.kind,
  FIELDS.value,
  FIELDS.network,
  FIELDS.tlpFloor,
  FIELDS.suppressed,
  FIELDS.enriched,
  FIELDS.type,
  FIELDS.name,
  FIELDS.ip,
  FIELDS.emailAddress,
]);
/** Whole subtrees (`threat.indicator.url.*`, …) of marking-free fields. */
const MARKING_FREE_PREFIXES = [
  FIELDS.url,
  FIELDS.fileHash,
  FIELDS.as,
  FIELDS.geo,
  FIELDS.related,
  FIELDS.enrichment,
  FIELDS.warninglists,
].map((path) => `${path}.`);

const FIELD_NAME = /^[A-Za-z0-9_.]+$/;

const markingFree = (field: string) =>
  FIELD_NAME.test(field) &&
  (MARKING_FREE_FIELDS.has(field) || MARKING_FREE_PREFIXES.some((prefix) => field.startsWith(prefix)));

/**
 * Whether a query-string query provably names only marking-free fields
 * (unqualified terms go to `dragnet.value`). Conservative by construction:
 * any syntax this scanner does not fully understand — an escape or a `/`
 * outside a phrase, an unterminated phrase, a field name with a wildcard, a
 * `:` without a plain field name before it — answers false, and the query
 * then runs only over documents the reader may see whole. A wrong "false"
 * costs recall; a wrong "true" is impossible without a `:` this scan saw.
 */
export function namesOnlyMarkingFreeFields(query: string): boolean {
  let token = '';
  for (let i = 0; i < query.length; i++) {
    const char = query[i]!;
    if (char === '"') {
      const end = closingQuote(query, i + 1);
      if (end === -1) return false;
      i = end;
      token = '';
      continue;
    }
    if (char === '\\' || char === '/') return false;
    if (char === ':') {
      const field = token.replace(/^[+\-!&|]+/, '');
      if (!markingFree(field)) return false;
      token = '';
      continue;
    }
    token = /[\s()[\]{}^]/.test(char) ? '' : token + char;
  }
  return true;
}

/** Index of the `"` closing a phrase opened before `from` (escapes skipped), or -1. */
function closingQuote(query: string, from: number): number {
  for (let i = from; i < query.length; i++) {
    if (query[i] === '\\') i++;
    else if (query[i] === '"') return i;
  }
  return -1;
}
