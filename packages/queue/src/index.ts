export * from './catalog.js';
export * from './backoff.js';
