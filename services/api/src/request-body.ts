import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '@dragnet/lookup';

/** A non-negative integer query parameter (at most nine digits), or `fallback` when absent. */
export function integerParameter(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw))
    throw new InvalidRequestError(`invalid_${name}`, `${name}: expected an integer`);
  return Number(raw);
}

/**
 * The request body as text, refused (413) past `maxBytes` whatever
 * Content-Length says, and (415) unless its media type is one of `accepted`.
 */
export async function readBody(
  request: IncomingMessage,
  maxBytes: number,
  accepted: RegExp = /^application\/json\b/i,
  expected = 'application/json',
): Promise<string> {
  const type = request.headers['content-type'] ?? '';
  if (!accepted.test(type))
    throw new InvalidRequestError('unsupported_media_type', `send Content-Type: ${expected}`, 415);
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
