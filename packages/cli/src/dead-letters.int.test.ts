import { decodeDeadLetter, HEADERS } from '@dragnet/contracts';
import {
  type ConsumedRecord,
  createBatchProducer,
  deadLetterRecord,
  deleteTopics,
  ensureTopics,
  stageErrorDeadLetter,
} from '@dragnet/kafka';
import { type TestKafka as Kafka, readTopic, requireStack, testKafka, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DlqTopics, readDeadLetters, redriveDeadLetters, showDeadLetter } from './dead-letters.js';

async function highWatermark(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, entry) => sum + Number(entry.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('dragnet dlq (real broker)', () => {
  const kafka = testKafka();
  const context = { kafka: () => kafka };
  const partnerTopic = uniqueName('feeds.acme');
  const changesTopic = uniqueName('changes');
  const topics: DlqTopics = {
    deadLetter: uniqueName('dlq'),
    redrives: uniqueName('dlq-redrives'),
    canonical: uniqueName('canonical'),
  };
  // ESC sequences (clear screen, set title), BEL, a lone C1 CSI byte (not UTF-8), C1 CSI as UTF-8, DEL.
  const hostile = Buffer.concat([
    Buffer.from('1.2.3.4,evil\n\x1b[2J\x1b]0;owned\x07'),
    Buffer.from([0x9b]),
    Buffer.from('31m\u009b31m\x7f tail\n'),
  ]);
  const big = Buffer.alloc(600 * 1024, 'a'); // over the 384 KiB kept whole in a letter

  beforeAll(async () => {
    await requireStack();
    await ensureTopics(kafka, [
      { topic: partnerTopic, partitions: 1, config: { 'max.message.bytes': '10485760' } },
      { topic: changesTopic, partitions: 1 },
      { topic: topics.canonical, partitions: 1 },
      { topic: topics.deadLetter, partitions: 1 },
    ]);
    const producer = await createBatchProducer(kafka);
    // The big partner message exists at its source (offset 0), so a re-drive can fetch it back.
    await producer.send([{ topic: partnerTopic, key: null, value: big }]);
    const [bigRecord] = await readTopic(kafka, partnerTopic, 1);
    const at = (
      topic: string,
      offset: string,
      value: Buffer,
      headers: Record<string, string> = {},
      key: string | null = null,
    ) =>
      ({
        topic,
        partition: 0,
        offset,
        key: key === null ? null : Buffer.from(key),
        value,
        headers,
        timestamp: 1,
      }) satisfies ConsumedRecord;
    await producer.send([
      deadLetterRecord({
        record: at(partnerTopic, '7', hostile, { 'dragnet-correlation-id': 'c-7' }),
        stage: 'normalizer',
        rejects: [
          { reason: 'invalid_ipv4', message: 'line 2: not an address', value: '\x1b[2J', location: 'line 2' },
        ],
        partner: 'acme',
        topic: topics.deadLetter,
      }),
      stageErrorDeadLetter(
        at(
          topics.canonical,
          '3',
          Buffer.from('{"id":"ipv4-addr--1","versions":{},"result":{}}'),
          {
            [HEADERS.recordKind]: 'enrichment',
            'dragnet-correlation-id': 'c-3',
          },
          'ipv4-addr--1',
        ),
        new TypeError('boom'),
        { stage: 'deduplicator', topic: topics.deadLetter },
      ),
      deadLetterRecord({
        record: at(changesTopic, '9', Buffer.from('{"stale":"document"}'), {}, 'ipv4-addr--2'),
        stage: 'indexer',
        rejects: [
          {
            reason: 'es_rejected',
            message: 'mapper_parsing_exception',
            value: null,
            location: 'ipv4-addr--2',
          },
        ],
        topic: topics.deadLetter,
      }),
      deadLetterRecord({
        record: { ...bigRecord!, headers: {} },
        stage: 'normalizer',
        rejects: [{ reason: 'too_long', message: 'line 1 too long', value: null, location: 'line 1' }],
        topic: topics.deadLetter,
      }),
      deadLetterRecord({
        record: at(uniqueName('feeds.gone'), '0', big),
        stage: 'normalizer',
        rejects: [{ reason: 'too_long', message: 'line 1 too long', value: null, location: 'line 1' }],
        topic: topics.deadLetter,
      }),
      deadLetterRecord({
        record: at('enrichment-jobs', '0', Buffer.from('x')),
        stage: 'enricher',
        rejects: [{ reason: 'provider_failed', message: 'x', value: null, location: 'job' }],
        topic: topics.deadLetter,
      }),
    ]);
    await producer.disconnect();
  });

  afterAll(async () => {
    await deleteTopics(kafka, [partnerTopic, changesTopic, ...Object.values(topics)]).catch(() => undefined);
  });

  it('re-drives each letter once, to the stage that rejected it, with its headers; --again re-drives again', async () => {
    const first = await redriveDeadLetters(context, {}, { topics });
    expect(first.redriven).toBe(4);
    expect(first.skipped).toBe(0);
    expect(first.refused.map(({ position }) => position)).toEqual(['0:4', '0:5']);
    expect(first.refused[0]?.reason).toMatch(/first bytes.*no longer exists/);
    expect(first.refused[1]?.reason).toContain('jobs retry');

    // Normalizer letters: the partner's bytes, as sent, back on the partner topic (the big one fetched back whole).
    const partner = await readTopic(kafka, partnerTopic, 3);
    const redrivenToPartner = partner.filter((record) => record.headers['dragnet-redriven-from']);
    expect(redrivenToPartner.map((record) => record.headers['dragnet-redriven-from']).sort()).toEqual([
      '0:0',
      '0:3',
    ]);
    const small = redrivenToPartner.find((record) => record.headers['dragnet-redriven-from'] === '0:0')!;
    expect(small.value?.equals(hostile)).toBe(true);
    expect(small.headers['dragnet-correlation-id']).toBe('c-7');
    const whole = redrivenToPartner.find((record) => record.headers['dragnet-redriven-from'] === '0:3')!;
    expect(whole.value?.equals(big)).toBe(true);

    // Deduplicator letter: back on the canonical topic with its record type; indexer letter: a refresh, not the stale document.
    const canonical = await readTopic(kafka, topics.canonical, 2);
    const enrichment = canonical.find((record) => record.headers['dragnet-redriven-from'] === '0:1')!;
    expect(enrichment.headers[HEADERS.recordKind]).toBe('enrichment');
    expect(enrichment.headers['dragnet-correlation-id']).toBe('c-3');
    expect(enrichment.key?.toString()).toBe('ipv4-addr--1');
    const refresh = canonical.find((record) => record.headers['dragnet-redriven-from'] === '0:2')!;
    expect(refresh.headers[HEADERS.recordKind]).toBe('refresh');
    expect(refresh.key?.toString()).toBe('ipv4-addr--2');
    expect(JSON.parse(refresh.value!.toString())).toEqual({ id: 'ipv4-addr--2', reason: 'rescore' });
    expect(await highWatermark(kafka, changesTopic)).toBe(0);

    // A second run re-drives nothing: exactly one re-driven copy per letter.
    const second = await redriveDeadLetters(context, {}, { topics });
    expect(second).toMatchObject({ redriven: 0, skipped: 4 });
    expect(await highWatermark(kafka, partnerTopic)).toBe(3);
    expect(await highWatermark(kafka, topics.canonical)).toBe(2);

    // --again does, once more.
    const again = await redriveDeadLetters(context, { positions: ['0:0'] }, { topics, again: true });
    expect(again.redriven).toBe(1);
    expect(await highWatermark(kafka, partnerTopic)).toBe(4);
    expect(await highWatermark(kafka, topics.canonical)).toBe(2);
  });

  it('show escapes control bytes so the terminal interprets none of them', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1'));
      return true;
    });
    try {
      await showDeadLetter(context, '0:0', topics);
    } finally {
      spy.mockRestore();
    }
    const output = written.join('');
    expect(output).toContain('\\x1b[2J');
    expect(output).toContain('\\x1b]0;owned\\x07');
    expect(output).toContain('\\x9b31m'); // a lone C1 byte (not UTF-8)
    expect(output).toContain('\\u009b31m'); // C1 as UTF-8
    expect(output).toContain('\\x7f tail');
    expect(output).toContain('1.2.3.4,evil\n');
    // Nothing a terminal acts on: no ESC, BEL, DEL or C1 anywhere (the JSON part included).
    expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const letter = (await readDeadLetters(kafka, topics.deadLetter))[0]!.letter;
    expect(letter.rejects[0]?.value).toBe('\x1b[2J');
    expect(decodeDeadLetter(Buffer.from(JSON.stringify(letter))).headers).toEqual({
      'dragnet-correlation-id': 'c-7',
    });
  });
});
