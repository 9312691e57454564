export * from './backoff.js';
export * from './catalog.js';
export * from './enrichment-jobs.js';
export * from './failed-jobs.js';
export type {
  FailedJob,
  JobOptions,
  JobQueue,
  JobState,
  QueueConnection,
  ScheduledJob,
} from './job-queue.js';
export * from './scheduler.js';
