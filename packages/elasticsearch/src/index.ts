export * from './audit-index.js';
export * from './bulk-writer.js';
export * from './client.js';
export * from './index-setup.js';
export * from './indicator-queries.js';
export * from './mapping.js';
