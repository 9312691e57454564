import { createHash } from 'node:crypto';

/**
 * The collector's pure core: what to ask a TAXII 2.1 server next, how to read
 * its answer (as hostile input: bounded depth, checked types, range-checked
 * dates), and how the position moves once a page is durable in Kafka.
 * No I/O here; `taxii-http.ts` fetches, `collector.ts` sequences.
 */

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

/** The position of one source, stored after each page's Kafka write is acknowledged. */
export interface Position {
  /** `<apiRoot> <collectionId>`: a position of another source (the registry changed) is not resumed. */
  source: string;
  /** The walk's `added_after` filter; `next` cursors are only valid with the filter they came with. */
  addedAfter: string | null;
  /** The server's cursor into the current walk; null between walks. */
  next: string | null;
  /** Latest date added the server reported for a written page (`X-TAXII-Date-Added-Last`). */
  lastDateAdded: string | null;
}

export interface Page {
  objects: Record<string, unknown>[];
  more: boolean;
  next: string | null;
}

export interface ResponseLimits {
  maxBytes: number;
  maxDepth: number;
}

/** What an HTTP answer means for the collector. */
export type Interpreted =
  | { kind: 'page'; page: Page; dateAddedLast: string | null }
  | { kind: 'auth'; status: number }
  | { kind: 'retry'; status: number; retryAfter: string | null }
  /** A 4xx to a request with `next`: the server forgot the cursor (restart, session timeout). */
  | { kind: 'cursor'; status: number }
  | { kind: 'bad'; reason: string };

export const sourceKey = (apiRoot: string, collectionId: string): string => `${apiRoot} ${collectionId}`;

export function initialPosition(source: string, addedAfter: string | null): Position {
  return { source, addedAfter, next: null, lastDateAdded: null };
}

/** Query parameters of the next objects request. `limit` always goes (some servers require it with `next`). */
export function pageQuery(position: Position, limit: number): [string, string][] {
  const query: [string, string][] = [['limit', String(limit)]];
  if (position.addedAfter !== null) query.push(['added_after', position.addedAfter]);
  if (position.next !== null) query.push(['next', position.next]);
  return query;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const EARLIEST_MS = Date.parse('1990-01-01T00:00:00Z');
/** A date added this far past our clock is a lie (or a broken clock); it would stall the source. */
const FUTURE_TOLERANCE_MS = 86_400_000;

/**
 * A TAXII timestamp (RFC 3339, UTC, up to nanoseconds) as a fixed-width
 * string that sorts like the instant, or null when malformed or out of range.
 */
export function normalizeTimestamp(value: unknown, nowMs: number): string | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const match = TIMESTAMP.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction = ''] = match;
  const base = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  const ms = Date.parse(`${base}.${fraction.padEnd(3, '0').slice(0, 3)}Z`);
  // Date.parse rolls 2024-02-31 over to March: compare back to reject impossible dates.
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 19) !== base) return null;
  if (ms < EARLIEST_MS || ms > nowMs + FUTURE_TOLERANCE_MS) return null;
  return `${base}.${fraction.padEnd(6, '0')}Z`;
}

const later = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : a >= b ? a : b;

/** A timestamp one millisecond before `timestamp` (normalized): `added_after` of it includes `timestamp` itself. */
export function justBefore(timestamp: string): string {
  const ms = Date.parse(`${timestamp.slice(0, 23)}Z`);
  return `${new Date(ms - 1).toISOString().slice(0, 23)}000Z`;
}

/** Is the JSON text nested deeper than `maxDepth`? One linear pass, no parse (a deep text must not reach JSON.parse's consumers). */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return false;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const MAX_CURSOR_LENGTH = 1_024;
const PRINTABLE_CURSOR = /^[\x21-\x7e]+$/;

/** An envelope resource, checked field by field; never throws. */
export function parseEnvelope(text: string, limits: ResponseLimits): Page | { error: string } {
  if (text.length > limits.maxBytes) return { error: 'response_too_large' };
  if (jsonDepthExceeds(text, limits.maxDepth)) return { error: 'json_too_deep' };
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return { error: 'invalid_json' };
  }
  if (!isPlainObject(root)) return { error: 'envelope_not_object' };
  const objects = Object.hasOwn(root, 'objects') ? root.objects : [];
  if (!Array.isArray(objects)) return { error: 'objects_not_array' };
  if (!objects.every(isPlainObject)) return { error: 'object_not_object' };
  const more = Object.hasOwn(root, 'more') ? root.more : false;
  if (typeof more !== 'boolean') return { error: 'more_not_boolean' };
  const next = Object.hasOwn(root, 'next') ? root.next : null;
  if (
    next !== null &&
    (typeof next !== 'string' || next.length > MAX_CURSOR_LENGTH || !PRINTABLE_CURSOR.test(next))
  )
    return { error: 'next_invalid' };
  if (more && next === null) return { error: 'more_without_next' };
  return { objects, more, next: more ? next : null };
}

