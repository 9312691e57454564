import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

export interface RedisSettings {
  url: string;
  /** Shown in `CLIENT LIST`, so operators can tell Dragnet's connections apart. */
  connectionName: string;
  /**
   * BullMQ's blocking connections need `null` (retry forever); request/response
   * users keep a bound so a dead Redis surfaces as an error (default 20).
   */
  maxRetriesPerRequest?: number | null;
}

export function createRedis({ url, connectionName, maxRetriesPerRequest = 20 }: RedisSettings): Redis {
  const options: RedisOptions = {
    connectionName,
    maxRetriesPerRequest,
    enableAutoPipelining: false,
    // Reconnect with capped backoff; ioredis queues commands meanwhile.
    retryStrategy: (attempt) => Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)),
    lazyConnect: false,
  };
  return new Redis(url, options);
}

/** Resolves once Redis answers PING; rejects with the last error after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if ((await redis.ping()) === 'PONG') return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `Redis not reachable after ${timeoutMs} ms: ${String((lastError as Error | undefined)?.message ?? 'no answer')}`,
  );
}
