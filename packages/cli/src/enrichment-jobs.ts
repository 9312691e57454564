import { CONTROL_COMMANDS } from '@dragnet/contracts';
import { type JobQueue, openQueue, type QueueName, retryFailed } from '@dragnet/queue';
import { queueConnectionOptions, redisEndpointFromConfig } from '@dragnet/redis';
import type { CliContext } from './context.js';

/** BullMQ's own connections (blocking commands), to the Redis the configuration names. */
export const queueConnection = (context: CliContext) =>
  queueConnectionOptions(redisEndpointFromConfig(context.config));

/** A queue of the namespace, its Redis connections named `dragnet-cli` like the CLI's other one. */
export const openCliQueue = <Q extends QueueName>(context: CliContext, queue: Q): JobQueue<Q> =>
  openQueue(queue, queueConnection(context), {
    queueNames: context.names.queues,
    connectionName: 'dragnet-cli',
  });

/** `dragnet jobs failed`: failed enrichment jobs with their last error. */
export async function listFailedJobs(context: CliContext): Promise<void> {
  const queue = openCliQueue(context, 'enrichment');
  try {
    const failed = await queue.failed(1_000);
    for (const job of failed) {
      const targets = (job.data as { targets?: unknown[] }).targets?.length ?? 0;
      console.log(
        `${String(job.id).padEnd(48)} attempts=${job.attemptsMade} targets=${targets} ${job.failedReason ?? ''}`,
      );
    }
    console.log(`${failed.length} failed job(s)`);
  } finally {
    await queue.close();
  }
}

/** `dragnet jobs retry [ID…]`: re-drives the given failed jobs, or all of them. */
export async function retryFailedJobs(context: CliContext, ids: string[]): Promise<number> {
  const queue = openCliQueue(context, 'enrichment');
  try {
    const count = await retryFailed(queue, ids);
    console.log(`retried ${count} job(s)`);
    return count;
  } finally {
    await queue.close();
  }
}

/** `dragnet maintenance sweep`: runs the re-score / expiry / re-enrichment sweep now, on some enricher. */
export async function requestSweep(context: CliContext): Promise<void> {
  const queue = openCliQueue(context, 'maintenance');
  try {
    const job = await queue.add('sweep', { trigger: 'operator' }, { attempts: 1 });
    console.log(`sweep requested (job ${job}); an enricher logs "maintenance sweep" with its counts`);
  } finally {
    await queue.close();
  }
}

/** `dragnet warninglists reload`: every running enricher reloads its warninglists directory. */
export async function reloadWarninglists(context: CliContext): Promise<number> {
  const receivers = await context
    .redis()
    .publish(context.names.redisKeys.control, CONTROL_COMMANDS.reloadWarninglists);
  console.log(`reload sent to ${receivers} enricher(s)`);
  return receivers > 0 ? 0 : 1;
}
