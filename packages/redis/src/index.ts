import { createRedis, sentinelOptions } from './connection.js';
import type { RedisEndpoint, RedisSettings } from './endpoint.js';
import { type KeyStore, keyStoreOver } from './key-store.js';

export * from './endpoint.js';
export {
  type HeldLock,
  type KeyBatch,
  type KeyStore,
  type RedisScript,
  RedisUnavailableError,
  redisScript,
  type SetOptions,
} from './key-store.js';

/** A key store on a connection of its own (see `KeyStore`). */
export function createKeyStore(settings: RedisSettings): KeyStore {
  return keyStoreOver(createRedis(settings));
}

/** BullMQ's connection settings (ioredis options underneath; `@dragnet/queue` takes them as they are). */
export interface QueueConnectionOptions {
  readonly url: string;
  readonly maxRetriesPerRequest: null;
}

/**
 * Connection options for BullMQ (it takes ioredis options, `url` included): the same
 * endpoint, Sentinels and all, with `maxRetriesPerRequest: null` as its blocking commands need.
 */
export function queueConnectionOptions(endpoint: RedisEndpoint): QueueConnectionOptions {
  return { ...sentinelOptions(endpoint), url: endpoint.url, maxRetriesPerRequest: null };
}
