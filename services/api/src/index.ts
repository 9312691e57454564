export * from './api-keys.js';
export * from './openapi.js';
export * from './rate-limit.js';
export * from './server.js';
