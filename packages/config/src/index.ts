export * from './common.js';
export * from './load-config.js';
