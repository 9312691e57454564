import { REDIS_KEYS } from '@dragnet/contracts';
import { eventually, requireStack, testElasticsearch, testKafka, testRedis } from '@dragnet/test-kit';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assertExact,
  createPipelineResources,
  dropPipelineResources,
  Pipeline,
  pushGenerated,
  serviceEnv,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const redis = testRedis();
const LOCK_KEY = `${REDIS_KEYS.mergeState}recovery-lock`;
const EPOCH_KEY = `${REDIS_KEYS.mergeState}epoch`;

describe('faults: a merge-cache recovery cannot stall the fleet', () => {
  let pipeline: Pipeline;

  beforeAll(requireStack);
  beforeEach(async () => {
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
    pipeline = new Pipeline(
      serviceEnv({
        // Short lock lifetime so a dead holder is replaced within seconds; a drain bound far
        // beyond the test, so only the takeover can end the wait.
        RECOVERY_LOCK_TTL_MS: '3000',
        RECOVERY_DRAIN_TIMEOUT_MS: '600000',
      }),
    );
  });
  afterEach(async () => {
    await pipeline.stopAll();
    await dropPipelineResources(kafka, elasticsearch);
  });

  it('kill -9 of the recovery lock holder mid-recovery: another deduplicator takes over, nothing is lost', async () => {
    // Changes pile up with no indexer running, so a recovery must wait for the drain.
    pipeline.start('normalizer');
    pipeline.start('deduplicator', 0);
    pipeline.start('deduplicator', 1);
    await pushGenerated(kafka, 3_000, 31);
    await eventually(
      () => redis.get(EPOCH_KEY),
      (epoch) => epoch !== null,
      {
        timeoutMs: 120_000,
        what: 'the deduplicators to mark the cache complete',
      },
    );

    // This pipeline's cache loses its data (as after FLUSHALL, without touching other tests' keys).
    const keys = await redis.keys(`${REDIS_KEYS.mergeState}*`);
    await redis.unlink(...keys);
    await pushGenerated(kafka, 3_000, 32);

    const holder = await eventually(
      () => redis.get(LOCK_KEY),
      (value) => value !== null,
      {
        timeoutMs: 60_000,
        what: 'a deduplicator to take the recovery lock',
      },
    );
    const holderPid = Number(holder!.split(':')[0]);
    const victim = pipeline.running('deduplicator').find((process) => process.child.pid === holderPid);
    expect(victim, `lock holder ${holder} is one of ours`).toBeDefined();
    const survivor = pipeline.running('deduplicator').find((process) => process !== victim)!;
    expect(await victim!.kill('SIGKILL')).toBe('SIGKILL');

    // Let the indexer drain: the surviving deduplicator must take the lock over and finish.
    pipeline.start('indexer');
    const taken = await eventually(
      () => redis.get(LOCK_KEY),
      (value) => value !== null && value !== holder,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: 'the surviving deduplicator to take the recovery lock over',
      },
    ).catch(async () => redis.get(EPOCH_KEY));
    expect(taken).not.toBeNull();
    await assertExact(kafka, elasticsearch);
    expect(survivor.child.exitCode).toBeNull();
  });
});
