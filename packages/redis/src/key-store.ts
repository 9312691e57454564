import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { waitForRedis } from './connection.js';

/**
 * Thrown when Redis gave no reply at all to a batch (the connection closed
 * under it); the name is in `isInfrastructureError`'s list, so a stage retries
 * instead of dead-lettering the records it was working on.
 */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** A Lua script run on the server: one key per call keeps it valid on a Redis Cluster. */
export interface RedisScript {
  readonly lua: string;
}

export const redisScript = (lua: string): RedisScript => ({ lua });

/** Commands sent in one round trip; `exec` resolves their replies in order, or throws the first error. */
export interface KeyBatch {
  get(key: string): KeyBatch;
  getMany(keys: readonly string[]): KeyBatch;
  runScript(script: RedisScript, key: string, args: readonly string[]): KeyBatch;
  exec(): Promise<unknown[]>;
}

export interface SetOptions {
  /** Expires after this long (PX). */
  ttlMs?: number;
  /** Only when the key does not exist yet (NX). */
  onlyIfAbsent?: boolean;
}

/** A lock this process holds; it is renewed every third of its lifetime until released. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * What Dragnet does with Redis: a key store with compare-and-set scripts, one
 * round-trip batches, a renewed lock, counters and pub/sub. The ioredis client
 * stays inside this package (and BullMQ's, through `@dragnet/queue`).
 */
export interface KeyStore {
  get(key: string): Promise<string | null>;
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /** True when written (false: `onlyIfAbsent` and the key exists). */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  delete(keys: readonly string[]): Promise<number>;
  /** Keys starting with `prefix`, a page at a time (SCAN: never blocks the server). */
  scanPrefix(prefix: string): AsyncGenerator<string[]>;
  /** Adds `by` to a counter and (re)sets its expiry, atomically (MULTI); returns the new value. */
  increment(key: string, by: number, ttlMs: number): Promise<number>;
  runScript(script: RedisScript, key: string, args: readonly string[]): Promise<unknown>;
  batch(): KeyBatch;
  /** Takes `key` unless someone holds it (null then); renewed while held, so a dead holder's lock frees itself. */
  tryLock(key: string, ttlMs: number): Promise<HeldLock | null>;
  /** Resolves how many subscribers received it. */
  publish(channel: string, message: string): Promise<number>;
  /** Puts this connection in subscriber mode: use a store of its own for it. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  /** One PING; rejects when Redis does not answer it. */
  ping(): Promise<void>;
  /** Resolves once Redis answers PING; rejects with the last error after `timeoutMs`. */
  waitUntilReachable(timeoutMs?: number): Promise<void>;
  /** Connection errors (ioredis reconnects by itself); without a listener they are logged by Node as unhandled. */
  onError(listener: (error: Error) => void): void;
  /** Waits for replies in flight, then closes (QUIT). */
  close(): Promise<void>;
  /** Closes at once. */
  disconnect(): void;
}

const RENEW_IF_HELD = redisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);
const RELEASE_IF_HELD = redisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Replies of a pipeline or MULTI: the values, or the first error. */
function repliesOf(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new RedisUnavailableError('Redis returned no replies to a batch');
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

function createBatch(redis: Redis): KeyBatch {
  const pipeline = redis.pipeline();
  const batch: KeyBatch = {
    get(key) {
      pipeline.get(key);
      return batch;
    },
    getMany(keys) {
      pipeline.mget(...keys);
      return batch;
    },
    runScript(script, key, args) {
      pipeline.eval(script.lua, 1, key, ...args);
      return batch;
    },
    exec: async () => repliesOf(await pipeline.exec()),
  };
  return batch;
}

/** The key store over an ioredis connection (made by `createKeyStore`). */
export function keyStoreOver(redis: Redis): KeyStore {
  const store: KeyStore = {
    get: (key) => redis.get(key),
    getMany: async (keys) => (keys.length === 0 ? [] : redis.mget(...keys)),
    async set(key, value, options = {}) {
      const { ttlMs, onlyIfAbsent } = options;
      let reply: string | null;
      if (ttlMs !== undefined && onlyIfAbsent) reply = await redis.set(key, value, 'PX', ttlMs, 'NX');
      else if (ttlMs !== undefined) reply = await redis.set(key, value, 'PX', ttlMs);
      else if (onlyIfAbsent) reply = await redis.set(key, value, 'NX');
      else reply = await redis.set(key, value);
      return reply === 'OK';
    },
    delete: async (keys) => (keys.length === 0 ? 0 : redis.unlink(...keys)),
    async *scanPrefix(prefix) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1_000);
        cursor = next;
        if (keys.length > 0) yield keys;
      } while (cursor !== '0');
    },
    async increment(key, by, ttlMs) {
      const [count] = repliesOf(await redis.multi().incrby(key, by).pexpire(key, ttlMs).exec());
      return Number(count);
    },
    runScript: (script, key, args) => redis.eval(script.lua, 1, key, ...args),
    batch: () => createBatch(redis),
    tryLock: (key, ttlMs) => tryLock(store, key, ttlMs),
    publish: (channel, message) => redis.publish(channel, message),
    async subscribe(channel, onMessage) {
      redis.on('message', (from: string, message: string) => {
        if (from === channel) onMessage(message);
      });
      await redis.subscribe(channel);
    },
    async ping() {
      await redis.ping();
    },
    waitUntilReachable: (timeoutMs) => waitForRedis(redis, timeoutMs),
    onError(listener) {
      redis.on('error', listener);
    },
    close: async () => {
      await redis.quit();
    },
    disconnect: () => redis.disconnect(),
  };
  return store;
}

/** SCAN MATCH treats `*?[]\` as a pattern: a prefix is matched literally. */
const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

async function tryLock(store: KeyStore, key: string, ttlMs: number): Promise<HeldLock | null> {
  const token = `${process.pid}:${randomUUID()}`;
  if (!(await store.set(key, token, { ttlMs, onlyIfAbsent: true }))) return null;
  // Renewed only while held: it may have expired (a long pause) and been taken by another process.
  const renew = setInterval(
    () => void store.runScript(RENEW_IF_HELD, key, [token, String(ttlMs)]).catch(() => {}),
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  renew.unref();
  return {
    async release() {
      clearInterval(renew);
      await store.runScript(RELEASE_IF_HELD, key, [token]).catch(() => {});
    },
  };
}
