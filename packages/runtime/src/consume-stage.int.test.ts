import { names } from '@dragnet/contracts';
import { consumerGroupLag, createBatchProducer, deleteTopics, ensureTopics } from '@dragnet/kafka';
import {
  eventually,
  readTopic,
  requireStack,
  stack,
  testKafka,
  testLogger,
  uniqueName,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumeStage } from './consume-stage.js';
import { createStageMetrics } from './metrics.js';
import type { ServiceContext } from './service.js';
import { ShutdownRegistry } from './shutdown.js';
import { StageHealth } from './stage-health.js';

describe('startConsumeStage on a real Kafka', () => {
  const kafka = testKafka();
  // A namespace of its own: the stage must read, dead-letter and commit under these names only.
  const NAMES = names(uniqueName('stage'));
  const input = NAMES.topics.mergeInput;

  beforeAll(async () => {
    await requireStack();
    await ensureTopics(kafka, [
      { topic: input, partitions: 1 },
      { topic: NAMES.topics.deadLetter, partitions: 1 },
    ]);
  });
  afterAll(async () => {
    await deleteTopics(kafka, [input, NAMES.topics.deadLetter]);
  });

  it("dead-letters to the namespace's topic, and on shutdown commits before the service's clients close", async () => {
    const producer = await createBatchProducer(kafka);
    await producer.send(['good-1', 'poison', 'good-2'].map((value) => ({ topic: input, key: null, value })));
    await producer.disconnect();

    const metrics = createStageMetrics('stage-test');
    const shutdown = new ShutdownRegistry(testLogger, 30_000);
    const context: ServiceContext = {
      logger: testLogger,
      metrics,
      shutdown,
      health: new StageHealth('stage-test', metrics),
      names: NAMES,
    };
    // A client the service opened before the stage: it must close last, after the commit.
    const closed: string[] = [];
    let committedWhenClientsClosed: string | undefined;
    shutdown.register('clients', async () => {
      const [lag] = await consumerGroupLag(kafka, NAMES.groups.indexer, [input]);
      committedWhenClientsClosed = lag?.committed;
      closed.push('clients');
    });
    const handled: string[] = [];
    const handle = await startConsumeStage(context, {
      stage: 'indexer',
      config: stack,
      groupId: NAMES.groups.indexer,
      topics: [input],
      concurrency: 1,
      handler: () => async (records) => {
        if (records.some((record) => String(record.value) === 'poison')) throw new Error('cannot handle it');
        handled.push(...records.map((record) => String(record.value)));
      },
    });
    expect(handle.isReady()).toBe(true);
    const [letter] = await readTopic(kafka, NAMES.topics.deadLetter, 1);
    expect(JSON.parse(String(letter!.value))).toMatchObject({
      stage: 'indexer',
      code: 'stage_error',
      source: { topic: input, offset: '1' },
    });
    await eventually(
      async () => [...handled].sort(),
      (values) => values.join() === 'good-1,good-2',
      { what: 'both good records handled' },
    );

    await shutdown.shutdown('test');
    expect(handle.isReady()).toBe(false);
    expect(closed).toEqual(['clients']);
    // Offsets 0..2 were committed (next offset 3) before the earlier-registered clients closed.
    expect(committedWhenClientsClosed).toBe('3');
  });
});
