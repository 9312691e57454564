export * from './backoff.js';
export * from './catalog.js';
export * from './failed-jobs.js';
export * from './scheduler.js';
