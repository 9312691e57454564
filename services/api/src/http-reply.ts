import type { IncomingMessage } from 'node:http';
import type { ApiKey, Authentication } from '@dragnet/api-keys';
import type { LookupScope } from '@dragnet/lookup';
import type { AuditedObservable } from './audit-record.js';
import type { PathParameters, PathPattern } from './route-table.js';

/** The metric and log label of a request: a fixed set, so a client's paths never become label values. */
export type Route =
  | 'indicator'
  | 'lookup'
  | 'search'
  | 'export_stix'
  | 'openapi'
  | 'taxii_discovery'
  | 'taxii_api_root'
  | 'taxii_status'
  | 'taxii_collections'
  | 'taxii_collection'
  | 'taxii_manifest'
  | 'taxii_objects'
  | 'taxii_object'
  | 'taxii_versions'
  | 'taxii_add_objects'
  | 'unknown';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What the logs may say about a request: the route, the key id and sizes — never its content. */
export interface RequestContext {
  route: Route;
  key?: string;
  /** Length of `q` (search, export). */
  query_chars?: number;
  /** Observables in a bulk lookup. */
  observables?: number;
}

/** What the audit record of a request says beyond route and status; never logged. */
export interface AuditContext {
  /** Set once the request is on an audited route and past the audit's own refusal. */
  audited: boolean;
  authentication?: Authentication;
  observableCount?: number;
  observables?: AuditedObservable[];
  query?: string;
  results?: { total?: number; returned: number };
}

/** An error answer in the lookup API's shape; TAXII routes render the same fields as a TAXII error. */
export const error = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Reply => ({
  status,
  body: { error: { code, message } },
  ...(headers ? { headers } : {}),
});

/** The code of an error reply built by `error`, or undefined for any other reply. */
export function errorCode(reply: Reply): string | undefined {
  const code = (reply.body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Everything a handler gets: the request, its path parameters, and the authenticated key's scope. */
export interface RouteCall {
  request: IncomingMessage;
  url: URL;
  parameters: PathParameters;
  key: ApiKey;
  /** Reads with the ordinary client, projected for the key's TLP. */
  scope: LookupScope;
  /** The same with the search client (no retries, the search deadline). */
  searchScope: LookupScope;
  context: RequestContext;
  audit: AuditContext;
}

/** How a family of routes authenticates and shapes its errors. */
export type RouteFamily = 'v1' | 'taxii';

export interface RouteDefinition {
  name: Exclude<Route, 'unknown'>;
  method: 'GET' | 'POST';
  path: PathPattern;
  family: RouteFamily;
  /** Answered without a key and not audited (the API description). */
  public?: boolean;
  handle(call: RouteCall): Promise<Reply>;
}
