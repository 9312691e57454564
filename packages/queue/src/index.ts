export * from './backoff.js';
export * from './catalog.js';
