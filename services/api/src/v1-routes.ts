import type { ApiKey } from '@dragnet/api-keys';
import { exportStix, lookupMany, lookupOne, type ResolvedObservable, searchPage } from '@dragnet/lookup';
import { type AuditedObservable, bulkOutcomes } from './audit-record.js';
import {
  type AuditContext,
  error,
  type Reply,
  type RequestContext,
  type RouteCall,
  type RouteDefinition,
} from './http-reply.js';
import {
  completeLookupResult,
  type LookupRequest,
  parseLookupBody,
  refuseObservable,
} from './lookup-request.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { lookupCost, type RateDecision, type RateLimiter } from './rate-limit.js';
import { integerParameter, readBody } from './request-body.js';
import { pathPattern } from './route-table.js';
import { checkSearchQuery } from './search-query.js';
import { markWithheld } from './withheld.js';

export interface V1Options {
  rateLimiter: RateLimiter;
  maxBodyBytes: number;
  observablesPerUnit: number;
  rateLimited(key: ApiKey, rate: RateDecision): Reply;
}

/** The lookup API's own routes (`/v1/…`, `/openapi.json`); see docs/api.md. */
export function v1Routes(options: V1Options): RouteDefinition[] {
  const route = (
    name: RouteDefinition['name'],
    method: RouteDefinition['method'],
    pattern: string,
    handle: RouteDefinition['handle'],
  ): RouteDefinition => ({ name, method, path: pathPattern(pattern), family: 'v1', handle });
  return [
    route('indicator', 'GET', '/v1/indicators/*value', getIndicator),
    route('lookup', 'POST', '/v1/lookup', (call) => postLookup(call, options)),
    route('search', 'GET', '/v1/search', getSearch),
    route('export_stix', 'GET', '/v1/export/stix', getExport),
    {
      ...route('openapi', 'GET', '/openapi.json', async () => ({ status: 200, body: OPENAPI_DOCUMENT })),
      public: true,
    },
  ];
}

async function getIndicator({ parameters, scope, audit }: RouteCall): Promise<Reply> {
  let value: string;
  try {
    value = decodeURIComponent(parameters.value ?? '');
  } catch {
    return error(400, 'invalid_encoding', 'the indicator value is not valid percent-encoding');
  }
  audit.observableCount = 1;
  const refusal = refuseObservable(value);
  if (refusal) {
    audit.observables = [{ input: value, id: null, outcome: 'invalid', matched: [] }];
    return error(400, refusal.reason, refusal.message);
  }
  const result = await lookupOne(scope, value);
  if (result.outcome === 'invalid') {
    audit.observables = [{ input: value, id: null, outcome: 'invalid', matched: [] }];
    return error(400, result.reason, result.message);
  }
  if (result.outcome === 'unknown') {
    const observables: AuditedObservable[] = [
      { input: value, id: result.id, outcome: 'unknown', matched: [] },
    ];
    await markWithheld(scope, observables);
    audit.observables = observables;
    return error(404, 'unknown_indicator', `no indicator ${result.id} (${result.kind})`);
  }
  audit.observables = [{ input: value, id: result.id, outcome: 'matched', matched: [result.id] }];
  return { status: 200, body: { id: result.id, document: result.document } };
}

async function postLookup(call: RouteCall, options: V1Options): Promise<Reply> {
  const { request, key, scope, context, audit } = call;
  const lookup = parseLookupBody(await readBody(request, options.maxBodyBytes));
  context.observables = lookup.count;
  audit.observableCount = lookup.count;
  const perUnit = options.observablesPerUnit;
  const cost = lookupCost(lookup.count, perUnit);
  if (cost > key.ratePerMinute)
    return error(
      413,
      'too_many_observables',
      `this key may look up at most ${key.ratePerMinute * perUnit} observables at once (${key.ratePerMinute} requests per minute, a bulk lookup counts one per ${perUnit})`,
    );
  if (cost > 1) {
    const rest = await options.rateLimiter.take(key.id, key.ratePerMinute, cost - 1);
    if (!rest.allowed) return options.rateLimited(key, rest);
  }
  const resolved: ResolvedObservable[] = new Array(lookup.observables.length);
  const result = await lookupMany(scope, lookup.observables, (index, observable) => {
    resolved[index] = observable;
  });
  const outcomes = bulkOutcomes(resolved, result);
  await markWithheld(scope, outcomes);
  audit.observables = inRequestOrder(lookup, outcomes);
  return { status: 200, body: completeLookupResult(lookup, result) };
}

async function getSearch({ url, searchScope, context, audit }: RouteCall): Promise<Reply> {
  const query = searchQuery(url, context, audit);
  const page = await searchPage(searchScope, {
    query,
    size: integerParameter(url, 'size', 100),
    cursor: url.searchParams.get('cursor') ?? undefined,
  });
  audit.results = { total: page.total, returned: page.indicators.length };
  return { status: 200, body: page };
}

async function getExport({ url, searchScope, context, audit }: RouteCall): Promise<Reply> {
  const query = searchQuery(url, context, audit);
  const bundle = await exportStix(searchScope, { query, limit: integerParameter(url, 'limit', 1_000) });
  const objects = Array.isArray(bundle.objects) ? (bundle.objects as { type?: unknown }[]) : [];
  audit.results = { returned: objects.filter((object) => object.type === 'indicator').length };
  return {
    status: 200,
    body: bundle,
    headers: { 'content-type': 'application/stix+json;version=2.1' },
  };
}

/** `q`, after the API's own refusals (expensive syntax, length, nesting). */
function searchQuery(url: URL, context: RequestContext, audit: AuditContext): string {
  const query = url.searchParams.get('q') ?? '';
  context.query_chars = query.length;
  audit.query = query;
  checkSearchQuery(query);
  return query;
}

/**
 * A bulk lookup's observables in request order: those the API refused itself
 * (non-strings, over-long) at their positions, the resolved ones at theirs.
 */
function inRequestOrder(lookup: LookupRequest, resolved: AuditedObservable[]): AuditedObservable[] {
  const ordered: AuditedObservable[] = new Array(lookup.count);
  for (const refused of lookup.refused)
    ordered[refused.index] = { input: refused.input, id: null, outcome: 'invalid', matched: [] };
  resolved.forEach((observable, index) => {
    const position = lookup.positions[index];
    if (position !== undefined) ordered[position] = observable;
  });
  return ordered.filter((observable) => observable !== undefined);
}
