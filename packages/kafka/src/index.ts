export * from './admin.js';
export * from './batch-consumer.js';
export * from './client.js';
export * from './dead-letter.js';
export * from './defaults.js';
export * from './isolation.js';
export * from './producer.js';
export * from './topics.js';
