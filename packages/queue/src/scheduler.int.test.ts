import { names } from '@dragnet/contracts';
import { eventually, requireStack, stack, testRedis, uniqueName } from '@dragnet/test-kit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue } from './catalog.js';
import { ensureScheduler, keepScheduler, schedulerExists } from './scheduler.js';

const connection = () => ({ url: stack.REDIS_URL, maxRetriesPerRequest: null });
const job = { name: 'sweep', data: { trigger: 'schedule' } } as const;

describe('job schedulers that survive Redis losing its data', () => {
  const redis = testRedis();
  const prefix = uniqueName('bull-scheduler');
  const { queues: queueNames } = names(uniqueName('scheduler'));
  const queue = openQueue('maintenance', connection(), { prefix, queueNames });
  // The BullMQ queue itself, to check what the scheduler functions did (an oracle outside the adapter's code).
  const raw = new Queue(queueNames.maintenance, { connection: connection(), prefix });

  /**
   * What FLUSHALL does to this queue, without touching anybody else's keys — at once, as FLUSHALL
   * does: a wipe in SCAN steps could delete the scheduler `keepScheduler` just recreated midway,
   * which then counts as a second loss.
   */
  const wipeQueueKeys = () =>
    redis.eval(
      "for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('UNLINK', key) end return 0",
      0,
      `${prefix}:*`,
    );

  beforeAll(requireStack);
  afterAll(async () => {
    await queue.obliterate();
    await queue.close();
    await raw.close();
    redis.disconnect();
  });

  it('ensureScheduler creates a missing scheduler once and leaves an existing one (and its next tick) alone', async () => {
    expect(await schedulerExists(queue, 'tick')).toBe(false);
    expect(await ensureScheduler(queue, 'tick', 3_600_000, job)).toBe('created');
    const first = await raw.getJobScheduler('tick');
    expect(first).toMatchObject({ every: 3_600_000, name: 'sweep' });
    // Several enrichers at once: still one scheduler with one pending tick at the same time.
    expect(await Promise.all([1, 2, 3].map(() => ensureScheduler(queue, 'tick', 3_600_000, job)))).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect((await raw.getJobScheduler('tick'))?.next).toBe(first?.next);
    expect(await raw.getJobSchedulersCount()).toBe(1);
    expect(await raw.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(1);
    // A changed interval setting reaches the existing scheduler.
    expect(await ensureScheduler(queue, 'tick', 7_200_000, job)).toBe('updated');
    expect(await raw.getJobScheduler('tick')).toMatchObject({ every: 7_200_000 });
    expect(await raw.getJobSchedulersCount()).toBe(1);
    expect(await raw.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(1);
    await raw.removeJobScheduler('tick');
  });

  it('keepScheduler recreates the scheduler after its keys vanished, without a restart', async () => {
    let recreated = 0;
    const stop = await keepScheduler(queue, 'kept', 3_600_000, job, {
      checkEveryMs: 200,
      onRecreated: () => recreated++,
    });
    try {
      expect(await schedulerExists(queue, 'kept')).toBe(true);
      expect(recreated).toBe(0);
      await wipeQueueKeys();
      expect(await schedulerExists(queue, 'kept')).toBe(false);
      await eventually(
        () => schedulerExists(queue, 'kept'),
        (exists) => exists,
        { what: 'the scheduler to be recreated', timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(recreated).toBe(1);
      expect(await raw.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(1);
    } finally {
      stop();
    }
    // Stopped: a later loss is not repaired any more.
    await wipeQueueKeys();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await schedulerExists(queue, 'kept')).toBe(false);
  });
});
