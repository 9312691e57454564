import { createHash } from 'node:crypto';
import { DEFAULT_NAMES, type EnrichmentTarget, type Names } from '@dragnet/contracts';
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

/** Where a queue or worker of the catalog lives and how its connections show up in Redis. */
export interface QueueOptions {
  /** The namespace's queue names: `names(namespace).queues` from the service or CLI context. */
  queueNames?: Names['queues'];
  /**
   * Shown in Redis `CLIENT LIST` for this role's connections, so an operator can
   * tell who holds them (e.g. `dragnet-enricher`); default `dragnet-<queue>-queue`
   * or `dragnet-<queue>-worker`.
   */
  connectionName?: string;
  /** BullMQ's key prefix (tests isolate themselves with a unique one). */
  prefix?: string;
}

/** A bare string is the prefix (the older signature). */
const queueOptions = (options: QueueOptions | string | undefined): QueueOptions =>
  typeof options === 'string' ? { prefix: options } : (options ?? {});

/**
 * The queue's name in the namespace. Without `queueNames`, the process
 * environment's (deprecated default, for callers not yet handing their context's names).
 */
const queueNameOf = (queue: QueueName, options: QueueOptions): string =>
  (options.queueNames ?? DEFAULT_NAMES.queues)[queue];

/** The queue of a catalog entry, under its (namespaced) name from the contracts. */
export function openQueue<Q extends QueueName>(
  queue: Q,
  connection: QueueConnection,
  options?: QueueOptions | string,
): JobQueue<Q> {
  const { prefix, connectionName = `dragnet-${queue}-queue`, ...rest } = queueOptions(options);
  const named = { ...connection, connectionName };
  const driver = new Queue(queueNameOf(queue, rest), {
    connection: named as ConnectionOptions,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
    ...(prefix ? { prefix } : {}),
  });
  return jobQueueOver<Q>(driver, named, prefix);
}

/** A job as its processor sees it. */
export interface QueuedJob<Q extends QueueName> {
  readonly id: string;
  readonly name: JobName<Q>;
  readonly data: JobCatalog[Q][JobName<Q>];
  readonly attemptsMade: number;
}

export interface WorkerSettings extends QueueOptions {
  connection: QueueConnection;
  /** Jobs processed at once by this process [BullMQ default 1]. */
  concurrency: number;
  /** A job whose lock is not renewed within this is stalled and picked up by another worker [30 s]. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for [30 s]. */
  stalledIntervalMs?: number;
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

function workerOptions(queue: QueueName, settings: WorkerSettings): WorkerOptions {
  const connectionName = settings.connectionName ?? `dragnet-${queue}-worker`;
  return {
    // BullMQ names its blocking connection itself (`<prefix>:<queue>:w:<name>`, which `getWorkers` reads); the others take ours.
    connection: { ...settings.connection, connectionName } as ConnectionOptions,
    name: connectionName,
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
    queueNameOf(queue, settings),
    (job) =>
      processor({
        id: String(job.id),
        name: job.name as JobName<Q>,
        data: job.data as JobCatalog[Q][JobName<Q>],
        attemptsMade: job.attemptsMade,
      }),
    workerOptions(queue, settings),
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
