import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, requireStack, stack, testKafka, testLogger, uniqueName } from '@dragnet/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AclGrant, grantAcls, revokeAcls } from './acls.js';
import { deleteTopics, ensureTopics } from './admin.js';
import { type RunningConsumer, runBatchConsumer } from './batch-consumer.js';
import { createKafka } from './client.js';
import type { Kafka } from './driver.js';
import { createBatchProducer } from './producer.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RECORDS = 40;

describe("batch consumer under faults that are not the records' (real broker)", () => {
  beforeAll(requireStack);

  // While a rebalance is being prepared, every heartbeat answers REBALANCE_IN_PROGRESS and the
  // coordinator still accepts the old generation's commit. A handler that heartbeats (the
  // deduplicator does) then failed on every record alone: the isolation dead-lettered the whole
  // batch as stage_error and committed past it — good reports gone from the index (the cluster
  // suite's rolling broker restart, 1,590 reports).
  it('a heartbeat that answers "rebalancing" gives the batch up: nothing dead-lettered, every record handled', async () => {
    const kafka = testKafka();
    const topic = uniqueName('rebalance');
    const deadLetterTopic = uniqueName('rebalance-dlq');
    await ensureTopics(kafka, [
      { topic, partitions: 1 },
      { topic: deadLetterTopic, partitions: 1 },
    ]);
    const producer = await createBatchProducer(kafka);
    await producer.send(
      Array.from({ length: RECORDS }, (_, index) => ({ topic, key: `k${index}`, value: `v${index}` })),
    );
    const groupId = uniqueName('rebalance-group');
    const handled = new Set<string>();
    let heldFirstBatch = false;
    let firstBatchHeld: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => {
      firstBatchHeld = resolve;
    });
    const consumers: RunningConsumer[] = [];
    const start = (onBatch: (heartbeat: () => Promise<void>) => Promise<void>) =>
      runBatchConsumer({
        kafka,
        groupId,
        topics: [topic],
        logger: testLogger,
        sessionTimeoutMs: 10_000,
        // Bisect at the first failure: no backoff sleep (whose own heartbeat would end the batch
        // by throwing) between the handler's calls, so only the handler sees the coordinator's answer.
        isolation: { batchAttempts: 1 },
        deadLetters: { stage: 'deduplicator', producer, topic: deadLetterTopic },
        handler: async (records, context) => {
          await onBatch(context.heartbeat);
          for (const record of records) handled.add(record.value!.toString());
        },
      });
    try {
      consumers.push(
        await start(async (heartbeat) => {
          if (!heldFirstBatch) {
            heldFirstBatch = true;
            firstBatchHeld();
            // Heartbeat until the second member's join turns the group to "preparing rebalance".
            for (let tries = 0; tries < 60; tries++) {
              await heartbeat();
              await sleep(500);
            }
          }
          await heartbeat();
        }),
      );
      await holding;
      consumers.push(await start(async () => undefined));
      await eventually(
        async () => handled.size,
        (size) => size === RECORDS,
        { timeoutMs: 60_000, intervalMs: 250, what: 'every record handled by one member or the other' },
      );
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [letters] = await admin.fetchTopicOffsets(deadLetterTopic);
        expect(letters?.high, 'dead letters written').toBe('0');
        await eventually(
          async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset,
          (offset) => offset === String(RECORDS),
          { timeoutMs: 20_000, what: 'the group to commit past every record' },
        );
      } finally {
        await admin.disconnect();
      }
    } finally {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await producer.disconnect();
      await deleteTopics(kafka, [topic, deadLetterTopic]);
    }
  }, 120_000);

  // A send the broker refuses for the producer's sake (here a missing grant, as after an operator
  // added a topic; also a lost producer state) used to count as the records' fault: the batch was
  // bisected and every record dead-lettered as stage_error, then committed past.
  it('a send the broker refuses (a missing grant) is retried, never dead-lettered; once granted, every record goes through', async () => {
    const admin = testKafka();
    const input = uniqueName('grant-in');
    const output = uniqueName('grant-out');
    const deadLetterTopic = uniqueName('grant-dlq');
    const groupId = uniqueName('grant-group');
    await ensureTopics(
      admin,
      [input, output, deadLetterTopic].map((topic) => ({ topic, partitions: 1 })),
    );
    const seed = await createBatchProducer(admin);
    await seed.send(
      Array.from({ length: 10 }, (_, index) => ({ topic: input, key: `k${index}`, value: `v${index}` })),
    );
    await seed.disconnect();
    // A service principal of the secured stack, granted these topics only — but not writing the output.
    const principal = 'enricher';
    const grants: AclGrant[] = [
      { resource: 'topic', name: input, operations: ['read', 'describe'] },
      { resource: 'group', name: groupId, operations: ['read'] },
      { resource: 'topic', name: deadLetterTopic, operations: ['write', 'describe'] },
      { resource: 'topic', name: output, operations: ['describe'] },
    ];
    await grantAcls(admin, { [principal]: grants });
    const secrets = process.env.DRAGNET_SECRETS_DIR ?? join(process.cwd(), '.stack', 'secrets');
    const service = createKafka({
      brokers: stack.KAFKA_BROKERS,
      clientId: 'dragnet-grant-test',
      logger: testLogger,
      retries: 1,
      sasl: {
        mechanism: 'scram-sha-512',
        username: principal,
        password: readFileSync(join(secrets, `kafka-${principal}.password`), 'utf8').trim(),
      },
    });
    const producer = await createBatchProducer(service);
    let failures = 0;
    const consumer = await runBatchConsumer({
      kafka: service,
      groupId,
      topics: [input],
      logger: testLogger,
      isolation: { baseDelayMs: 50, maxDelayMs: 500 },
      deadLetters: { stage: 'enricher', producer, topic: deadLetterTopic },
      health: { failed: () => failures++, succeeded: () => undefined, deadLettered: () => undefined },
      handler: (records) =>
        producer.send(records.map((record) => ({ topic: output, key: record.key, value: record.value }))),
    });
    const driver: Kafka = admin;
    const kafkaAdmin = driver.admin();
    await kafkaAdmin.connect();
    const high = async (topic: string) => (await kafkaAdmin.fetchTopicOffsets(topic))[0]?.high;
    try {
      // Well past the 3 tries before a bisection, and every half's try.
      await eventually(
        async () => failures,
        (count) => count >= 8,
        { timeoutMs: 60_000, what: 'refused sends' },
      );
      expect(await high(deadLetterTopic), 'records dead-lettered for a refused send').toBe('0');
      await grantAcls(admin, { [principal]: [{ resource: 'topic', name: output, operations: ['write'] }] });
      await eventually(
        () => high(output),
        (offset) => offset === '10',
        {
          timeoutMs: 60_000,
          what: 'every record written once the grant exists',
        },
      );
      expect(await high(deadLetterTopic)).toBe('0');
    } finally {
      await consumer.stop();
      await producer.disconnect();
      await kafkaAdmin.disconnect();
      await revokeAcls(admin, {
        [principal]: [...grants, { resource: 'topic', name: output, operations: ['write'] }],
      });
      await deleteTopics(admin, [input, output, deadLetterTopic]);
    }
  }, 120_000);
});
