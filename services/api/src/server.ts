import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@dragnet/elasticsearch';
import type { Logger } from '@dragnet/logger';
import {
  exportStix,
  InvalidRequestError,
  type LookupScope,
  lookupMany,
  lookupOne,
  type ResolvedObservable,
  searchPage,
} from '@dragnet/lookup';
import { Counter, Histogram, type Registry } from 'prom-client';
import { ApiKeySource } from './api-key-source.js';
import type { ApiKey, ApiKeyRing, Authentication } from './api-keys.js';
import { type AuditedObservable, auditDocument, bulkOutcomes } from './audit-record.js';
import { failureFields } from './failure-log.js';
import { DEFAULT_OBSERVABLES_PER_RATE_UNIT, DEFAULT_SEARCH_TIMEOUT_MS } from './limits.js';
import {
  completeLookupResult,
  type LookupRequest,
  parseLookupBody,
  refuseObservable,
} from './lookup-request.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { lookupCost, type RateDecision, type RateLimiter } from './rate-limit.js';
import { checkSearchQuery } from './search-query.js';
import { markWithheld } from './withheld.js';

/** Where each request's audit record goes (`AuditTrail`); see docs/api.md#audit-trail. */
export interface AuditSink {
  /** False once the bounded queue in front of the audit index is full: requests are then refused. */
  accepting(): boolean;
  /** `low`: a request without a valid key, which may be shed (counted) when the queue fills up. */
  append(document: Record<string, unknown>, priority?: 'normal' | 'low'): string | null;
}

export interface ApiDependencies {
  elasticsearch: Client;
  /** The read alias. */
  index: string;
  /** Fixed keys, or a source that re-reads them (revocation and expiry without a restart). */
  keys: ApiKeyRing | ApiKeySource;
  /** Every lookup, search and export request is recorded here before it is answered. */
  audit: AuditSink;
  rateLimiter: RateLimiter;
  logger: Logger;
  registry: Registry;
  /** Largest request body accepted (bytes). */
  maxBodyBytes: number;
  /** A bulk lookup costs one rate-limit unit per this many observables (default 100). */
  observablesPerRateUnit?: number;
  /** Longest wait for Elasticsearch on search and export (default 10 s). */
  searchTimeoutMs?: number;
}

/** The metric and log label of a request: a fixed set, so a client's paths never become label values. */
export type Route = 'indicator' | 'lookup' | 'search' | 'export_stix' | 'openapi' | 'unknown';

const ROUTE_METHODS: Record<Exclude<Route, 'unknown'>, 'GET' | 'POST'> = {
  indicator: 'GET',
  lookup: 'POST',
  search: 'GET',
  export_stix: 'GET',
  openapi: 'GET',
};

/** The route a path belongs to, whatever the method; `unknown` when it is none. */
export function routeOf(path: string): Route {
  if (path.startsWith('/v1/indicators/')) return 'indicator';
  if (path === '/v1/lookup') return 'lookup';
  if (path === '/v1/search') return 'search';
  if (path === '/v1/export/stix') return 'export_stix';
  if (path === '/openapi.json') return 'openapi';
  return 'unknown';
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What the logs may say about a request: the route, the key id and sizes — never its content. */
interface RequestContext {
  route: Route;
  key?: string;
  /** Length of `q` (search, export). */
  query_chars?: number;
  /** Observables in a bulk lookup. */
  observables?: number;
}

/** What the audit record of a request says beyond route and status; never logged. */
interface AuditContext {
  /** Set once the request is on an audited route and past the audit's own refusal. */
  audited: boolean;
  authentication?: Authentication;
  observableCount?: number;
  observables?: AuditedObservable[];
  query?: string;
  results?: { total?: number; returned: number };
}

const AUDIT_UNAVAILABLE =
  'the audit trail cannot be written; requests are refused until it can (retry later)';

const UNAUTHORIZED: Record<Exclude<Authentication['outcome'], 'valid'>, [code: string, message: string]> = {
  missing: ['unauthorized', 'missing or unknown API key (Authorization: Bearer <key> or X-API-Key)'],
  unknown: ['unauthorized', 'missing or unknown API key (Authorization: Bearer <key> or X-API-Key)'],
  expired: ['key_expired', 'this API key has expired; ask the operator for a new one'],
  revoked: ['key_revoked', 'this API key has been revoked'],
};

const error = (status: number, code: string, message: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { error: { code, message } },
  ...(headers ? { headers } : {}),
});

