import type { Queue } from 'bullmq';

/** Moves the given failed jobs (all when `ids` is empty) back to waiting; returns how many. `dragnet jobs retry` uses it. */
export async function retryFailed(queue: Queue, ids: string[]): Promise<number> {
  const failed = await queue.getFailed(0, -1);
  const selected = ids.length > 0 ? failed.filter((job) => ids.includes(String(job.id))) : failed;
  for (const job of selected) await job.retry('failed');
  return selected.length;
}