export interface HttpAnswer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  dateAddedLast: string | null;
  body: string;
}

/** What an answer to an objects request means, given whether it carried a `next` cursor. */
export function interpretObjectsAnswer(
  answer: HttpAnswer,
  withCursor: boolean,
  limits: ResponseLimits,
  nowMs: number,
): Interpreted {
  const { status } = answer;
  if (status === 401 || status === 403) return { kind: 'auth', status };
  if (status === 429 || status === 408 || status >= 500)
    return { kind: 'retry', status, retryAfter: answer.retryAfter };
  if (status >= 400 && withCursor) return { kind: 'cursor', status };
  if (status !== 200) return { kind: 'bad', reason: `http_${status}` };
  if (!answer.contentType || !/^application\/(taxii\+)?json\b/i.test(answer.contentType))
    return { kind: 'bad', reason: 'content_type' };
  const page = parseEnvelope(answer.body, limits);
  if ('error' in page) return { kind: 'bad', reason: page.error };
  return { kind: 'page', page, dateAddedLast: normalizeTimestamp(answer.dateAddedLast, nowMs) };
}

export type Step = { position: Position; done: boolean } | { error: 'next_loop' };

/** A page's identity within a walk: the same objects served again mean the server is not moving on. */
export const pageFingerprint = (page: Page): string =>
  createHash('sha256').update(JSON.stringify(page.objects)).digest('base64');

/**
 * The position once `page` is durable. Within a walk the filter stays and
 * the cursor moves; a walk's end makes the latest date added the next
 * walk's `added_after`. A page served twice in one walk (`seenPages`, which
 * this adds to) is a `next` loop: the walk would never end. The cursor
 * itself may repeat — medallion hands out one session id for a whole walk.
 */
export function advance(
  position: Position,
  page: Page,
  dateAddedLast: string | null,
  seenPages: Set<string>,
): Step {
  const lastDateAdded = later(position.lastDateAdded, dateAddedLast);
  if (page.more && page.next !== null) {
    const fingerprint = pageFingerprint(page);
    if (seenPages.has(fingerprint)) return { error: 'next_loop' };
    seenPages.add(fingerprint);
    return { position: { ...position, next: page.next, lastDateAdded }, done: false };
  }
  return {
    position: {
      ...position,
      addedAfter: later(position.addedAfter, lastDateAdded),
      next: null,
      lastDateAdded,
    },
    done: true,
  };
}

/**
 * Where a walk resumes when the cursor cannot be trusted — the server
 * refused it, or the walk was interrupted (a crash, an error): a new walk
 * from just before the latest date added of a written page, so objects
 * sharing that date added that were still to come are not skipped (the few
 * re-read merge harmlessly). A stored cursor is never resumed: some
 * servers' cursors are consuming iterators (medallion's), and asking one
 * again would skip the page that was in flight.
 */
export function afterLostCursor(position: Position): Position {
  const addedAfter =
    position.lastDateAdded === null ? position.addedAfter : justBefore(position.lastDateAdded);
  return { ...position, addedAfter: later(position.addedAfter, addedAfter), next: null };
}

export interface BackoffBounds {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before retry `attempt` (0-based): the server's `Retry-After`
 * (seconds or an HTTP date) when it gives one, else exponential from
 * `baseMs`; capped at `maxMs`, with jitter so many collectors do not return
 * in step. `random` is in [0, 1).
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | null,
  nowMs: number,
  random: number,
  bounds: BackoffBounds,
): number {
  const asked = retryAfterMs(retryAfter, nowMs);
  if (asked !== null) return Math.round(Math.min(bounds.maxMs, asked) * (1 + 0.1 * random));
  const ceiling = Math.min(bounds.maxMs, bounds.baseMs * 2 ** Math.min(attempt, 30));
  // Full jitter over the upper half: never zero, never above the cap.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1_000;
  if (trimmed.length > 64) return null;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : null;
}

/** One STIX 2.1 bundle of a page's objects: what a partner pushing STIX would write. */
export function pageBundle(objects: readonly Record<string, unknown>[], bundleUuid: string): string {
  return JSON.stringify({ type: 'bundle', id: `bundle--${bundleUuid}`, objects });
}

/** A stored position, checked (Redis content is ours, but a bad one must start over, not crash). */
export function parsePosition(text: string | null, source: string, nowMs: number): Position | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlainObject(value) || value.source !== source) return null;
  const stamp = (field: unknown) => (field === null ? null : normalizeTimestamp(field, nowMs));
  const addedAfter = stamp(value.addedAfter);
  const lastDateAdded = stamp(value.lastDateAdded);
  const next = value.next;
  if (value.addedAfter !== null && addedAfter === null) return null;
  if (value.lastDateAdded !== null && lastDateAdded === null) return null;
  if (next !== null && (typeof next !== 'string' || next.length > MAX_CURSOR_LENGTH)) return null;
  return { source, addedAfter, next, lastDateAdded };
}
