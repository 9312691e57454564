import { FIELDS, lastSeenAtField } from '@dragnet/document';
import {
  type ElasticsearchClient,
  findNetworksContaining,
  findUrlsWithFragment,
  getIndicators,
  isBadRequest,
  rejectionReason,
  type StoredIndicator,
  searchIndicators,
} from '@dragnet/elasticsearch';
import { parseIpv4, parseIpv6, type Tlp } from '@dragnet/indicators';
import { InvalidRequestError } from './errors.js';
import { type ResolvedObservable, resolveObservable } from './observables.js';
import { projectDocument, visibility } from './projection.js';
import { namesOnlyMarkingFreeFields } from './search-scope.js';
import { type IndicatorSummary, SUMMARY_FIELDS, summarize } from './summary.js';
import { tlpsUpTo } from './tlp.js';

export interface LookupScope {
  client: ElasticsearchClient;
  /** The read alias. */
  index: string;
  /**
   * The most restrictive TLP the reader may see. Every answer is a projection
   * for it: content stated above it is absent, and an indicator stated only
   * above it is treated as unknown.
   */
  maxTlp: Tlp;
}

/** Most observables one bulk lookup takes. */
export const MAX_LOOKUP_OBSERVABLES = 10_000;

export type SingleLookup =
  | { outcome: 'invalid'; reason: string; message: string }
  | { outcome: 'unknown'; id: string; kind: string; value: string }
  | { outcome: 'found'; id: string; document: Record<string, unknown> };

/** One observable, by its deterministic id, projected for the reader's TLP (stated only above it: unknown). */
export async function lookupOne(scope: LookupScope, input: string): Promise<SingleLookup> {
  const resolved = resolveObservable(input);
  if (!resolved.ok) return { outcome: 'invalid', reason: resolved.reason, message: resolved.message };
  const [stored] = await getIndicators(scope.client, scope.index, [resolved.id]);
  const document = stored ? projectDocument(stored.document, scope.maxTlp) : null;
  if (stored && document) return { outcome: 'found', id: stored.id, document };
  // Canonical URLs keep the partner's fragment: the URL without one still finds them.
  if (resolved.kind === 'url' && !resolved.value.includes('#')) {
    const variants = await findUrlsWithFragment(
      scope.client,
      scope.index,
      [resolved.value],
      tlpsUpTo(scope.maxTlp),
    );
    for (const variant of variants) {
      const projected = projectDocument(variant.document, scope.maxTlp);
      if (projected) return { outcome: 'found', id: variant.id, document: projected };
    }
  }
  return { outcome: 'unknown', id: resolved.id, kind: resolved.kind, value: resolved.value };
}

/**
 * Projects documents read with `SUMMARY_FIELDS` only: those the reader may
 * see whole stay as read; those it sees in part are read again whole (one
 * `mget`) and projected, as a projection needs every bucket.
 */
async function projectSummaries(scope: LookupScope, stored: StoredIndicator[]): Promise<StoredIndicator[]> {
  const partial = stored.filter((item) => visibility(item.document, scope.maxTlp) === 'part');
  const whole = new Map(
    (
      await getIndicators(
        scope.client,
        scope.index,
        partial.map((item) => item.id),
      )
    ).map((item) => [item.id, item.document]),
  );
  return stored.flatMap((item) => {
    const seen = visibility(item.document, scope.maxTlp);
    if (seen === 'whole') return [item];
    const full = seen === 'part' ? whole.get(item.id) : undefined;
    const document = full ? projectDocument(full, scope.maxTlp) : null;
    return document ? [{ id: item.id, document }] : [];
  });
}

export interface LookupMatch {
  /** Every input (as given) that resolved to this indicator. */
  inputs: string[];
  /**
   * `observable`: the indicator is the observable itself; `network`: a CIDR
   * indicator containing the IP; `url_fragment`: the URL with a fragment the
   * partner reported (`…?q=1#token` for `…?q=1`).
   */
  matched_by: 'observable' | 'network' | 'url_fragment';
  indicator: IndicatorSummary;
}

export interface LookupResult {
  matches: LookupMatch[];
  invalid: { index: number; input: string; reason: string; message: string }[];
  /** Valid inputs Dragnet knows nothing about (or nothing the reader may see). */
  unknown: string[];
}

