import {
  DEAD_LETTER_HEADERS,
  type DeadLetter,
  deadLetterKey,
  encodeDeadLetter,
  HEADERS,
  TOPICS,
} from '@dragnet/contracts';
import type { ConsumedRecord } from './batch-consumer.js';
import type { OutgoingRecord } from './producer.js';

export interface DeadLetterInput {
  record: ConsumedRecord;
  stage: DeadLetter['stage'];
  rejects: DeadLetter['rejects'];
  partner?: string | null;
  correlationId?: string | null;
  /** Defaults to the dead-letter topic; tests use their own. */
  topic?: string;
}

/** The dead-letter record for a consumed record: its original bytes, its position and every reason. */
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
  const letter: DeadLetter = {
    stage,
    code: first.reason,
    reason:
      rejects.length === 1 ? first.message : `${first.message} (and ${rejects.length - 1} more rejects)`,
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key?.toString('utf8') ?? null,
      partner,
      timestamp: record.timestamp,
    },
    rejects,
    original: (record.value ?? Buffer.alloc(0)).toString('base64'),
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
