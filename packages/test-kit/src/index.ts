export * from './delaying-proxy.js';
export * from './documents.js';
export * from './kafka.js';
export * from './processes.js';
export * from './python.js';
export * from './stack.js';
export * from './wait.js';
