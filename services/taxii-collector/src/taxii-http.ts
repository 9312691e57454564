import { readSecretFile } from '@dragnet/config';
import type { TaxiiSource } from '@dragnet/partners';
import { type HttpAnswer, TAXII_MEDIA_TYPE } from './paging.js';

/** The thin HTTP adapter: one GET, the body read up to a byte bound, the headers the core reads. */

export interface HttpSettings {
  maxBytes: number;
  timeoutMs: number;
}

/** The `Authorization` header of a source, read from its secret files now (so a rotated file is picked up). */
export function authorization(source: TaxiiSource): string | null {
  if (source.tokenFile) return `Bearer ${readSecretFile(source.tokenFile)}`;
  if (source.username && source.passwordFile) {
    const pair = `${source.username}:${readSecretFile(source.passwordFile)}`;
    return `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  return null;
}

/** `<apiRoot>/<path>` with the root's trailing slash kept once. */
export function endpoint(apiRoot: string, path: string, query: [string, string][] = []): string {
  const url = new URL(path, apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`);
  for (const [name, value] of query) url.searchParams.append(name, value);
  return url.toString();
}

export const objectsPath = (collectionId: string): string =>
  `collections/${encodeURIComponent(collectionId)}/objects/`;

/** A refused connection, a reset, a timeout or an over-long body: the caller backs off and retries. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    readonly reason: 'network' | 'timeout' | 'response_too_large',
  ) {
    super(message);
  }
}

/** One GET; `stop` (shutdown) aborts it as the timeout does: nothing of an aborted page is written. */
export async function getTaxii(
  url: string,
  auth: string | null,
  settings: HttpSettings,
  stop?: AbortSignal,
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: TAXII_MEDIA_TYPE };
  if (auth !== null) headers.authorization = auth;
  let response: Response;
  try {
    response = await fetch(url, {
      headers,
      redirect: 'error',
      signal: stop
        ? AbortSignal.any([stop, AbortSignal.timeout(settings.timeoutMs)])
        : AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (error) {
    const timeout = (error as Error).name === 'TimeoutError';
    throw new TransportError(
      `${timeout ? 'timeout' : 'request failed'}: ${describe(error)}`,
      timeout ? 'timeout' : 'network',
    );
  }
  const body = await readBounded(response, settings);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    dateAddedLast: response.headers.get('x-taxii-date-added-last'),
    body,
  };
}

async function readBounded(response: Response, settings: HttpSettings): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > settings.maxBytes) {
    await response.body?.cancel();
    throw new TransportError(`response of ${declared} bytes over ${settings.maxBytes}`, 'response_too_large');
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += chunk.length;
      if (total > settings.maxBytes) {
        await response.body.cancel().catch(() => undefined);
        throw new TransportError(`response over ${settings.maxBytes} bytes`, 'response_too_large');
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof TransportError) throw error;
    throw new TransportError(`reading the response failed: ${describe(error)}`, 'network');
  }
  return Buffer.concat(chunks).toString('utf8');
}

const describe = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
};
