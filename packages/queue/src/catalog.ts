import { createHash } from 'node:crypto';
import { type EnrichmentTarget, QUEUES } from '@dragnet/contracts';
import {
  type ConnectionOptions,
  type JobsOptions,
  type MinimalJob,
  Queue,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import { backoffWithJitter } from './backoff.js';
import { type JobQueue, jobQueueOver, type QueueConnection } from './job-queue.js';

/** The typed job catalog: every queue, its job names and their data. */
export interface JobCatalog {
  enrichment: {
    enrich: { targets: EnrichmentTarget[]; versions: Record<string, number> };
  };
  maintenance: {
    /** Re-score, mark expiry and re-enrich outdated indicators (services/enricher/src/maintenance.ts). */
    sweep: { trigger: 'schedule' | 'operator' };
  };
}

/** The job scheduler that runs the maintenance sweep (one for all enrichers). */
export const MAINTENANCE_SCHEDULER_ID = 'sweep';

export type QueueName = keyof JobCatalog;
export type JobName<Q extends QueueName> = keyof JobCatalog[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = JobCatalog[Q][N];

/**
 * Defaults for every job (BullMQ's own default in brackets):
 * - attempts: 8 [1] — transient faults (DNS timeouts, Kafka leader moves) heal;
 * - backoff: `jitter` strategy, exponential from 1 s up to 5 min with full jitter [none];
 * - removeOnComplete: keep the last 1,000 [keep all] — bounded Redis memory;
 * - removeOnFail: false [false] — failed jobs stay listed for `dragnet jobs failed` / `retry`.
 */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CEILING_MS = 300_000;

export const DEFAULT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'jitter', delay: BACKOFF_BASE_MS },
  removeOnComplete: { count: 1_000 },
  removeOnFail: false,
} as const satisfies JobsOptions;

/** A deterministic job id: the same targets at the same provider versions are one job, so replays never enrich twice. */
export function enrichmentJobId(targets: EnrichmentTarget[], versions: Record<string, number>): string {
  const hash = createHash('sha256');
  for (const target of [...targets].map((t) => t.id).sort()) hash.update(target).update('\n');
  for (const name of Object.keys(versions).sort()) hash.update(`${name}@${versions[name]}\n`);
  return `enrich-${hash.digest('hex').slice(0, 40)}`;
}

/** The queue of a catalog entry, under its (namespaced) name from the contracts. */
export function openQueue<Q extends QueueName>(
  queue: Q,
  connection: QueueConnection,
  prefix?: string,
): JobQueue<Q> {
  const driver = new Queue(QUEUES[queue], {
    connection: connection as ConnectionOptions,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
    ...(prefix ? { prefix } : {}),
  });
  return jobQueueOver<Q>(driver, connection, prefix);
}

/** A job as its processor sees it. */
export interface QueuedJob<Q extends QueueName> {
  readonly id: string;
  readonly name: JobName<Q>;
  readonly data: JobCatalog[Q][JobName<Q>];
  readonly attemptsMade: number;
}

export interface WorkerSettings {
  connection: QueueConnection;
  /** Jobs processed at once by this process [BullMQ default 1]. */
  concurrency: number;
  /** A job whose lock is not renewed within this is stalled and picked up by another worker [30 s]. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for [30 s]. */
  stalledIntervalMs?: number;
  prefix?: string;
}

/** A running worker of one queue. */
export interface JobWorker {
  /** Called on each failed attempt, with the job (unknown when it vanished) and the error. */
  onFailed(listener: (job: { id: string; attemptsMade: number } | undefined, error: Error) => void): void;
  waitUntilReady(): Promise<void>;
  isRunning(): boolean;
  /** Lets the jobs in hand finish, then closes. */
  close(): Promise<void>;
}

function workerOptions(settings: WorkerSettings): WorkerOptions {
  return {
    connection: settings.connection as ConnectionOptions,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs ?? 30_000,
    // Look for stalled jobs at least as often as a lock can expire, so a killed worker's job moves on promptly.
    stalledInterval: settings.stalledIntervalMs ?? Math.min(30_000, settings.lockDurationMs ?? 30_000),
    maxStalledCount: 2,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string, _error?: Error, job?: MinimalJob) => {
        if (type !== 'jitter') return 0;
        const backoff = job?.opts.backoff;
        const base =
          typeof backoff === 'object' && backoff.delay !== undefined ? backoff.delay : BACKOFF_BASE_MS;
        return backoffWithJitter(attemptsMade, base, BACKOFF_CEILING_MS);
      },
    },
    ...(settings.prefix ? { prefix: settings.prefix } : {}),
  };
}

export function createWorker<Q extends QueueName>(
  queue: Q,
  processor: (job: QueuedJob<Q>) => Promise<unknown>,
  settings: WorkerSettings,
): JobWorker {
  const worker = new Worker(
    QUEUES[queue],
    (job) =>
      processor({
        id: String(job.id),
        name: job.name as JobName<Q>,
        data: job.data as JobCatalog[Q][JobName<Q>],
        attemptsMade: job.attemptsMade,
      }),
    workerOptions(settings),
  );
  return {
    onFailed(listener) {
      worker.on('failed', (job, error) =>
        listener(job ? { id: String(job.id), attemptsMade: job.attemptsMade } : undefined, error),
      );
    },
    waitUntilReady: async () => {
      await worker.waitUntilReady();
    },
    isRunning: () => worker.isRunning(),
    close: () => worker.close(),
  };
}
