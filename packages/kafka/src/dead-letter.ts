import { createHash } from 'node:crypto';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_LIMITS,
  type DeadLetter,
  type DeadLetterReject,
  deadLetterKey,
  encodeDeadLetter,
  HEADERS,
  STAGE_ERROR_CODE,
  TOPICS,
  TRUNCATION_MARKER,
} from '@dragnet/contracts';
import type { ConsumedRecord } from './batch-consumer.js';
import type { OutgoingRecord } from './producer.js';

export interface DeadLetterInput {
  record: ConsumedRecord;
  stage: DeadLetter['stage'];
  /** Every reject of the record; the letter keeps the first ones and counts all (`DEAD_LETTER_LIMITS`). */
  rejects: { reason: string; message: string; value: string | null; location: string }[];
  partner?: string | null;
  correlationId?: string | null;
  /** Defaults to the dead-letter topic; tests use their own. */
  topic?: string;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** At most `max` characters: longer text is cut and ends with the marker. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}${TRUNCATION_MARKER}`;
}

function boundedReject(reject: DeadLetterInput['rejects'][number]): DeadLetterReject {
  const { value } = reject;
  const bounded: DeadLetterReject = {
    reason: reject.reason,
    message: cut(reject.message, DEAD_LETTER_LIMITS.maxRejectMessageChars),
    value: value === null ? null : cut(value, DEAD_LETTER_LIMITS.maxRejectValueChars),
    location: cut(reject.location, DEAD_LETTER_LIMITS.maxRejectValueChars),
  };
  if (value !== null && value.length > DEAD_LETTER_LIMITS.maxRejectValueChars) {
    bounded.valueSha256 = sha256(value);
    bounded.valueLength = value.length;
  }
  return bounded;
}

/**
 * The rejects a letter lists (the first ones, within the count and byte caps)
 * and the counts per reason code of all of them. Linear in the rejects.
 */
export function boundRejects(rejects: DeadLetterInput['rejects']): {
  kept: DeadLetterReject[];
  counts: { reason: string; count: number }[];
  omitted: number;
} {
  const counts = new Map<string, number>();
  const kept: DeadLetterReject[] = [];
  let bytes = 0;
  let full = false;
  for (const reject of rejects) {
    counts.set(reject.reason, (counts.get(reject.reason) ?? 0) + 1);
    if (full) continue;
    const bounded = boundedReject(reject);
    const size = Buffer.byteLength(JSON.stringify(bounded)) + 1;
    if (kept.length >= DEAD_LETTER_LIMITS.maxRejects || bytes + size > DEAD_LETTER_LIMITS.maxRejectsBytes) {
      full = true;
      continue;
    }
    kept.push(bounded);
    bytes += size;
  }
  return {
    kept,
    counts: [...counts].map(([reason, count]) => ({ reason, count })),
    omitted: rejects.length - kept.length,
  };
}

/** The source headers a letter keeps: whole headers, in order, within `maxHeadersBytes`. */
export function boundHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    const size = Buffer.byteLength(name) + Buffer.byteLength(value);
    if (bytes + size > DEAD_LETTER_LIMITS.maxHeadersBytes) continue;
    kept[name] = value;
    bytes += size;
  }
  return kept;
}

/** The dead-letter record for a consumed record: its original bytes, its position and every reason, bounded. */
export function deadLetterRecord({
  record,
  stage,
  rejects,
  partner = null,
  correlationId,
  topic = TOPICS.deadLetter,
}: DeadLetterInput): OutgoingRecord {
  const first = rejects[0];
  if (!first) throw new Error('a dead letter needs at least one reject');
  const original = record.value ?? Buffer.alloc(0);
  const truncated = original.length > DEAD_LETTER_LIMITS.maxOriginalBytes;
  const bounded = boundRejects(rejects);
  const letter: DeadLetter = {
    stage,
    code: first.reason,
    reason: cut(
      rejects.length === 1 ? first.message : `${first.message} (and ${rejects.length - 1} more rejects)`,
      DEAD_LETTER_LIMITS.maxRejectMessageChars,
    ),
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key:
        record.key === null
          ? null
          : cut(record.key.toString('utf8'), DEAD_LETTER_LIMITS.maxRejectMessageChars),
      partner,
      timestamp: record.timestamp,
    },
    rejects: bounded.kept,
    rejectCounts: bounded.counts,
    rejectsOmitted: bounded.omitted,
    original: (truncated ? original.subarray(0, DEAD_LETTER_LIMITS.originalHeadBytes) : original).toString(
      'base64',
    ),
    originalLength: original.length,
    originalSha256: sha256(original),
    originalTruncated: truncated,
    headers: boundHeaders(record.headers),
    failedAt: new Date().toISOString(),
    correlationId: correlationId ?? record.headers[HEADERS.correlationId] ?? null,
  };
  return {
    topic,
    key: deadLetterKey(letter),
    value: encodeDeadLetter(letter),
    headers: {
      [DEAD_LETTER_HEADERS.stage]: stage,
      [DEAD_LETTER_HEADERS.code]: first.reason,
      [DEAD_LETTER_HEADERS.sourceTopic]: record.topic,
    },
  };
}

/** Twelve hex digits of the stack's SHA-256: groups letters of one bug without storing the stack. */
export function stackHash(error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return sha256(stack).slice(0, 12);
}

/** A record its stage's handler threw on (found by the batch consumer's isolation): reason `stage_error`. */
export function stageErrorDeadLetter(
  record: ConsumedRecord,
  error: unknown,
  options: { stage: DeadLetter['stage']; topic?: string; partner?: string | null },
): OutgoingRecord {
  const message = error instanceof Error ? error.message : String(error);
  return deadLetterRecord({
    record,
    stage: options.stage,
    rejects: [
      {
        reason: STAGE_ERROR_CODE,
        message: `the ${options.stage} handler threw on this record: ${message} (stack ${stackHash(error)})`,
        value: null,
        location: 'message',
      },
    ],
    partner: options.partner ?? null,
    ...(options.topic ? { topic: options.topic } : {}),
  });
}