/**
 * The lookup API: routing, authentication, rate limiting, input limits. The
 * answers themselves come from @dragnet/lookup, which the CLI uses too.
 * Caller mistakes are 4xx with a code and message; only an unreachable (or
 * too slow) Elasticsearch or Redis is a 5xx. Logs carry route, status, key
 * id, sizes and duration — never the observables or query asked about.
 */
export function createApiHandler(deps: ApiDependencies) {
  const observablesPerUnit = deps.observablesPerRateUnit ?? DEFAULT_OBSERVABLES_PER_RATE_UNIT;
  // Search cost is in the client's hands: no retries, and a deadline after which the
  // connection is closed, which makes Elasticsearch cancel the search.
  const searchClient = deps.elasticsearch.child({
    requestTimeout: deps.searchTimeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS,
    maxRetries: 0,
  });
  const requests = new Counter({
    name: 'dragnet_api_requests_total',
    help: 'API requests by route and status',
    labelNames: ['route', 'status'],
    registers: [deps.registry],
  });
  const duration = new Histogram({
    name: 'dragnet_api_request_duration_seconds',
    help: 'API request duration by route',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [deps.registry],
  });

  const rateLimited = (key: ApiKey, rate: RateDecision): Reply =>
    error(
      429,
      'rate_limited',
      `more than ${key.ratePerMinute} requests per minute for this key (a bulk lookup counts one per ${observablesPerUnit} observables)`,
      { 'retry-after': String(Math.ceil(rate.resetMs / 1000)) },
    );

  async function route(
    request: IncomingMessage,
    context: RequestContext,
    audit: AuditContext,
  ): Promise<Reply> {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://api.invalid');
    } catch {
      return error(400, 'invalid_url', 'the request target is not a valid URL');
    }
    context.route = routeOf(url.pathname);
    if (context.route === 'unknown') return error(404, 'not_found', `no route ${url.pathname}`);
    const expected = ROUTE_METHODS[context.route];
    if (request.method !== expected)
      return error(405, 'method_not_allowed', `${url.pathname} takes ${expected}`, { allow: expected });
    if (context.route === 'openapi') return { status: 200, body: OPENAPI_DOCUMENT };
    // Accountability over availability: no answer that would go unrecorded.
    if (!deps.audit.accepting())
      return error(503, 'audit_unavailable', AUDIT_UNAVAILABLE, { 'retry-after': '5' });
    audit.audited = true;
    const ring = deps.keys instanceof ApiKeySource ? deps.keys.ring() : deps.keys;
    const authentication = ring.authenticate(request.headers);
    audit.authentication = authentication;
    if (authentication.outcome !== 'valid') {
      if ('key' in authentication) context.key = authentication.key.id;
      const [code, message] = UNAUTHORIZED[authentication.outcome];
      return error(401, code, message, { 'www-authenticate': 'Bearer' });
    }
    const { key } = authentication;
    context.key = key.id;
    // One unit up front, so a key that used up its minute is refused before its body is read.
    const rate = await deps.rateLimiter.take(key.id, key.ratePerMinute);
    if (!rate.allowed) return rateLimited(key, rate);
    const scope: LookupScope = { client: deps.elasticsearch, index: deps.index, maxTlp: key.maxTlp };
    const searchScope: LookupScope = { ...scope, client: searchClient };
    switch (context.route) {
      case 'indicator': {
        const raw = url.pathname.slice('/v1/indicators/'.length);
        let value: string;
        try {
          value = decodeURIComponent(raw);
        } catch {
          return error(400, 'invalid_encoding', 'the indicator value is not valid percent-encoding');
        }
        audit.observableCount = 1;
        const refusal = refuseObservable(value);
        const result = refusal ? null : await lookupOne(scope, value);
        if (!result || result.outcome === 'invalid') {
          audit.observables = [{ input: value, id: null, outcome: 'invalid', matched: [] }];
          return refusal
            ? error(400, refusal.reason, refusal.message)
            : error(400, (result as { reason: string }).reason, (result as { message: string }).message);
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
      case 'lookup': {
        const lookup = parseLookupBody(await readBody(request, deps.maxBodyBytes));
        context.observables = lookup.count;
        audit.observableCount = lookup.count;
        const cost = lookupCost(lookup.count, observablesPerUnit);
        if (cost > key.ratePerMinute)
          return error(
            413,
            'too_many_observables',
            `this key may look up at most ${key.ratePerMinute * observablesPerUnit} observables at once (${key.ratePerMinute} requests per minute, a bulk lookup counts one per ${observablesPerUnit})`,
          );
        if (cost > 1) {
          const rest = await deps.rateLimiter.take(key.id, key.ratePerMinute, cost - 1);
          if (!rest.allowed) return rateLimited(key, rest);
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
      case 'search': {
        const query = searchQuery(url, context, audit);
        const page = await searchPage(searchScope, {
          query,
          size: integerParameter(url, 'size', 100),
          cursor: url.searchParams.get('cursor') ?? undefined,
        });
        audit.results = { total: page.total, returned: page.indicators.length };
        return { status: 200, body: page };
      }
      case 'export_stix': {
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
    }
  }

  function failed(caught: unknown, context: RequestContext): Reply {
    if (caught instanceof InvalidRequestError) return error(caught.status, caught.code, caught.message);
    const fields = failureFields(caught);
    deps.logger.error({ ...context, error: fields }, 'request failed');
    if (fields.name === 'TimeoutError' && (context.route === 'search' || context.route === 'export_stix'))
      return error(503, 'search_timeout', 'the search did not finish in time; narrow q or retry later');
    return error(503, 'unavailable', 'the index or rate limiter is unavailable; retry later');
  }

  /** Queues the request's audit record (before the answer goes out) and names it in `x-request-id`. */
  function recorded(
    reply: Reply,
    request: {
      request: IncomingMessage;
      requestId: string;
      at: Date;
      context: RequestContext;
      audit: AuditContext;
    },
  ): Reply {
    const { audit, context } = request;
    const code = (reply.body as { error?: { code?: unknown } } | null)?.error?.code;
    const keyless =
      audit.authentication?.outcome === 'missing' || audit.authentication?.outcome === 'unknown';
    try {
      deps.audit.append(
        auditDocument({
          requestId: request.requestId,
          at: request.at,
          route: context.route,
          status: reply.status,
          errorCode: typeof code === 'string' ? code : undefined,
          clientAddress: request.request.socket.remoteAddress,
          authentication: audit.authentication,
          observableCount: audit.observableCount,
          observables: audit.observables,
          query: audit.query,
          results: audit.results,
        }),
        keyless ? 'low' : 'normal',
      );
    } catch (caught) {
      deps.logger.error({ ...context, error: failureFields(caught) }, 'audit record not queued');
      return error(503, 'audit_unavailable', AUDIT_UNAVAILABLE);
    }
    return { ...reply, headers: { ...reply.headers, 'x-request-id': request.requestId } };
  }

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const at = new Date();
    const requestId = randomUUID();
    const context: RequestContext = { route: 'unknown' };
    const audit: AuditContext = { audited: false };
    let reply: Reply;
    try {
      reply = await route(request, context, audit);
    } catch (caught) {
      reply = failed(caught, context);
    }
    if (audit.audited) reply = recorded(reply, { request, requestId, at, context, audit });
    const payload = JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      ...reply.headers,
    });
    response.end(payload);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    requests.inc({ route: context.route, status: String(reply.status) });
    duration.observe({ route: context.route }, seconds);
    deps.logger.debug({ ...context, status: reply.status, ms: seconds * 1000 }, 'request');
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

function integerParameter(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw))
    throw new InvalidRequestError(`invalid_${name}`, `${name}: expected an integer`);
  return Number(raw);
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new InvalidRequestError('unsupported_media_type', 'send Content-Type: application/json', 415);
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    request.resume();
    throw new InvalidRequestError('body_too_large', `request body over ${maxBytes} bytes`, 413);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      request.resume();
      throw new InvalidRequestError('body_too_large', `request body over ${maxBytes} bytes`, 413);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startApiServer(
  deps: ApiDependencies,
  options: { port: number; host?: string },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const handle = createApiHandler(deps);
  const server = createServer((request, response) => void handle(request, response));
  // Keep-alive clients (SOC tools, the benchmark) reuse connections; idle ones are reaped.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
