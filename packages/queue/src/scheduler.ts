import type { QueueName } from './catalog.js';
import type { JobQueue, ScheduledJob } from './job-queue.js';

/** Whether the job scheduler `id` is registered on the queue (it disappears with everything else when Redis loses its data). */
export async function schedulerExists(queue: JobQueue<QueueName>, id: string): Promise<boolean> {
  return (await queue.schedulerInterval(id)) !== null;
}

/**
 * Creates the job scheduler `id` (a job every `everyMs`) when it is missing,
 * or moves it to `everyMs` when it runs at another interval (a changed
 * setting); says which. Safe to call from any number of processes at once:
 * BullMQ's upsert with the same id and interval keeps one scheduler and one
 * pending tick. A scheduler already at `everyMs` is left untouched, so calling
 * this often never postpones its next tick.
 */
export async function ensureScheduler(
  queue: JobQueue<QueueName>,
  id: string,
  everyMs: number,
  job: ScheduledJob,
): Promise<'created' | 'updated' | 'unchanged'> {
  const existing = await queue.schedulerInterval(id);
  if (existing === everyMs) return 'unchanged';
  await queue.upsertScheduler(id, everyMs, job);
  return existing === null ? 'created' : 'updated';
}

export interface KeepSchedulerOptions {
  /** How often to check that the scheduler still exists (default 60 s). */
  checkEveryMs?: number;
  /** Called when the scheduler was missing and got recreated (not for the first creation). */
  onRecreated?: () => void;
  /** Called when a check failed (Redis unavailable); the next check tries again. */
  onError?: (error: unknown) => void;
}

/**
 * Keeps the job scheduler `id` alive for as long as this process runs: creates
 * it now, then recreates it whenever it is found missing — on every
 * `checkEveryMs` and whenever the queue's Redis connection comes back — since
 * a Redis that lost its data (FLUSHALL, restart without persistence) also lost
 * every scheduler, and nothing else would bring it back before a restart.
 * Resolves once the first creation succeeded; returns the function that stops
 * the checks.
 */
export async function keepScheduler(
  queue: JobQueue<QueueName>,
  id: string,
  everyMs: number,
  job: ScheduledJob,
  options: KeepSchedulerOptions = {},
): Promise<() => void> {
  await ensureScheduler(queue, id, everyMs, job);
  let checking = false;
  const check = () => {
    if (checking) return;
    checking = true;
    ensureScheduler(queue, id, everyMs, job)
      .then((outcome) => {
        if (outcome === 'created') options.onRecreated?.();
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        checking = false;
      });
  };
  const timer = setInterval(check, options.checkEveryMs ?? 60_000);
  timer.unref();
  // A Redis restarted without persistence is empty: check on every reconnection too.
  const stopListening = await queue.onReconnect(check);
  return () => {
    clearInterval(timer);
    stopListening();
  };
}
