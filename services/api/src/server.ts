import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiKey, ApiKeyRing, Authentication } from '@dragnet/api-keys';
import { type ElasticsearchClient, withRequestTimeout } from '@dragnet/elasticsearch';
import type { Logger } from '@dragnet/logger';
import { InvalidRequestError, type LookupScope } from '@dragnet/lookup';
import { Counter, Histogram, type Registry } from 'prom-client';
import { ApiKeySource } from './api-key-source.js';
import { auditDocument } from './audit-record.js';
import { failureFields } from './failure-log.js';
import {
  type AuditContext,
  error,
  errorCode,
  type Reply,
  type RequestContext,
  type RouteDefinition,
  type RouteFamily,
} from './http-reply.js';
import { DEFAULT_OBSERVABLES_PER_RATE_UNIT, DEFAULT_SEARCH_TIMEOUT_MS } from './limits.js';
import type { RateDecision, RateLimiter } from './rate-limit.js';
import { findRoute, type PathParameters } from './route-table.js';
import { taxiiAuthenticate, taxiiErrorReply, WWW_AUTHENTICATE_TAXII } from './taxii/taxii-http.js';
import { type TaxiiOptions, taxiiRoutes } from './taxii/taxii-routes.js';
import { v1Routes } from './v1-routes.js';

export type { Route } from './http-reply.js';

/** Where each request's audit record goes (`AuditTrail`); see docs/api.md#audit-trail. */
export interface AuditSink {
  /** False once the bounded queue in front of the audit index is full: requests are then refused. */
  accepting(): boolean;
  /** `low`: a request without a valid key, which may be shed (counted) when the queue fills up. */
  append(document: Record<string, unknown>, priority?: 'normal' | 'low'): string | null;
}

export interface ApiDependencies {
  elasticsearch: ElasticsearchClient;
  /** The read alias. */
  index: string;
  /** Fixed keys, or a source that re-reads them (revocation and expiry without a restart). */
  keys: ApiKeyRing | ApiKeySource;
  /** Every lookup, search, export and TAXII request is recorded here before it is answered. */
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
  /** The TAXII 2.1 server (`/taxii2/…`); absent: those paths are unknown. */
  taxii?: TaxiiOptions;
}

const AUDIT_UNAVAILABLE =
  'the audit trail cannot be written; requests are refused until it can (retry later)';

const UNAUTHORIZED: Record<Exclude<Authentication['outcome'], 'valid'>, [code: string, message: string]> = {
  missing: ['unauthorized', 'missing or unknown API key (Authorization: Bearer <key> or X-API-Key)'],
  unknown: ['unauthorized', 'missing or unknown API key (Authorization: Bearer <key> or X-API-Key)'],
  expired: ['key_expired', 'this API key has expired; ask the operator for a new one'],
  revoked: ['key_revoked', 'this API key has been revoked'],
};

/** Paths under `/taxii2` answer in TAXII's shape even when no route matches them. */
const familyOfPath = (path: string): RouteFamily =>
  path === '/taxii2' || path.startsWith('/taxii2/') ? 'taxii' : 'v1';

/** A request as it goes through the pipeline: what the metrics, logs and audit record say about it. */
interface InFlight {
  request: IncomingMessage;
  requestId: string;
  at: Date;
  context: RequestContext;
  audit: AuditContext;
  family: RouteFamily;
}

/**
 * The lookup API and the TAXII server: one route table (method + path pattern
 * → handler), and in front of every handler the same steps — audit trail
 * accepting, key, rate limit. The answers themselves come from
 * @dragnet/lookup, which the CLI uses too. Caller mistakes are 4xx with a
 * code and message; only an unreachable (or too slow) Elasticsearch or Redis
 * is a 5xx. Logs carry route, status, key id, sizes and duration — never the
 * observables or query asked about.
 */
export function createApiHandler(deps: ApiDependencies) {
  const pipeline = createPipeline(deps);
  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const flight: InFlight = {
      request,
      requestId: randomUUID(),
      at: new Date(),
      context: { route: 'unknown' },
      audit: { audited: false },
      family: 'v1',
    };
    let reply: Reply;
    try {
      reply = await route(pipeline, flight);
    } catch (caught) {
      reply = failed(deps, caught, flight.context);
    }
    if (flight.audit.audited) reply = recorded(deps, reply, flight);
    if (flight.family === 'taxii') reply = taxiiErrorReply(reply);
    send(response, reply);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    pipeline.metrics.requests.inc({ route: flight.context.route, status: String(reply.status) });
    pipeline.metrics.duration.observe({ route: flight.context.route }, seconds);
    deps.logger.debug({ ...flight.context, status: reply.status, ms: seconds * 1000 }, 'request');
  };
}

/** What every request shares: the dependencies, the route table, the search client and the metrics. */
interface Pipeline {
  deps: ApiDependencies;
  table: RouteDefinition[];
  /** Search cost is in the client's hands: no retries, and a deadline after which Elasticsearch cancels it. */
  searchClient: ElasticsearchClient;
  metrics: ReturnType<typeof requestMetrics>;
  rateLimited(key: ApiKey, rate: RateDecision): Reply;
}

