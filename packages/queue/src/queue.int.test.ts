import { requireStack, stack, uniqueName } from '@dragnet/test-kit';
import { QueueEvents } from 'bullmq';
import { beforeAll, describe, expect, it } from 'vitest';
import { createQueue, createWorker, enrichmentJobId } from './catalog.js';

const connection = () => ({ url: stack.REDIS_URL, maxRetriesPerRequest: null });

describe('BullMQ on real Redis', () => {
  beforeAll(requireStack);

  it('processes a job with a worker and dedupes by deterministic job id', async () => {
    const prefix = uniqueName('bull');
    const queue = createQueue('enrichment', connection(), prefix);
    const events = new QueueEvents(queue.name, { connection: connection(), prefix });
    await events.waitUntilReady();
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
    const job = await queue.add('enrich', { targets, versions: { ip: 1 } }, { jobId });
    await queue.add('enrich', { targets, versions: { ip: 1 } }, { jobId });
    expect(await job.waitUntilFinished(events, 20_000)).toBe(1);
    expect(processed).toEqual(['ipv4-addr--a']);
    expect(await queue.getJobCounts('completed', 'waiting')).toMatchObject({ completed: 1, waiting: 0 });
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
