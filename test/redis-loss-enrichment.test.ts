import { INDEX, NAMESPACE } from '@dragnet/contracts';
import { MAINTENANCE_SCHEDULER_ID, openQueue, schedulerExists } from '@dragnet/queue';
import { eventually, requireStack, stack, testElasticsearch, testKafka, testRedis } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPipelineResources,
  dropPipelineResources,
  Pipeline,
  pushMessages,
  serviceEnv,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const redis = testRedis();
const connection = { url: stack.REDIS_URL, maxRetriesPerRequest: null };
const maintenanceQueue = openQueue('maintenance', connection);
const enrichmentQueue = openQueue('enrichment', connection);
// Sweeps every 2 s; an indicator unenriched 5 s after its last write counts as lost.
const pipeline = new Pipeline(
  serviceEnv({
    ENRICHMENT_ENABLED: 'true',
    MAINTENANCE_INTERVAL_MS: '2000',
    MAINTENANCE_SCHEDULER_CHECK_MS: '1000',
    REENRICH_UNENRICHED_AFTER_MS: '5000',
  }),
);

/**
 * What FLUSHALL does to this file's pipeline — merge states, the cache epoch
 * marker, every enrichment job, the maintenance job scheduler — without
 * touching the keys of tests running beside it (every key of ours carries the
 * namespace).
 */
async function wipeOurRedisKeys(): Promise<number> {
  let cursor = '0';
  let wiped = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${NAMESPACE}*`, 'COUNT', 1_000);
    if (keys.length > 0) wiped += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  return wiped;
}

const csv = (values: string[]) =>
  `${values.map((value) => `${value},ipv4,${new Date().toISOString()}`).join('\n')}\n`;

async function counts(): Promise<{ all: number; enriched: number }> {
  await elasticsearch.indices.refresh({ index: INDEX.alias });
  const [all, enriched] = await Promise.all([
    elasticsearch.count({ index: INDEX.alias }),
    elasticsearch.count({ index: INDEX.alias, query: { term: { 'dragnet.enriched': true } } }),
  ]);
  return { all: all.count, enriched: enriched.count };
}

describe('Redis loses its data while enrichment jobs are pending', () => {
  beforeAll(async () => {
    expect(NAMESPACE).toMatch(/^e2e-/);
    await requireStack();
    await createPipelineResources(kafka, elasticsearch);
  });
  afterAll(async () => {
    await pipeline.stopAll();
    await maintenanceQueue.close();
    await enrichmentQueue.close();
    await wipeOurRedisKeys();
    await dropPipelineResources(kafka, elasticsearch);
    await elasticsearch.close();
    redis.disconnect();
  });

  it('recreates the maintenance scheduler without a restart and re-enriches every indicator whose job was lost', async () => {
    pipeline.startAll();
    const first = pipeline.start('enricher', 0);
    const before = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`);
    await pushMessages(kafka, 'synthetic-a', [csv(before)]);
    await eventually(counts, (c) => c.all === 20 && c.enriched === 20, {
      what: 'the first 20 indicators enriched',
      timeoutMs: 90_000,
    });

    // No enricher: the next indicators are indexed unenriched, their jobs wait in Redis.
    await first.kill('SIGTERM');
    const pending = Array.from({ length: 30 }, (_, i) => `203.0.113.${i + 1}`);
    await pushMessages(kafka, 'synthetic-a', [csv(pending)]);
    await eventually(counts, (c) => c.all === 50, { what: '50 indexed documents', timeoutMs: 60_000 });
    expect((await counts()).enriched).toBe(20);
    expect(await enrichmentQueue.depth()).toBeGreaterThan(0);

    // Redis loses everything: the jobs, the merge states (with their "enrichment requested" marks)
    // and the maintenance scheduler.
    expect(await wipeOurRedisKeys()).toBeGreaterThan(0);
    expect(await enrichmentQueue.counts('waiting', 'delayed', 'prioritized', 'active')).toEqual({
      waiting: 0,
      delayed: 0,
      prioritized: 0,
      active: 0,
    });
    expect(await schedulerExists(maintenanceQueue, MAINTENANCE_SCHEDULER_ID)).toBe(false);

    const second = pipeline.start('enricher', 1);
    await eventually(
      () => schedulerExists(maintenanceQueue, MAINTENANCE_SCHEDULER_ID),
      (exists) => exists,
      { what: 'the scheduler created by the starting enricher', timeoutMs: 60_000, intervalMs: 100 },
    );
    // And again while that enricher runs: it must bring the scheduler back by itself.
    await wipeOurRedisKeys();
    await eventually(
      () => schedulerExists(maintenanceQueue, MAINTENANCE_SCHEDULER_ID),
      (exists) => exists,
      { what: 'the scheduler recreated by the running enricher', timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(second.child.exitCode).toBeNull();
    expect(pipeline.running('enricher')).toHaveLength(1);

    // Sweeps find the 30 left unenriched; the deduplicator, whose state came back from the
    // index without the old request, schedules their enrichment again.
    await eventually(counts, (c) => c.all === 50 && c.enriched === 50, {
      what: 'all 50 indicators enriched',
      timeoutMs: 90_000,
      intervalMs: 1_000,
    });
  });
});
