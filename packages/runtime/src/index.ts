export * from './consume-stage.js';
export * from './fault-points.js';
export * from './http-server.js';
export * from './metrics.js';
export * from './service.js';
export * from './shutdown.js';
export * from './stage-health.js';
