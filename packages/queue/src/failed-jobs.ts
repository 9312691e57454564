import type { QueueName } from './catalog.js';
import type { JobQueue } from './job-queue.js';

/** Moves the given failed jobs (all when `ids` is empty) back to waiting; returns how many. `dragnet jobs retry` uses it. */
export function retryFailed(queue: JobQueue<QueueName>, ids: string[]): Promise<number> {
  return queue.retryFailed(ids);
}
