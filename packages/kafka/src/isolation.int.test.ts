import { decodeDeadLetter } from '@dragnet/contracts';
import { readTopic, requireStack, testKafka, testLogger, uniqueName } from '@dragnet/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteTopics, ensureTopics } from './admin.js';
import { type BatchHealthListener, runBatchConsumer } from './batch-consumer.js';
import { InfrastructureError } from './isolation.js';
import { createBatchProducer } from './producer.js';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };

async function committedOffset(kafka: ReturnType<typeof testKafka>, groupId: string, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return entry?.partitions[0]?.offset;
  } finally {
    await admin.disconnect();
  }
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function recordingHealth() {
  const events: string[] = [];
  const health: BatchHealthListener = {
    failed: (kind) => events.push(`failed:${kind}`),
    succeeded: () => events.push('ok'),
    deadLettered: (count) => events.push(`dead:${count}`),
  };
  return { events, health };
}

describe('batch consumer isolation (real broker)', () => {
  beforeAll(requireStack);

  it('dead-letters a poison record as stage_error, handles every good one and commits past it', async () => {
    const kafka = testKafka();
    const topic = uniqueName('poison');
    const deadLetterTopic = uniqueName('poison-dlq');
    const rejectsTopic = uniqueName('poison-rejects');
    await ensureTopics(kafka, [
      { topic, partitions: 1 },
      { topic: deadLetterTopic, partitions: 1 },
      { topic: rejectsTopic, partitions: 1 },
    ]);
    const producer = await createBatchProducer(kafka);
    const values = Array.from({ length: 40 }, (_, i) => (i === 17 ? 'poison' : `good-${i}`));
    await producer.send(
      values.map((value, i) => ({
        topic,
        key: `k${i}`,
        value,
        headers: { 'dragnet-record-type': 'report' },
      })),
    );
    const groupId = uniqueName('group');
    const handled = new Set<string>();
    const { events, health } = recordingHealth();
    let joins = 0;
    const running = await runBatchConsumer({
      kafka,
      groupId,
      topics: [topic],
      logger: testLogger,
      isolation: fast,
      deadLetters: {
        stage: 'deduplicator',
        producer,
        topic: deadLetterTopic,
        // The partner's rejects topic gets a copy of every letter of its records.
        copyTo: (record) => (record.topic === topic ? rejectsTopic : null),
      },
      health,
      handler: async (records) => {
        for (const record of records)
          if (record.value?.toString() === 'poison')
            throw new TypeError("Cannot read properties of undefined (reading 'id')");
        for (const record of records) handled.add(record.value!.toString());
      },
    });
    running.onGroupJoin(() => {
      joins++;
    });
    try {
      await until(
        async () => (await committedOffset(kafka, groupId, topic)) === '40',
        30_000,
        'the commit past the batch',
      );
      expect([...handled].sort()).toEqual(values.filter((value) => value !== 'poison').sort());
      const [letter] = await readTopic(kafka, deadLetterTopic, 1);
      const decoded = decodeDeadLetter(letter!.value!);
      expect(decoded).toMatchObject({
        stage: 'deduplicator',
        code: 'stage_error',
        source: { topic, partition: 0, offset: '17', key: 'k17' },
        headers: { 'dragnet-record-type': 'report' },
      });
      expect(decoded.reason).toContain("Cannot read properties of undefined (reading 'id')");
      expect(Buffer.from(decoded.original, 'base64').toString()).toBe('poison');
      const [copy] = await readTopic(kafka, rejectsTopic, 1);
      expect(decodeDeadLetter(copy!.value!)).toEqual(decoded);
      expect(events).toContain('dead:1');
      expect(events.at(-1)).not.toMatch(/^failed/);
      // The stream goes on: a record produced later is handled without another rebalance.
      await producer.send([{ topic, key: 'late', value: 'good-late' }]);
      await until(() => handled.has('good-late'), 20_000, 'the record after the poison one');
      expect(joins).toBe(0);
    } finally {
      await running.stop();
      await producer.disconnect();
      await deleteTopics(kafka, [topic, deadLetterTopic, rejectsTopic]);
    }
  });

  it('never dead-letters on an infrastructure fault: retries until it clears, reporting failures meanwhile', async () => {
    const kafka = testKafka();
    const topic = uniqueName('infra');
    const deadLetterTopic = uniqueName('infra-dlq');
    await ensureTopics(kafka, [
      { topic, partitions: 1 },
      { topic: deadLetterTopic, partitions: 1 },
    ]);
    const producer = await createBatchProducer(kafka);
    await producer.send(Array.from({ length: 5 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })));
    const groupId = uniqueName('group');
    const { events, health } = recordingHealth();
    let elasticsearchUp = false;
    const handled: string[] = [];
    const running = await runBatchConsumer({
      kafka,
      groupId,
      topics: [topic],
      logger: testLogger,
      isolation: fast,
      deadLetters: { stage: 'indexer', producer, topic: deadLetterTopic },
      health,
      handler: async (records) => {
        if (!elasticsearchUp)
          throw new InfrastructureError('Elasticsearch did not accept 5 documents (status 503)');
        handled.push(...records.map((record) => record.value!.toString()));
      },
    });
    try {
      await until(
        () => events.filter((event) => event === 'failed:infrastructure').length >= 8,
        20_000,
        'failures',
      );
      expect(await committedOffset(kafka, groupId, topic)).not.toBe('5');
      elasticsearchUp = true;
      await until(async () => (await committedOffset(kafka, groupId, topic)) === '5', 20_000, 'the commit');
      expect(handled).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
      expect(events.at(-1)).toBe('ok');
      expect(events.some((event) => event.startsWith('dead') || event === 'failed:stage_error')).toBe(false);
      const admin = kafka.admin();
      await admin.connect();
      const [offsets] = await admin.fetchTopicOffsets(deadLetterTopic);
      await admin.disconnect();
      expect(offsets?.high).toBe('0');
    } finally {
      await running.stop();
      await producer.disconnect();
      await deleteTopics(kafka, [topic, deadLetterTopic]);
    }
  });
});