/** The inputs of a bulk lookup by what each is looked up as. */
interface ResolvedInputs {
  invalid: LookupResult['invalid'];
  /** Indicator id → the inputs that resolved to it. */
  byId: Map<string, string[]>;
  /** IP → inputs, for networks containing it. */
  ips: Map<string, string[]>;
  /** A URL without a fragment → inputs, for the same URL reported with one. */
  fragmentless: Map<string, string[]>;
}

function resolveInputs(
  inputs: readonly unknown[],
  onResolved: ((index: number, resolved: ResolvedObservable) => void) | undefined,
): ResolvedInputs {
  const resolvedInputs: ResolvedInputs = {
    invalid: [],
    byId: new Map(),
    ips: new Map(),
    fragmentless: new Map(),
  };
  inputs.forEach((input, index) => {
    const resolved = resolveObservable(input);
    onResolved?.(index, resolved);
    if (!resolved.ok) {
      resolvedInputs.invalid.push({
        index,
        input: resolved.input,
        reason: resolved.reason,
        message: resolved.message,
      });
      return;
    }
    const given = resolved.input;
    appendTo(resolvedInputs.byId, resolved.id, given);
    if (resolved.kind === 'ipv4' || resolved.kind === 'ipv6')
      appendTo(resolvedInputs.ips, resolved.value, given);
    if (resolved.kind === 'url' && !resolved.value.includes('#'))
      appendTo(resolvedInputs.fragmentless, resolved.value, given);
  });
  return resolvedInputs;
}

/**
 * Bulk "do we know these?": one `mget` for the ids, one search for CIDR
 * indicators containing any of the IPs. Inputs that canonicalise to the same
 * indicator share one match.
 */
export async function lookupMany(
  scope: LookupScope,
  inputs: readonly unknown[],
  /** Sees each input as resolved (the API's audit trail records the ids without resolving twice). */
  onResolved?: (index: number, resolved: ResolvedObservable) => void,
): Promise<LookupResult> {
  if (inputs.length > MAX_LOOKUP_OBSERVABLES)
    throw new InvalidRequestError(
      'too_many_observables',
      `at most ${MAX_LOOKUP_OBSERVABLES} observables per lookup (got ${inputs.length})`,
      413,
    );
  const { invalid, byId, ips, fragmentless } = resolveInputs(inputs, onResolved);
  const [exact, networks, fragments] = await Promise.all([
    getIndicators(scope.client, scope.index, [...byId.keys()], { sourceIncludes: SUMMARY_FIELDS }).then(
      (found) => projectSummaries(scope, found),
    ),
    // A network matches by its value, whatever the marking: every one the reader may know exists.
    findNetworksContaining(scope.client, scope.index, [...ips.keys()], tlpsUpTo(scope.maxTlp), {
      sourceIncludes: SUMMARY_FIELDS,
    }).then((found) => projectSummaries(scope, found)),
    findUrlsWithFragment(scope.client, scope.index, [...fragmentless.keys()], tlpsUpTo(scope.maxTlp), {
      sourceIncludes: SUMMARY_FIELDS,
    }).then((found) => projectSummaries(scope, found)),
  ]);
  const matches: LookupMatch[] = [];
  const matchedInputs = new Set<string>();
  const match = (given: string[], matchedBy: LookupMatch['matched_by'], stored: StoredIndicator) => {
    if (given.length === 0) return;
    for (const input of given) matchedInputs.add(input);
    matches.push({ inputs: given, matched_by: matchedBy, indicator: summarize(stored.document) });
  };
  for (const stored of exact) match(byId.get(stored.id) ?? [], 'observable', stored);
  for (const stored of networks) {
    const given = [...ips].filter(([ip]) => networkContains(stored, ip)).flatMap(([, from]) => from);
    match(given, 'network', stored);
  }
  for (const stored of fragments) {
    const value = String((stored.document.dragnet as Record<string, unknown> | undefined)?.value ?? '');
    match(fragmentless.get(value.slice(0, value.indexOf('#'))) ?? [], 'url_fragment', stored);
  }
  const unknown = [...byId.values()].flat().filter((input) => !matchedInputs.has(input));
  return { matches, invalid, unknown };
}

