export * from './http-server.js';
export * from './metrics.js';
export * from './service.js';
export * from './shutdown.js';
