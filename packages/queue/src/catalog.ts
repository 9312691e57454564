import { createHash } from 'node:crypto';
import { type EnrichmentTarget, QUEUES } from '@dragnet/contracts';
import {
  type ConnectionOptions,
  type Job,
  type JobsOptions,
  type MinimalJob,
  Queue,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import { backoffWithJitter } from './backoff.js';

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

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'jitter', delay: BACKOFF_BASE_MS },
  removeOnComplete: { count: 1_000 },
  removeOnFail: false,
};

export type { Job, Queue, Worker } from 'bullmq';
/** For waiting on job results (tests, CLI). */
export { QueueEvents } from 'bullmq';

/** The queue of a catalog entry, under its (namespaced) name from the contracts. */
export function createQueue<Q extends QueueName>(
  queue: Q,
  connection: ConnectionOptions,
  prefix?: string,
): Queue {
  return new Queue(QUEUES[queue], {
    connection,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
    ...(prefix ? { prefix } : {}),
  });
}

/** A deterministic job id: the same targets at the same provider versions are one job, so replays never enrich twice. */
export function enrichmentJobId(targets: EnrichmentTarget[], versions: Record<string, number>): string {
  const hash = createHash('sha256');
  for (const target of [...targets].map((t) => t.id).sort()) hash.update(target).update('\n');
  for (const name of Object.keys(versions).sort()) hash.update(`${name}@${versions[name]}\n`);
  return `enrich-${hash.digest('hex').slice(0, 40)}`;
}

export interface WorkerSettings {
  connection: ConnectionOptions;
  /** Jobs processed at once by this process [BullMQ default 1]. */
  concurrency: number;
  /** A job whose lock is not renewed within this is stalled and picked up by another worker [30 s]. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for [30 s]. */
  stalledIntervalMs?: number;
  prefix?: string;
}

export function createWorker<Q extends QueueName>(
  queue: Q,
  processor: (job: Job) => Promise<unknown>,
  settings: WorkerSettings,
): Worker {
  const options: WorkerOptions = {
    connection: settings.connection,
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
  return new Worker(QUEUES[queue], processor, options);
}
