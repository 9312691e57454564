import { names } from '@dragnet/contracts';
import { requireStack, stack, testRedis, uniqueName } from '@dragnet/test-kit';
import { Queue } from 'bullmq';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWorker, enrichmentJobId, openQueue } from './catalog.js';
import { enqueueEnrichment } from './enrichment-jobs.js';

const connection = () => ({ url: stack.REDIS_URL, maxRetriesPerRequest: null });

describe('BullMQ on real Redis', () => {
  beforeAll(requireStack);

  it('processes a job with a worker and dedupes by deterministic job id', async () => {
    const prefix = uniqueName('bull');
    const queue = openQueue('enrichment', connection(), prefix);
    const processed: string[] = [];
    const worker = createWorker(
      'enrichment',
      async (job) => {
        processed.push(...(job.data.targets as { id: string }[]).map((target) => target.id));
        return processed.length;
      },
      { connection: connection(), concurrency: 2, prefix },
    );
    const targets = [{ id: 'ipv4-addr--a', kind: 'ipv4', value: '192.0.2.1' }];
    const jobId = enrichmentJobId(targets, { ip: 1 });
    expect(await queue.add('enrich', { targets, versions: { ip: 1 } }, { jobId })).toBe(jobId);
    await queue.add('enrich', { targets, versions: { ip: 1 } }, { jobId });
    expect(await queue.waitForJob(jobId, 20_000)).toBe(1);
    expect(processed).toEqual(['ipv4-addr--a']);
    expect(await queue.counts('completed', 'waiting')).toEqual({ completed: 1, waiting: 0 });
    await worker.close();
    await queue.obliterate();
    await queue.close();
  });

  it('enqueues enrichment in chunks under deterministic ids, so a replayed batch adds no job', async () => {
    const prefix = uniqueName('bull');
    const queue = openQueue('enrichment', connection(), prefix);
    try {
      const targets = ['a', 'b', 'c', 'd', 'e'].map((letter, at) => ({
        id: `ipv4-addr--${letter}`,
        kind: 'ipv4' as const,
        value: `192.0.2.${at + 1}`,
      }));
      await enqueueEnrichment(queue, targets, { ip: 1 }, 2);
      await enqueueEnrichment(queue, targets, { ip: 1 }, 2);
      // 5 targets by 2: jobs of 2, 2 and 1, added once although enqueued twice.
      expect(await queue.depth()).toBe(3);
      expect(await queue.counts('waiting')).toEqual({ waiting: 3 });
      expect(await queue.add('enrich', { targets: targets.slice(4), versions: { ip: 1 } })).not.toBe(
        enrichmentJobId(targets.slice(4), { ip: 1 }),
      );
      await enqueueEnrichment(queue, [], { ip: 1 }, 2);
      expect(await queue.depth()).toBe(4);
    } finally {
      await queue.obliterate();
      await queue.close();
    }
  });

  it('names its connections per role in Redis CLIENT LIST, and BullMQ still finds its workers', async () => {
    const prefix = uniqueName('bull');
    const role = uniqueName('dragnet-role');
    // A namespace of its own: the worker's blocking connection is named after the queue, so it is this test's alone.
    const { queues: queueNames } = names(uniqueName('conn'));
    const queue = openQueue('enrichment', connection(), {
      prefix,
      queueNames,
      connectionName: `${role}-queue`,
    });
    const idleWorker = (connectionName?: string) =>
      createWorker('enrichment', async () => undefined, {
        connection: connection(),
        concurrency: 1,
        prefix,
        queueNames,
        ...(connectionName ? { connectionName } : {}),
      });
    const named = idleWorker(`${role}-worker`);
    const unnamed = idleWorker();
    const redis = testRedis();
    const raw = new Queue(queueNames.enrichment, { connection: connection(), prefix });
    try {
      await queue.depth();
      await named.waitUntilReady();
      await unnamed.waitUntilReady();
      const listed = String(await redis.client('LIST'))
        .split('\n')
        .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '');
      const blocking = `${prefix}:${Buffer.from(queueNames.enrichment).toString('base64')}:w:`;
      expect(listed).toContain(`${role}-queue`);
      expect(listed).toContain(`${role}-worker`);
      expect(listed).toContain(`${blocking}${role}-worker`);
      expect(listed).toContain(`${blocking}dragnet-enrichment-worker`);
      expect(listed.filter((name) => name.startsWith(blocking))).toHaveLength(2);
      // BullMQ's own count of workers reads those blocking connections' names.
      expect(await raw.getWorkersCount()).toBe(2);
    } finally {
      redis.disconnect();
      await raw.close();
      await named.close();
      await unnamed.close();
      await queue.obliterate();
      await queue.close();
    }
  });
});
