import { createHash } from 'node:crypto';
import { decodeDeadLetter } from '@dragnet/contracts';
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from './batch-consumer.js';
import { deadLetterRecord, stageErrorDeadLetter } from './dead-letter.js';

const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function record(value: Buffer, headers: Record<string, string> = {}): ConsumedRecord {
  return {
    topic: 'feeds.acme',
    partition: 2,
    offset: '41',
    key: null,
    value,
    headers,
    timestamp: 1_700_000_000_000,
  };
}

describe('dead letters are bounded', () => {
  it('one message of a million bad lines gives one letter under Kafka’s 1 MiB, counting every reject', () => {
    const lines = Array.from({ length: 1_000_000 }, (_, i) => `not-an-indicator-${i}-${'x'.repeat(100)}`);
    const value = Buffer.from(lines.join('\n'));
    const rejects = lines.map((line, i) => ({
      reason: i % 3 === 0 ? 'invalid_ipv4' : 'unknown_kind',
      message: `line ${i + 1}: not an indicator`,
      value: line,
      location: `line ${i + 1}`,
    }));
    const out = deadLetterRecord({ record: record(value), stage: 'normalizer', rejects });
    const bytes = out.value as Buffer;
    expect(bytes.length).toBeLessThan(KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
    expect(bytes.length).toBeLessThanOrEqual(900_000);
    const letter = decodeDeadLetter(bytes);
    expect(letter.rejects.length).toBeLessThanOrEqual(1_000);
    expect(letter.rejects[0]).toMatchObject({ reason: 'invalid_ipv4', location: 'line 1' });
    expect(letter.rejectsOmitted).toBe(1_000_000 - letter.rejects.length);
    expect(letter.rejectCounts).toEqual([
      { reason: 'invalid_ipv4', count: 333_334 },
      { reason: 'unknown_kind', count: 666_666 },
    ]);
    expect(letter.originalTruncated).toBe(true);
    expect(letter.originalLength).toBe(value.length);
    expect(letter.originalSha256).toBe(hex(value));
    const head = Buffer.from(letter.original, 'base64');
    expect(head.length).toBe(64 * 1024);
    expect(head.equals(value.subarray(0, head.length))).toBe(true);
  });

  it('cuts a long reject value with a marker and keeps the full value’s SHA-256 and length', () => {
    const long = 'A'.repeat(10_000);
    const letter = decodeDeadLetter(
      deadLetterRecord({
        record: record(Buffer.from(long)),
        stage: 'normalizer',
        rejects: [{ reason: 'too_long', message: 'm'.repeat(50_000), value: long, location: 'line 1' }],
      }).value as Buffer,
    );
    const [reject] = letter.rejects;
    expect(reject?.value).toBe(`${'A'.repeat(256)}…[truncated]`);
    expect(reject?.valueSha256).toBe(hex(long));
    expect(reject?.valueLength).toBe(10_000);
    expect(reject?.message.length).toBeLessThan(1_100);
    // A small original is kept whole.
    expect(letter.originalTruncated).toBe(false);
    expect(Buffer.from(letter.original, 'base64').toString()).toBe(long);
  });

  it('stays under the cap with the worst mix: big original, rejects of escaped control characters, many headers', () => {
    const control = '\u0001'.repeat(256); // six bytes each once JSON-escaped
    const headers = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`h${i}`, 'v'.repeat(1_000)]));
    const out = deadLetterRecord({
      record: record(Buffer.alloc(384 * 1024, 0x41), headers),
      stage: 'normalizer',
      rejects: Array.from({ length: 5_000 }, () => ({
        reason: 'x',
        message: control.repeat(4),
        value: control,
        location: control,
      })),
    });
    expect((out.value as Buffer).length).toBeLessThanOrEqual(900_000);
    const letter = decodeDeadLetter(out.value as Buffer);
    expect(letter.originalTruncated).toBe(false);
    expect(Object.keys(letter.headers ?? {}).length).toBeLessThan(17);
  });

  it('keeps the source headers (record type, correlation id) for the re-drive', () => {
    const letter = decodeDeadLetter(
      stageErrorDeadLetter(
        record(Buffer.from('x'), { 'dragnet-record-type': 'enrichment', 'dragnet-correlation-id': 'c-1' }),
        new Error('x is undefined'),
        { stage: 'deduplicator' },
      ).value as Buffer,
    );
    expect(letter.headers).toEqual({ 'dragnet-record-type': 'enrichment', 'dragnet-correlation-id': 'c-1' });
    expect(letter.code).toBe('stage_error');
    expect(letter.reason).toMatch(/x is undefined \(stack [0-9a-f]{12}\)/);
    expect(letter.correlationId).toBe('c-1');
  });
});
