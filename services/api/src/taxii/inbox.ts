import type { DeadLetter } from '@dragnet/contracts';
import { nestingDepth } from '../lookup-request.js';

/**
 * The TAXII inbox's pure core: what a posted envelope must look like, the
 * one Kafka message it becomes, and the status resource (TAXII 2.1 section
 * 4.3.1) computed from what the normalizer did with that message.
 *
 * Counting (docs/taxii.md, "Inbox"): the message is processed once the
 * normalizer's consumer group has committed past it — it commits only after
 * its reports and dead letters were acknowledged, so by then every outcome
 * is durable. An object is a failure when the normalizer's letter for the
 * message (on the partner's rejects topic, found by the status id it
 * carries as correlation id) names it; every other object is a success.
 */

/** Most objects one post may carry (an envelope the size of one TAXII page). */
export const MAX_INBOX_OBJECTS = 10_000;

/**
 * Deepest `[`/`{` nesting of a post (the envelope and its objects are 3; a
 * STIX object rarely passes 10): deeper JSON could exhaust the stack when
 * the bundle is serialised again, and the normalizer refuses it anyway.
 */
export const MAX_INBOX_NESTING = 64;

/** Failure details a status lists (counts are always complete). */
export const MAX_LISTED_FAILURES = 100;

export type EnvelopeCheck =
  | { ok: true; objects: unknown[] }
  | { ok: false; status: 400 | 413 | 422; code: string; message: string };

/** The posted body as a TAXII envelope: a JSON object whose `objects` is a non-empty array, bounded. */
export function parseEnvelope(text: string): EnvelopeCheck {
  if (nestingDepth(text, MAX_INBOX_NESTING) > MAX_INBOX_NESTING)
    return {
      ok: false,
      status: 400,
      code: 'body_too_deep',
      message: `the body is nested deeper than ${MAX_INBOX_NESTING} levels`,
    };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, code: 'invalid_json', message: 'the body is not JSON' };
  }
  const objects =
    body && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, 'objects')
      ? (body as { objects: unknown }).objects
      : undefined;
  if (!Array.isArray(objects) || objects.length === 0)
    return {
      ok: false,
      status: 422,
      code: 'invalid_envelope',
      message: 'expected a TAXII envelope: {"objects": [ ...STIX objects ]}, at least one object',
    };
  if (objects.length > MAX_INBOX_OBJECTS)
    return {
      ok: false,
      status: 413,
      code: 'too_many_objects',
      message: `at most ${MAX_INBOX_OBJECTS} objects per request`,
    };
  return { ok: true, objects };
}

/** The one STIX bundle message a post becomes on the partner's topic: the normalizer's STIX parser reads it. */
export function bundleMessage(statusId: string, objects: readonly unknown[]): string {
  return JSON.stringify({ type: 'bundle', id: `bundle--${statusId}`, objects });
}

/** Where a partition of a topic ended at some moment. */
export interface PartitionEnd {
  partition: number;
  high: string;
}

/** What the API keeps (in Redis, with a TTL) about one post. */
export interface StatusRecord {
  id: string;
  /** Who may read the status: the key that posted, or another key of the same partner. */
  keyId: string;
  partner: string;
  requestTimestamp: string;
  totalCount: number;
  /** The partner topic's ends right after the message was acknowledged: it lies below them. */
  messageBefore: PartitionEnd[];
  /** The rejects topic's ends before the message was sent: its letter, if any, lies above them. */
  rejectsFrom: PartitionEnd[];
  outcome?: StatusOutcome | undefined;
}

export interface StatusOutcome {
  failureCount: number;
  failures: { id: string; message: string }[];
}

/** Whether committed offsets (by partition; absent means none) have passed every end in `ends`. */
export function passedAll(ends: readonly PartitionEnd[], committed: ReadonlyMap<number, string>): boolean {
  return ends.every((end) => BigInt(committed.get(end.partition) ?? '0') >= BigInt(end.high));
}

const OBJECT_LOCATION = /^objects\[(\d{1,9})\](?: ([a-z0-9-]{1,250}--[0-9a-f-]{36}))?/;

/**
 * The failures of a post from the normalizer's letters carrying its status
 * id. A reject located at `objects[i]` fails object i; one located anywhere
 * else (the message as a whole, a stage error) fails every object. When a
 * letter had to omit rejects, each omitted one is counted as a further
 * failed object: the count is then an upper bound, never a success claimed
 * for an object that may have failed.
 */
export function outcomeOf(letters: readonly DeadLetter[], totalCount: number): StatusOutcome {
  const failed = new Map<number, { id: string; message: string }>();
  let whole: string | null = null;
  let omitted = 0;
  for (const letter of letters) {
    omitted += letter.rejectsOmitted ?? 0;
    if (letter.rejects.length === 0) whole ??= letter.reason;
    for (const reject of letter.rejects) {
      const match = OBJECT_LOCATION.exec(reject.location);
      const index = match ? Number(match[1]) : Number.NaN;
      if (!(index < totalCount)) whole ??= reject.message;
      else if (!failed.has(index)) failed.set(index, { id: match?.[2] ?? '', message: reject.message });
    }
  }
  const failureCount = whole !== null ? totalCount : Math.min(totalCount, failed.size + omitted);
  const failures = [...failed.values()]
    .filter((failure) => failure.id !== '')
    .slice(0, MAX_LISTED_FAILURES)
    .map(({ id, message }) => ({ id, message: whole ?? message }));
  return { failureCount, failures };
}

/** The TAXII status resource of a post. */
export function statusResource(record: StatusRecord) {
  const { outcome } = record;
  const base = { id: record.id, request_timestamp: record.requestTimestamp, total_count: record.totalCount };
  if (!outcome)
    return {
      ...base,
      status: 'pending',
      success_count: 0,
      failure_count: 0,
      pending_count: record.totalCount,
    };
  return {
    ...base,
    status: 'complete',
    success_count: record.totalCount - outcome.failureCount,
    failure_count: outcome.failureCount,
    pending_count: 0,
    ...(outcome.failures.length > 0 ? { failures: outcome.failures } : {}),
  };
}
