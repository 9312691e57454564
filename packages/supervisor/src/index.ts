export * from './backoff.js';
export * from './commands.js';
export * from './inspect.js';
export * from './run.js';
export * from './supervisor.js';