export interface SearchPage {
  total: number;
  indicators: IndicatorSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

export const MAX_PAGE_SIZE = 1_000;

/**
 * A query-string search (`threat.indicator.type:url AND dragnet.score:>=70`),
 * one page at a time, newest first by what the reader sees. See
 * `searchStored` for what a query may match.
 */
export async function searchPage(
  scope: LookupScope,
  request: { query: string; size: number; cursor?: string | undefined },
): Promise<SearchPage> {
  const page = await searchStored(scope, request);
  return {
    total: page.total,
    indicators: page.hits.map((hit) => summarize(hit.document)),
    next_cursor: page.next_cursor,
  };
}

/**
 * `searchPage` returning the (projected) documents — the STIX export needs
 * all of them. A query must not find a document by content above the
 * reader's TLP: a query naming only fields that come from the observable
 * itself (value, type, enrichment: `namesOnlyMarkingFreeFields`) runs over
 * every document the reader may know exists; any other query runs only over
 * documents the reader may see whole (a TLP:GREEN key searching
 * `tags:"victim:bank"` cannot find a document whose only such tag is AMBER,
 * nor one whose GREEN part has that tag, a loss of recall accepted for a
 * proof that is one linear scan). Order and cursor use the latest sighting
 * visible to the reader (`dragnet.last_seen_at.<tlp>`).
 */
export async function searchStored(
  scope: LookupScope,
  request: { query: string; size: number; cursor?: string | undefined },
): Promise<{ total: number; hits: StoredIndicator[]; next_cursor: string | null }> {
  if (!Number.isInteger(request.size) || request.size < 1 || request.size > MAX_PAGE_SIZE)
    throw new InvalidRequestError('invalid_size', `size: expected an integer from 1 to ${MAX_PAGE_SIZE}`);
  if (request.query.length > 4_096)
    throw new InvalidRequestError('query_too_long', 'q: at most 4096 characters');
  try {
    const visibleTlps = tlpsUpTo(scope.maxTlp);
    const page = await searchIndicators(scope.client, scope.index, {
      query: request.query,
      size: request.size,
      searchAfter: request.cursor ? decodeCursor(request.cursor) : undefined,
      tlps: visibleTlps,
      floorTlps: namesOnlyMarkingFreeFields(request.query) ? visibleTlps : [],
      // Cleared for everything, nothing can leak: the plain index order.
      sortField: scope.maxTlp === 'red' ? FIELDS.timestamp : lastSeenAtField(scope.maxTlp),
    });
    return {
      total: page.total,
      hits: page.hits.flatMap((hit) => {
        const document = projectDocument(hit.document, scope.maxTlp);
        return document ? [{ id: hit.id, document }] : [];
      }),
      next_cursor: page.next ? Buffer.from(JSON.stringify(page.next)).toString('base64url') : null,
    };
  } catch (error) {
    if (isBadRequest(error)) throw new InvalidRequestError('invalid_query', `q: ${rejectionReason(error)}`);
    throw error;
  }
}

function decodeCursor(cursor: string): (string | number)[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === 2 &&
      values.every((value) => typeof value === 'string' || typeof value === 'number')
    )
      return values as (string | number)[];
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidRequestError('invalid_cursor', 'cursor: not a cursor this API returned');
}

function appendTo(map: Map<string, string[]>, key: string, value: string): void {
  const existing = map.get(key);
  if (existing) existing.push(value);
  else map.set(key, [value]);
}

/** Elasticsearch matched the network by any of the IPs; this says which of them it contains. */
function networkContains(stored: StoredIndicator, ip: string): boolean {
  const network = (stored.document.dragnet as { network?: unknown } | undefined)?.network;
  const cidr =
    typeof network === 'string' ? network : String((stored.document.dragnet as { value?: unknown }).value);
  return cidrContains(cidr, ip);
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  if (!base) return false;
  const a = addressBits(base);
  const b = addressBits(ip);
  if (a === null || b === null || a.length !== b.length) return false;
  const bits = bitsText === undefined ? a.length : Number(bitsText);
  return a.slice(0, bits) === b.slice(0, bits);
}

/** The address as a bit string: IPv4 octets or IPv6 groups from the indicator library's parsers. */
function addressBits(address: string): string | null {
  const octets = parseIpv4(address);
  if (octets) return octets.map((octet) => octet.toString(2).padStart(8, '0')).join('');
  const groups = parseIpv6(address);
  return groups ? groups.map((group) => group.toString(2).padStart(16, '0')).join('') : null;
}
