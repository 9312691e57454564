/** What `fetch` needs to send one request; `body` is absent for GETs. */
export interface KibanaRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: FormData;
}

export const BUNDLE_FILE_NAME = 'dragnet.ndjson';

/**
 * Splits `user:password@` out of the URL into a Basic header: `fetch`
 * refuses URLs that carry credentials, and `KIBANA_URL` is the one setting.
 */
function endpoint(kibanaUrl: string, path: string): { url: string; headers: Record<string, string> } {
  const base = new URL(kibanaUrl);
  const headers: Record<string, string> = {};
  if (base.username || base.password) {
    const credentials = `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  // Keep a base path (Kibana behind a proxy at /kibana) instead of resolving from the root.
  const prefix = base.pathname.replace(/\/+$/, '');
  return { url: `${base.origin}${prefix}${path}`, headers };
}

/** `GET /api/status`: Kibana's readiness report. */
export function buildStatusRequest(kibanaUrl: string): KibanaRequest {
  const { url, headers } = endpoint(kibanaUrl, '/api/status');
  return { url, method: 'GET', headers };
}

/**
 * Kibana's documented saved-objects import: multipart upload of the NDJSON as
 * the `file` part. `overwrite=true` makes a re-run replace our fixed-id
 * objects instead of failing with conflicts; `kbn-xsrf` is required on every
 * write API call.
 */
export function buildImportRequest(kibanaUrl: string, ndjsonText: string): KibanaRequest {
  const { url, headers } = endpoint(kibanaUrl, '/api/saved_objects/_import?overwrite=true');
  const body = new FormData();
  body.append('file', new Blob([ndjsonText], { type: 'application/ndjson' }), BUNDLE_FILE_NAME);
  // No content-type header: fetch writes multipart/form-data with its boundary.
  return { url, method: 'POST', headers: { ...headers, 'kbn-xsrf': 'true' }, body };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The overall level from `GET /api/status`: 8.x/9.x report
 * `status.overall.level` (`available`, `degraded`, …), 7.x reported
 * `status.overall.state` (`green`, …). Returns null when the body says neither.
 */
export function statusLevel(json: unknown): string | null {
  const overall = isRecord(json) && isRecord(json.status) ? json.status.overall : undefined;
  if (!isRecord(overall)) return null;
  if (typeof overall.level === 'string') return overall.level;
  if (typeof overall.state === 'string') return overall.state === 'green' ? 'available' : overall.state;
  return null;
}

export interface ImportSummary {
  success: boolean;
  successCount: number;
  lines: string[];
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

function titleOf(result: Record<string, unknown>): string {
  const meta = isRecord(result.meta) ? result.meta : {};
  return text(meta.title) || text(result.title);
}

function describeError(error: unknown): string {
  if (!isRecord(error)) return 'unknown error';
  const type = text(error.type) || 'error';
  if (type === 'missing_references' && Array.isArray(error.references)) {
    const missing = error.references
      .filter(isRecord)
      .map((reference) => `${text(reference.type)} ${text(reference.id)}`)
      .join(', ');
    return `missing_references: ${missing}`;
  }
  return error.message ? `${type}: ${text(error.message)}` : type;
}

/**
 * One line per object from Kibana's import response (`successResults[]`,
 * `errors[]`), plus the whole-request error body (`statusCode`, `message`)
 * Kibana sends for a bad upload.
 */
export function summarizeImportResponse(json: unknown): ImportSummary {
  if (!isRecord(json))
    return { success: false, successCount: 0, lines: ['error: response is not a JSON object'] };
  const lines: string[] = [];
  const successResults = Array.isArray(json.successResults) ? json.successResults.filter(isRecord) : [];
  const errors = Array.isArray(json.errors) ? json.errors.filter(isRecord) : [];
  for (const result of successResults) {
    lines.push(`ok     ${text(result.type)} ${text(result.id)} "${titleOf(result)}"`);
  }
  for (const failure of errors) {
    lines.push(
      `error  ${text(failure.type)} ${text(failure.id)} "${titleOf(failure)}": ${describeError(failure.error)}`,
    );
  }
  if (typeof json.success !== 'boolean') {
    const status = typeof json.statusCode === 'number' ? `${json.statusCode} ` : '';
    const message = text(json.message) || text(json.error) || 'unexpected response';
    lines.push(`error: ${status}${message}`);
    return { success: false, successCount: 0, lines };
  }
  const successCount = typeof json.successCount === 'number' ? json.successCount : successResults.length;
  return { success: json.success && errors.length === 0, successCount, lines };
}
