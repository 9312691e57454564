import { requireStack, testElasticsearch, testKafka, testRedis } from '@dragnet/test-kit';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assertExact,
  createPipelineResources,
  dropPipelineResources,
  Pipeline,
  pushGenerated,
  type ServiceName,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('faults: crashes, cache loss and scale-out give the same documents as a clean run', () => {
  let pipeline: Pipeline;

  beforeAll(requireStack);
  beforeEach(async () => {
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
    pipeline = new Pipeline();
  });
  afterEach(async () => {
    await pipeline.stopAll();
    await dropPipelineResources(kafka, elasticsearch);
  });

  it('kill -9 of each service mid-run loses nothing and double-counts nothing', async () => {
    await pushGenerated(kafka, 20_000, 21);
    pipeline.startAll();
    for (const name of ['normalizer', 'deduplicator', 'indexer'] as ServiceName[]) {
      await sleep(4_000);
      const [victim] = pipeline.running(name);
      expect(victim, `${name} is running`).toBeDefined();
      expect(await victim!.kill('SIGKILL')).toBe('SIGKILL');
      pipeline.start(name, 1);
    }
    await assertExact(kafka, elasticsearch);
  });

  it('FLUSHALL of Redis mid-run still ends with exact documents, recovered from the index', async () => {
    await pushGenerated(kafka, 12_000, 22);
    pipeline.startAll();
    await sleep(6_000);
    const redis = testRedis();
    await redis.flushall();
    await pushGenerated(kafka, 6_000, 23);
    await sleep(2_000);
    await redis.flushall();
    redis.disconnect();
    await assertExact(kafka, elasticsearch);
  });

  it('two instances of each service give the same result as one', async () => {
    await pushGenerated(kafka, 15_000, 24);
    pipeline.startAll(2);
    await assertExact(kafka, elasticsearch);
    expect(pipeline.running('deduplicator')).toHaveLength(2);
  });
});
