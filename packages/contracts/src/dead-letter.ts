/**
 * A dead-letter record: the original bytes, where they came from and why they
 * were rejected. One per source message that had any reject, so a re-drive
 * republishes exactly what the partner sent (the good parts of a message are
 * processed again, which merging makes harmless).
 */
export interface DeadLetter {
  stage: 'normalizer' | 'deduplicator' | 'indexer' | 'enricher';
  /** Reason code of the first reject (all codes are in `rejects`). */
  code: string;
  /** Human-readable summary naming what was wrong. */
  reason: string;
  source: {
    topic: string;
    partition: number;
    offset: string;
    key: string | null;
    partner: string | null;
    /** Broker timestamp of the source record, epoch ms. */
    timestamp: number;
  };
  rejects: { reason: string; message: string; value: string | null; location: string }[];
  /** The source record's value, base64. */
  original: string;
  failedAt: string;
  correlationId: string | null;
}

export const DEAD_LETTER_HEADERS = {
  stage: 'dragnet-dlq-stage',
  code: 'dragnet-dlq-code',
  sourceTopic: 'dragnet-dlq-source-topic',
  /** Set on records re-driven from the dead-letter topic: `<partition>:<offset>` of the dead letter. */
  redrivenFrom: 'dragnet-redriven-from',
} as const;

/** Key: the source position, so repeated dead-lettering of one record (a replay) is recognisable. */
export const deadLetterKey = (letter: DeadLetter): string =>
  `${letter.source.topic}:${letter.source.partition}:${letter.source.offset}`;

export function encodeDeadLetter(letter: DeadLetter): Buffer {
  return Buffer.from(JSON.stringify(letter));
}

export function decodeDeadLetter(bytes: Buffer): DeadLetter {
  const parsed = JSON.parse(bytes.toString('utf8')) as DeadLetter;
  if (
    typeof parsed?.stage !== 'string' ||
    typeof parsed.source?.topic !== 'string' ||
    typeof parsed.original !== 'string'
  ) {
    throw new Error('not a Dragnet dead-letter record');
  }
  return parsed;
}
