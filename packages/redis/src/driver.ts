/** ioredis behind `@dragnet/redis`: for tests through `@dragnet/redis/driver` (the lint rule keeps services out). */
export type { Redis } from 'ioredis';
export { createRedis, sentinelOptions, waitForRedis } from './connection.js';
export { keyStoreOver } from './key-store.js';
