export * from './shutdown.js';
export * from './http-server.js';
export * from './metrics.js';
export * from './service.js';
