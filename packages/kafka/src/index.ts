export * from './client.js';
export * from './topics.js';
export * from './batch-consumer.js';
export * from './producer.js';
export * from './admin.js';
export * from './dead-letter.js';
