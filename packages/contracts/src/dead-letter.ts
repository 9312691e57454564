/**
 * A dead-letter record: the original bytes, where they came from and why they
 * were rejected. One per source message that had any reject, so a re-drive
 * republishes exactly what the partner sent (the good parts of a message are
 * processed again, which merging makes harmless).
 *
 * A letter is bounded (`DEAD_LETTER_LIMITS`) so that Kafka always accepts it,
 * however hostile the message: the rejects list, each reject's value and
 * message, the original bytes and the headers each have a cap. Whatever is cut
 * is counted and fingerprinted (SHA-256), never silently lost; an original cut
 * short is fetched back from its source position at re-drive time.
 */
export interface DeadLetter {
  stage: 'normalizer' | 'deduplicator' | 'indexer' | 'enricher';
  /** Reason code of the first reject (all codes are in `rejectCounts`). */
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
  /** The first rejects (at most `DEAD_LETTER_LIMITS.maxRejects`, within `maxRejectsBytes`). */
  rejects: DeadLetterReject[];
  /** Every reject of the message, kept or not, counted per reason code. */
  rejectCounts?: { reason: string; count: number }[];
  /** How many rejects are counted but not listed in `rejects`. */
  rejectsOmitted?: number;
  /** The source record's value, base64 — only its first bytes when `originalTruncated`. */
  original: string;
  /** Byte length of the full source value. */
  originalLength?: number;
  /** SHA-256 (hex) of the full source value: a re-drive checks what it fetched back against it. */
  originalSha256?: string;
  /** True when `original` holds only the first `DEAD_LETTER_LIMITS.originalHeadBytes`. */
  originalTruncated?: boolean;
  /** The source record's headers (record type, correlation id, …), so a re-drive restores them. */
  headers?: Record<string, string>;
  failedAt: string;
  correlationId: string | null;
}

export interface DeadLetterReject {
  reason: string;
  message: string;
  /** The offending value, at most `maxRejectValueChars` (then ending in `TRUNCATION_MARKER`). */
  value: string | null;
  location: string;
  /** Set when `value` was cut: SHA-256 (hex) and length of the full value. */
  valueSha256?: string;
  valueLength?: number;
}

/**
 * Caps of one dead letter. Worst case: 512 KiB of base64 original + 256 KiB
 * of rejects + 16 KiB of headers + a few KiB of envelope, under
 * `maxLetterBytes`, itself under Kafka's default 1 MiB `max.message.bytes`.
 */
export const DEAD_LETTER_LIMITS = {
  /** Rejects listed in one letter; the rest are only counted (`rejectCounts`, `rejectsOmitted`). */
  maxRejects: 1_000,
  /** Encoded bytes of the listed rejects; past it the rest are only counted. */
  maxRejectsBytes: 256 * 1024,
  /** Characters kept of a reject's value (partner data). */
  maxRejectValueChars: 256,
  /** Characters kept of a reject's message (may quote an exception or Elasticsearch). */
  maxRejectMessageChars: 1_024,
  /** Source values up to this size are kept whole (384 KiB = 512 KiB of base64). */
  maxOriginalBytes: 384 * 1024,
  /** Bytes kept of a larger source value (for `dlq show`); re-drive fetches the rest from the source. */
  originalHeadBytes: 64 * 1024,
  /** Header bytes (names + values) kept; a header past it is dropped whole. */
  maxHeadersBytes: 16 * 1024,
  /** No letter encodes to more than this. */
  maxLetterBytes: 900_000,
} as const;

/** Appended to a value or message cut to its cap. */
export const TRUNCATION_MARKER = '…[truncated]';

/** Reason code of a record whose stage handler threw (isolated by the batch consumer). */
export const STAGE_ERROR_CODE = 'stage_error';

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
    typeof parsed.original !== 'string' ||
    !Array.isArray(parsed.rejects)
  ) {
    throw new Error('not a Dragnet dead-letter record');
  }
  return parsed;
}

/**
 * One re-drive progress record per dead letter (compacted topic
 * `TOPICS.deadLetterRedrives`, key = the letter's `<partition>:<offset>` on
 * the dead-letter topic): written after the re-drive was acknowledged, so a
 * letter is re-driven at least once and, unless asked again, at most once.
 */
export interface RedriveMark {
  /** `deadLetterKey` of the letter: a mark counts only for it (a recreated dead-letter topic reuses positions). */
  letter: string;
  redrivenAt: string;
  /** Where the re-drive went (topic) and as what (`original`, `refresh`). */
  target: string;
  as: 'original' | 'refresh';
}
