export * from './common.js';
export * from './load-config.js';
export * from './secrets.js';
