import { Redis, type RedisOptions } from 'ioredis';
import type { RedisEndpoint, RedisSettings } from './endpoint.js';

/**
 * ioredis options for an endpoint (without `url`, which goes first to `new Redis(url, options)`):
 * with Sentinels, ioredis asks them for the primary, checks the role of what it reaches,
 * and on a lost connection or a `READONLY` answer (a demoted primary) asks again.
 */
export function sentinelOptions(endpoint: RedisEndpoint): RedisOptions {
  if (!endpoint.sentinels || endpoint.sentinels.length === 0) return {};
  const options: RedisOptions = {
    sentinels: endpoint.sentinels,
    name: endpoint.sentinelName ?? 'dragnet',
    role: 'master',
    // A primary demoted by a failover answers writes with READONLY: reconnect, the Sentinels name the new one.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
    // Follow +switch-master at once instead of waiting for the old primary's connection to fail.
    failoverDetector: true,
    sentinelRetryStrategy: (attempt) => Math.min(2_000, 100 * attempt),
  };
  if (endpoint.sentinelUsername !== undefined) options.sentinelUsername = endpoint.sentinelUsername;
  if (endpoint.sentinelPassword !== undefined) options.sentinelPassword = endpoint.sentinelPassword;
  return options;
}

export function createRedis(settings: RedisSettings): Redis {
  const { url, connectionName, maxRetriesPerRequest = 20 } = settings;
  const options: RedisOptions = {
    connectionName,
    maxRetriesPerRequest,
    enableAutoPipelining: false,
    // Reconnect with capped backoff; ioredis queues commands meanwhile.
    retryStrategy: (attempt) => Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)),
    lazyConnect: false,
    ...sentinelOptions(settings),
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
