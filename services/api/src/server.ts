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
  searchPage,
} from '@dragnet/lookup';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ApiKey, ApiKeyRing } from './api-keys.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import type { RateLimiter } from './rate-limit.js';

export interface ApiDependencies {
  elasticsearch: Client;
  /** The read alias. */
  index: string;
  keys: ApiKeyRing;
  rateLimiter: RateLimiter;
  logger: Logger;
  registry: Registry;
  /** Largest request body accepted (bytes). */
  maxBodyBytes: number;
}

type Route = 'indicator' | 'lookup' | 'search' | 'export_stix' | 'openapi' | 'unknown';

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const error = (status: number, code: string, message: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { error: { code, message } },
  ...(headers ? { headers } : {}),
});

/**
 * The lookup API: routing, authentication, rate limiting, input limits. The
 * answers themselves come from @dragnet/lookup, which the CLI uses too.
 * Caller mistakes are 4xx with a code and message; only an unreachable
 * Elasticsearch or Redis is a 5xx. Logs carry route, status, key id and
 * duration — never the observables asked about.
 */
export function createApiHandler(deps: ApiDependencies) {
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

  async function route(request: IncomingMessage, url: URL): Promise<[Route, Reply, ApiKey | null]> {
    const path = url.pathname;
    if (path === '/openapi.json' && request.method === 'GET')
      return ['openapi', { status: 200, body: OPENAPI_DOCUMENT }, null];
    const routeName: Route = path.startsWith('/v1/indicators/')
      ? 'indicator'
      : path === '/v1/lookup'
        ? 'lookup'
        : path === '/v1/search'
          ? 'search'
          : path === '/v1/export/stix'
            ? 'export_stix'
            : 'unknown';
    if (routeName === 'unknown') return [routeName, error(404, 'not_found', `no route ${path}`), null];
    const expected = routeName === 'lookup' ? 'POST' : 'GET';
    if (request.method !== expected)
      return [
        routeName,
        error(405, 'method_not_allowed', `${path} takes ${expected}`, { allow: expected }),
        null,
      ];
    const key = deps.keys.authenticate(request.headers);
    if (!key)
      return [
        routeName,
        error(401, 'unauthorized', 'missing or unknown API key (Authorization: Bearer <key> or X-API-Key)', {
          'www-authenticate': 'Bearer',
        }),
        null,
      ];
    const rate = await deps.rateLimiter.take(key.id, key.ratePerMinute);
    if (!rate.allowed)
      return [
        routeName,
        error(429, 'rate_limited', `more than ${key.ratePerMinute} requests per minute for this key`, {
          'retry-after': String(Math.ceil(rate.resetMs / 1000)),
        }),
        key,
      ];
    const scope: LookupScope = { client: deps.elasticsearch, index: deps.index, maxTlp: key.maxTlp };
    return [routeName, await answer(routeName, request, url, scope), key];
  }

  async function answer(
    routeName: Route,
    request: IncomingMessage,
    url: URL,
    scope: LookupScope,
  ): Promise<Reply> {
    switch (routeName) {
      case 'indicator': {
        const raw = url.pathname.slice('/v1/indicators/'.length);
        let value: string;
        try {
          value = decodeURIComponent(raw);
        } catch {
          return error(400, 'invalid_encoding', 'the indicator value is not valid percent-encoding');
        }
        const result = await lookupOne(scope, value);
        if (result.outcome === 'invalid') return error(400, result.reason, result.message);
        if (result.outcome === 'unknown')
          return error(404, 'unknown_indicator', `no indicator ${result.id} (${result.kind})`);
        return { status: 200, body: { id: result.id, document: result.document } };
      }
      case 'lookup': {
        const body = await readJson(request, deps.maxBodyBytes);
        const observables = (body as { observables?: unknown } | null)?.observables;
        if (!Array.isArray(observables))
          throw new InvalidRequestError('invalid_body', 'expected {"observables": ["…", …]}');
        return { status: 200, body: await lookupMany(scope, observables) };
      }
      case 'search':
        return {
          status: 200,
          body: await searchPage(scope, {
            query: url.searchParams.get('q') ?? '',
            size: integerParameter(url, 'size', 100),
            cursor: url.searchParams.get('cursor') ?? undefined,
          }),
        };
      case 'export_stix':
        return {
          status: 200,
          body: await exportStix(scope, {
            query: url.searchParams.get('q') ?? '',
            limit: integerParameter(url, 'limit', 1_000),
          }),
          headers: { 'content-type': 'application/stix+json;version=2.1' },
        };
      default:
        return error(404, 'not_found', `no route ${url.pathname}`);
    }
  }

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let routeName: Route = 'unknown';
    let reply: Reply;
    let key: ApiKey | null = null;
    try {
      const url = new URL(request.url ?? '/', 'http://api.invalid');
      [routeName, reply, key] = await route(request, url);
    } catch (caught) {
      if (caught instanceof InvalidRequestError) reply = error(caught.status, caught.code, caught.message);
      else {
        deps.logger.error({ err: caught, route: routeName }, 'request failed');
        reply = error(503, 'unavailable', 'the index or rate limiter is unavailable; retry later');
      }
    }
    const payload = JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      ...reply.headers,
    });
    response.end(payload);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    requests.inc({ route: routeName, status: String(reply.status) });
    duration.observe({ route: routeName }, seconds);
    deps.logger.debug(
      { route: routeName, status: reply.status, key: key?.id, ms: seconds * 1000 },
      'request',
    );
  };
}

function integerParameter(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw))
    throw new InvalidRequestError(`invalid_${name}`, `${name}: expected an integer`);
  return Number(raw);
}

async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
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
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (caught) {
    throw new InvalidRequestError('malformed_json', `request body is not JSON: ${(caught as Error).message}`);
  }
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
