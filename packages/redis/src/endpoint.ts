/** Where Redis is: one server (`url`), or the primary a set of Sentinels names. */
export interface RedisEndpoint {
  /** `redis://user:password@host:port/db`; with `sentinels`, only its credentials, TLS and db count. */
  url: string;
  sentinels?: { host: string; port: number }[] | undefined;
  /** The master name the Sentinels monitor. */
  sentinelName?: string | undefined;
  sentinelUsername?: string | undefined;
  sentinelPassword?: string | undefined;
}

export interface RedisSettings extends RedisEndpoint {
  /** Shown in `CLIENT LIST`, so operators can tell Dragnet's connections apart. */
  connectionName: string;
  /**
   * BullMQ's blocking connections need `null` (retry forever); request/response
   * users keep a bound so a dead Redis surfaces as an error (default 20).
   */
  maxRetriesPerRequest?: number | null;
}

/** The `REDIS_*` settings of @dragnet/config that say where Redis is. */
export interface RedisConfigVariables {
  REDIS_URL: string;
  REDIS_SENTINELS?: string[] | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_SENTINEL_USERNAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
}

/** `host:port` → `{ host, port }`; `[::1]:26379` keeps its IPv6 host without brackets. */
export function parseHostPort(entry: string): { host: string; port: number } {
  const at = entry.lastIndexOf(':');
  const host = entry.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(entry.slice(at + 1)) };
}

export function redisEndpointFromConfig(config: RedisConfigVariables): RedisEndpoint {
  if (!config.REDIS_SENTINELS || config.REDIS_SENTINELS.length === 0) return { url: config.REDIS_URL };
  return {
    url: config.REDIS_URL,
    sentinels: config.REDIS_SENTINELS.map(parseHostPort),
    sentinelName: config.REDIS_SENTINEL_NAME ?? 'dragnet',
    sentinelUsername: config.REDIS_SENTINEL_USERNAME,
    sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
  };
}
