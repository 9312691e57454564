export * from './stack.js';
export * from './kafka.js';
export * from './wait.js';
export * from './processes.js';
