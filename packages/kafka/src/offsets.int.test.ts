import { requireStack, testKafka, uniqueName } from '@dragnet/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteTopics, ensureTopics } from './admin.js';
import { describeBrokers, readTopicRange, topicOffsets, waitForGroupOffsets } from './offsets.js';
import { createBatchProducer } from './producer.js';

describe('offsets, ranges and group positions (real broker)', () => {
  const kafka = testKafka();
  const topic = uniqueName('offsets');

  beforeAll(async () => {
    await requireStack();
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const producer = await createBatchProducer(kafka);
    await producer.send(Array.from({ length: 10 }, (_, index) => ({ topic, key: 'k', value: `v${index}` })));
    await producer.disconnect();
  });

  it('describes the brokers and the offsets of a topic (null when it does not exist)', async () => {
    expect((await describeBrokers(kafka)).brokers).toBeGreaterThanOrEqual(1);
    expect(await topicOffsets(kafka, topic)).toEqual([{ partition: 0, low: '0', high: '10' }]);
    expect(await topicOffsets(kafka, uniqueName('absent'))).toBeNull();
  });

  it('reads a range of offsets, each record once, and the whole topic by default', async () => {
    const part = await readTopicRange(kafka, topic, { ranges: [{ partition: 0, from: '3', until: '6' }] });
    expect(part.map((record) => [record.offset, record.value?.toString()])).toEqual([
      ['3', 'v3'],
      ['4', 'v4'],
      ['5', 'v5'],
    ]);
    const all = await readTopicRange(kafka, topic);
    expect(all.map((record) => record.value?.toString())).toEqual(
      Array.from({ length: 10 }, (_, i) => `v${i}`),
    );
    expect(await readTopicRange(kafka, uniqueName('absent'))).toEqual([]);
  });

  it('gives up on a range it cannot complete within its time', async () => {
    await expect(
      readTopicRange(kafka, topic, { ranges: [{ partition: 0, from: '8', until: '20' }], timeoutMs: 3_000 }),
    ).rejects.toThrow(/read 2 records/);
  });

  it('waits for a group to reach the end offsets, and says when it did not in time', async () => {
    const groupId = uniqueName('offsets-group');
    const behind = await waitForGroupOffsets(kafka, { groupId, topic, timeoutMs: 300, pollMs: 50 });
    expect(behind).toMatchObject({ reached: false, partitionsBehind: 1, partitions: 1 });

    let polls = 0;
    const waiting = waitForGroupOffsets(kafka, {
      groupId,
      topic,
      timeoutMs: 20_000,
      pollMs: 50,
      onPoll: async () => {
        polls++;
      },
    });
    const admin = testKafka().admin();
    await admin.connect();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '10' }] });
    await admin.disconnect();
    expect(await waiting).toMatchObject({ reached: true, partitionsBehind: 0 });
    expect(polls).toBeGreaterThanOrEqual(0);

    // onPoll throwing stops the wait (a stopping service).
    const other = uniqueName('offsets-group');
    await expect(
      waitForGroupOffsets(kafka, {
        groupId: other,
        topic,
        onPoll: async () => {
          throw new Error('stopping');
        },
      }),
    ).rejects.toThrow('stopping');
    await deleteTopics(kafka, [topic]);
  });
});