function createPipeline(deps: ApiDependencies): Pipeline {
  const observablesPerUnit = deps.observablesPerRateUnit ?? DEFAULT_OBSERVABLES_PER_RATE_UNIT;
  const searchClient = withRequestTimeout(
    deps.elasticsearch,
    deps.searchTimeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS,
  );
  const rateLimited = (key: ApiKey, rate: RateDecision): Reply =>
    error(
      429,
      'rate_limited',
      `more than ${key.ratePerMinute} requests per minute for this key (a bulk lookup counts one per ${observablesPerUnit} observables)`,
      { 'retry-after': String(Math.ceil(rate.resetMs / 1000)) },
    );
  const table: RouteDefinition[] = [
    ...v1Routes({
      rateLimiter: deps.rateLimiter,
      maxBodyBytes: deps.maxBodyBytes,
      observablesPerUnit,
      rateLimited,
    }),
    ...(deps.taxii ? taxiiRoutes(deps.taxii) : []),
  ];
  return { deps, table, searchClient, metrics: requestMetrics(deps.registry), rateLimited };
}

async function route(pipeline: Pipeline, flight: InFlight): Promise<Reply> {
  let url: URL;
  try {
    url = new URL(flight.request.url ?? '/', 'http://api.invalid');
  } catch {
    return error(400, 'invalid_url', 'the request target is not a valid URL');
  }
  flight.family = familyOfPath(url.pathname);
  const found = findRoute(pipeline.table, flight.request.method ?? 'GET', url.pathname);
  if (found.outcome === 'none') return error(404, 'not_found', `no route ${url.pathname}`);
  flight.context.route = found.entry.name;
  flight.family = found.entry.family;
  if (found.outcome === 'wrong_method') {
    const allow = found.allowed.join(', ');
    return error(405, 'method_not_allowed', `${url.pathname} takes ${allow}`, { allow });
  }
  if (found.entry.public) return found.entry.handle(publicCall(flight, url));
  return authorized(pipeline, found.entry, flight, { url, parameters: found.parameters });
}

/** Authenticates, rate-limits and calls the handler of a matched route. */
async function authorized(
  pipeline: Pipeline,
  definition: RouteDefinition,
  flight: InFlight,
  target: { url: URL; parameters: PathParameters },
): Promise<Reply> {
  const { deps } = pipeline;
  const { request, context, audit } = flight;
  // Accountability over availability: no answer that would go unrecorded.
  if (!deps.audit.accepting())
    return error(503, 'audit_unavailable', AUDIT_UNAVAILABLE, { 'retry-after': '5' });
  audit.audited = true;
  const ring = deps.keys instanceof ApiKeySource ? deps.keys.ring() : deps.keys;
  const authentication =
    definition.family === 'taxii'
      ? taxiiAuthenticate(ring, request.headers)
      : ring.authenticate(request.headers);
  audit.authentication = authentication;
  if (authentication.outcome !== 'valid') {
    if ('key' in authentication) context.key = authentication.key.id;
    const [code, message] = UNAUTHORIZED[authentication.outcome];
    const challenge = definition.family === 'taxii' ? WWW_AUTHENTICATE_TAXII : 'Bearer';
    return error(401, code, message, { 'www-authenticate': challenge });
  }
  const { key } = authentication;
  context.key = key.id;
  // One unit up front, so a key that used up its minute is refused before its body is read.
  const rate = await deps.rateLimiter.take(key.id, key.ratePerMinute);
  if (!rate.allowed) return pipeline.rateLimited(key, rate);
  const scope: LookupScope = { client: deps.elasticsearch, index: deps.index, maxTlp: key.maxTlp };
  const searchScope: LookupScope = { ...scope, client: pipeline.searchClient };
  return definition.handle({ request, ...target, key, scope, searchScope, context, audit });
}

function failed(deps: ApiDependencies, caught: unknown, context: RequestContext): Reply {
  if (caught instanceof InvalidRequestError) return error(caught.status, caught.code, caught.message);
  const fields = failureFields(caught);
  deps.logger.error({ ...context, error: fields }, 'request failed');
  if (fields.name === 'TimeoutError' && (context.route === 'search' || context.route === 'export_stix'))
    return error(503, 'search_timeout', 'the search did not finish in time; narrow q or retry later');
  return error(503, 'unavailable', 'the index or rate limiter is unavailable; retry later');
}

/** Queues the request's audit record (before the answer goes out) and names it in `x-request-id`. */
function recorded(deps: ApiDependencies, reply: Reply, flight: InFlight): Reply {
  const { audit, context } = flight;
  const keyless = audit.authentication?.outcome === 'missing' || audit.authentication?.outcome === 'unknown';
  try {
    deps.audit.append(
      auditDocument({
        requestId: flight.requestId,
        at: flight.at,
        route: context.route,
        status: reply.status,
        errorCode: errorCode(reply),
        clientAddress: flight.request.socket.remoteAddress,
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
  return { ...reply, headers: { ...reply.headers, 'x-request-id': flight.requestId } };
}

/** A route answered without a key has no key scope: its handler must not use one. */
function publicCall(flight: InFlight, url: URL): Parameters<RouteDefinition['handle']>[0] {
  const none = undefined as never;
  return {
    request: flight.request,
    url,
    parameters: {},
    key: none,
    scope: none,
    searchScope: none,
    context: flight.context,
    audit: flight.audit,
  };
}

function send(response: ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  response.end(payload);
}

function requestMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'dragnet_api_requests_total',
      help: 'API requests by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'dragnet_api_request_duration_seconds',
      help: 'API request duration by route',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
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
