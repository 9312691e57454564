import { readTopic, requireStack, testKafka, testLogger, uniqueName } from '@dragnet/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteTopics, ensureTopics } from './admin.js';
import { runBatchConsumer } from './batch-consumer.js';
import { createBatchProducer } from './producer.js';

describe('Kafka (real broker)', () => {
  beforeAll(requireStack);

  it('round-trips records through a fresh topic with keys and headers', async () => {
    const kafka = testKafka();
    const topic = uniqueName('smoke');
    const created = await ensureTopics(kafka, [{ topic, partitions: 2 }]);
    expect(created.created).toEqual([topic]);
    expect((await ensureTopics(kafka, [{ topic, partitions: 2 }])).existing).toEqual([topic]);
    const producer = await createBatchProducer(kafka);
    await producer.send(
      Array.from({ length: 50 }, (_, index) => ({
        topic,
        key: `k${index}`,
        value: `v${index}`,
        headers: { n: String(index) },
      })),
    );
    await producer.disconnect();
    const records = await readTopic(kafka, topic, 50);
    expect(records.map((record) => record.value?.toString()).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `v${i}`).sort(),
    );
    expect(records.every((record) => record.headers.n === record.key?.toString().slice(1))).toBe(true);
    await deleteTopics(kafka, [topic]);
  });

  it('commits a batch only when its handler succeeded: a failed batch is delivered again', async () => {
    const kafka = testKafka();
    const topic = uniqueName('commit');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const producer = await createBatchProducer(kafka);
    await producer.send([
      { topic, key: 'a', value: '1' },
      { topic, key: 'b', value: '2' },
    ]);
    const groupId = uniqueName('group');
    let attempts = 0;
    const seen: string[] = [];
    let delivered: () => void = () => undefined;
    const bothDelivered = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    const running = await runBatchConsumer({
      kafka,
      groupId,
      topics: [topic],
      logger: testLogger,
      deadLetters: { stage: 'normalizer', producer },
      handler: async (records) => {
        attempts++;
        if (attempts === 1) throw new Error('simulated fault before anything was durable');
        seen.push(...records.map((record) => record.value!.toString()));
        if (seen.length >= 2) delivered();
      },
    });
    await bothDelivered;
    // Stopping right away must still commit the batch in hand.
    await running.stop();
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(seen.slice(0, 2)).toEqual(['1', '2']);
    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(committed[0]?.partitions[0]?.offset).toBe('2');
    await producer.disconnect();
    await deleteTopics(kafka, [topic]);
  });
});
