import type { ApiKeyRing, Authentication } from '@dragnet/api-keys';
import type { Reply } from '../http-reply.js';

/** TAXII 2.1 media types (section 1.6.8 of the specification). */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

export const WWW_AUTHENTICATE_TAXII = 'Basic realm="Dragnet TAXII", Bearer';

/** Most media ranges read from one Accept header: a longer list is a hostile one. */
const MAX_MEDIA_RANGES = 32;

/**
 * The media type to answer with, from the request's Accept header and the
 * types the endpoint can produce (its default first), or null (406).
 * `application/taxii+json` without a version means the latest, 2.1; another
 * version is not acceptable; `*\/*` and `application/*` take the default;
 * `q=0` excludes a range.
 */
export function negotiate(accept: string | undefined, produces: readonly string[]): string | null {
  const preferred = produces[0] ?? null;
  if (accept === undefined || accept.trim() === '') return preferred;
  let best: { type: string; quality: number } | null = null;
  for (const range of accept.split(',').slice(0, MAX_MEDIA_RANGES)) {
    const [mediaRange = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    let quality = 1;
    let version: string | null = null;
    for (const parameter of parameters) {
      const [name, value = ''] = parameter.split('=').map((part) => part.trim());
      if (name === 'q') quality = Number.isFinite(Number(value)) ? Number(value) : 0;
      else if (name === 'version') version = value.replace(/^"|"$/g, '');
    }
    if (!(quality > 0)) continue;
    const type = rangeType(mediaRange, version, produces);
    if (type && (!best || quality > best.quality)) best = { type, quality };
  }
  return best?.type ?? null;
}

function rangeType(mediaRange: string, version: string | null, produces: readonly string[]): string | null {
  if (mediaRange === '*/*' || mediaRange === 'application/*') return produces[0] ?? null;
  if (version !== null && version !== '2.1') return null;
  return produces.find((type) => type.startsWith(`${mediaRange};`)) ?? null;
}

/**
 * The key of a TAXII request: HTTP Basic with the key id as user name and
 * the key as password (what TAXII clients configure), or the lookup API's
 * `Authorization: Bearer` / `X-API-Key`. A Basic user name that is not the
 * id of the key presented is an unknown key.
 */
export function taxiiAuthenticate(
  ring: ApiKeyRing,
  headers: Record<string, string | string[] | undefined>,
): Authentication {
  const authorization = headers.authorization;
  if (typeof authorization !== 'string' || !/^basic /i.test(authorization)) return ring.authenticate(headers);
  const encoded = authorization.slice(6).trim();
  // Longest id (64) and key (512) in base64, with room for the colon.
  if (encoded.length > 1_024 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return { outcome: 'unknown' };
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return { outcome: 'unknown' };
  const id = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  if (secret === '') return { outcome: 'missing' };
  const authentication = ring.authenticate({ authorization: `Bearer ${secret}` });
  if ('key' in authentication && authentication.key.id !== id) return { outcome: 'unknown' };
  return authentication;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  503: 'Service unavailable',
};

/**
 * A reply in TAXII's shape: an error built by `error()` becomes a TAXII
 * error message (section 3.6.1) with the same code, and every answer goes
 * out as `application/taxii+json;version=2.1` unless the handler chose the
 * STIX media type.
 */
export function taxiiErrorReply(reply: Reply): Reply {
  const failure = (reply.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const headers = { 'content-type': TAXII_MEDIA_TYPE, ...reply.headers };
  if (!failure || typeof failure.code !== 'string') return { ...reply, headers };
  return {
    status: reply.status,
    headers: { ...headers, 'content-type': TAXII_MEDIA_TYPE },
    body: {
      title: TITLES[reply.status] ?? (reply.status >= 500 ? 'Server error' : 'Request refused'),
      description: String(failure.message ?? ''),
      error_code: failure.code,
      http_status: String(reply.status),
    },
  };
}
