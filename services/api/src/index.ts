export * from './api-key-source.js';
export * from './api-keys.js';
export * from './audit-record.js';
export * from './audit-trail.js';
export * from './openapi.js';
export * from './rate-limit.js';
export * from './server.js';
