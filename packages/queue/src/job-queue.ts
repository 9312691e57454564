import { type ConnectionOptions, type JobsOptions, type Queue, QueueEvents } from 'bullmq';
import type { JobData, JobName, QueueName } from './catalog.js';

/**
 * Where the queue's Redis is: what `queueConnectionOptions` of `@dragnet/redis`
 * makes (ioredis options, Sentinels included, with the `null` retry bound
 * BullMQ's blocking commands need).
 */
export interface QueueConnection {
  readonly url: string;
  readonly maxRetriesPerRequest: null;
}

/** The job states BullMQ counts. */
export type JobState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'failed' | 'completed' | 'paused';

/** Per-job overrides of the queue's defaults (`DEFAULT_JOB_OPTIONS`). */
export interface JobOptions {
  /** Deterministic ids make replays one job: a second add with the same id is a no-op. */
  jobId?: string;
  attempts?: number;
  /** First retry delay; later ones double, with full jitter (default `BACKOFF_BASE_MS`). */
  backoffMs?: number;
  /** How many failed jobs to keep listed (default: all). */
  keepFailed?: number;
}

export interface FailedJob {
  id: string;
  name: string;
  data: unknown;
  attemptsMade: number;
  failedReason: string | null;
}

/** The job a scheduler creates on every tick. */
export type ScheduledJob = {
  [Q in QueueName]: {
    [N in JobName<Q>]: { name: N; data: JobData<Q, N>; opts?: Omit<JobOptions, 'jobId'> };
  }[JobName<Q>];
}[QueueName];

/** One queue of the catalog, with the operations Dragnet performs on it (made by `createQueue`). */
export interface JobQueue<Q extends QueueName> {
  /** The queue's (namespaced) name, as metrics label it. */
  readonly name: string;
  /** Adds one job; resolves its id. */
  add<N extends JobName<Q>>(name: N, data: JobData<Q, N>, options?: JobOptions): Promise<string>;
  /** Adds jobs in one round trip. */
  addMany<N extends JobName<Q>>(
    jobs: { name: N; data: JobData<Q, N>; options?: JobOptions }[],
  ): Promise<void>;
  /** Jobs per state. */
  counts<S extends JobState>(...states: S[]): Promise<Record<S, number>>;
  /** Jobs not yet started: waiting, delayed, prioritized. */
  depth(): Promise<number>;
  /** The failed jobs kept (oldest first), at most `limit`. */
  failed(limit?: number): Promise<FailedJob[]>;
  /** Moves the given failed jobs (all when `ids` is empty) back to waiting; returns how many. */
  retryFailed(ids: readonly string[]): Promise<number>;
  /** Resolves the job's return value once it completed; rejects with its failure reason. */
  waitForJob(id: string, timeoutMs: number): Promise<unknown>;
  /** The interval of job scheduler `id`, or null when none is registered. */
  schedulerInterval(id: string): Promise<number | null>;
  /** Creates or moves job scheduler `id` to a job every `everyMs` (idempotent for the same interval). */
  upsertScheduler(id: string, everyMs: number, job: ScheduledJob): Promise<void>;
  /** Called after every (re)connection of the queue's Redis; returns the function that stops it. */
  onReconnect(listener: () => void): Promise<() => void>;
  /** Deletes the queue and every job of it (tests). */
  obliterate(): Promise<void>;
  close(): Promise<void>;
}

const jobsOptions = (options: JobOptions = {}): JobsOptions => ({
  ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
  ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
  ...(options.backoffMs !== undefined ? { backoff: { type: 'jitter', delay: options.backoffMs } } : {}),
  ...(options.keepFailed !== undefined ? { removeOnFail: { count: options.keepFailed } } : {}),
});

export function jobQueueOver<Q extends QueueName>(
  queue: Queue,
  connection: QueueConnection,
  prefix: string | undefined,
): JobQueue<Q> {
  return {
    name: queue.name,
    async add(name, data, options) {
      const job = await queue.add(name, data, jobsOptions(options));
      return String(job.id);
    },
    async addMany(jobs) {
      await queue.addBulk(
        jobs.map(({ name, data, options }) => ({ name, data, opts: jobsOptions(options) })),
      );
    },
    counts: (...states) => jobCounts(queue, states),
    depth: () => queue.getJobCountByTypes('waiting', 'delayed', 'prioritized'),
    failed: (limit = 1_000) => failedJobs(queue, limit),
    retryFailed: (ids) => retryFailedJobs(queue, ids),
    waitForJob: (id, timeoutMs) => waitForJob(queue, connection, prefix, id, timeoutMs),
    async schedulerInterval(id) {
      return (await queue.getJobScheduler(id))?.every ?? null;
    },
    async upsertScheduler(id, everyMs, job) {
      await queue.upsertJobScheduler(
        id,
        { every: everyMs },
        { name: job.name, data: job.data, ...(job.opts ? { opts: jobsOptions(job.opts) } : {}) },
      );
    },
    async onReconnect(listener) {
      const client = await queue.client;
      // ioredis emits `ready` after every (re)connect: a Redis restarted without persistence is empty.
      client.on('ready', listener);
      return () => void client.off('ready', listener);
    },
    obliterate: () => queue.obliterate({ force: true }),
    close: () => queue.close(),
  };
}

async function jobCounts<S extends JobState>(queue: Queue, states: S[]): Promise<Record<S, number>> {
  const counts = await queue.getJobCounts(...states);
  return Object.fromEntries(states.map((state) => [state, counts[state] ?? 0])) as Record<S, number>;
}

async function failedJobs(queue: Queue, limit: number): Promise<FailedJob[]> {
  const jobs = await queue.getFailed(0, limit - 1);
  return jobs.map((job) => ({
    id: String(job.id),
    name: job.name,
    data: job.data as unknown,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason ?? null,
  }));
}

async function retryFailedJobs(queue: Queue, ids: readonly string[]): Promise<number> {
  const failed = await queue.getFailed(0, -1);
  const wanted = new Set(ids);
  const selected = wanted.size > 0 ? failed.filter((job) => wanted.has(String(job.id))) : failed;
  for (const job of selected) await job.retry('failed');
  return selected.length;
}

async function waitForJob(
  queue: Queue,
  connection: QueueConnection,
  prefix: string | undefined,
  id: string,
  timeoutMs: number,
): Promise<unknown> {
  const events = new QueueEvents(queue.name, {
    connection: connection as ConnectionOptions,
    ...(prefix ? { prefix } : {}),
  });
  try {
    await events.waitUntilReady();
    const job = await queue.getJob(id);
    if (!job) throw new Error(`no job ${id} in queue ${queue.name}`);
    return await job.waitUntilFinished(events, timeoutMs);
  } finally {
    await events.close();
  }
}
