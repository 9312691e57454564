import { z } from 'zod';

/**
 * Reusable environment fields. Each service composes its own schema from
 * these (`z.object({...KAFKA_ENV, ...})`), so names and defaults are shared and
 * each process validates exactly what it uses.
 */

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const parsed = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    });

/** An integer that may be left unset (then `undefined`: the consumer derives a value, e.g. from the cluster). */
const optionalInteger = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      const parsed = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    });

export const env = {
  integer,
  optionalInteger,
  port: (fallback: number) => integer(0, 65_535, fallback),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1' || value === 'yes'),
  url: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((value) => URL.canParse(value), { message: 'expected a URL' }),
};

const hostPortList = (fallback?: string) =>
  (fallback === undefined ? z.string() : z.string().default(fallback)).transform((value, ctx) => {
    const brokers = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const bad = brokers.filter((broker) => !/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(broker));
    if (brokers.length === 0 || bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: 'expected a comma-separated list of host:port' });
      return z.NEVER;
    }
    return brokers;
  });

export const LOG_ENV = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

const optionalText = z.string().min(1).optional();

export const KAFKA_ENV = {
  KAFKA_BROKERS: hostPortList('127.0.0.1:19092'),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /**
   * SASL identity (a principal per service role, docs/operations.md "Security").
   * Unset: no SASL (the open local stack). The password may come from `KAFKA_SASL_PASSWORD_FILE`.
   */
  KAFKA_SASL_USERNAME: optionalText,
  KAFKA_SASL_PASSWORD: optionalText,
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256']).default('scram-sha-512'),
  /** TLS to the brokers; implied by `KAFKA_SSL_CA_FILE` (a PEM file of the CA(s) to trust). */
  KAFKA_SSL: env.boolean(false),
  KAFKA_SSL_CA_FILE: optionalText,
  /**
   * How long the group coordinator waits for a silent consumer (a crashed or
   * paused process) before it gives the partitions to another (default 30 s;
   * the broker allows 6 s to 5 min by default; heartbeats go every 3 s).
   */
  KAFKA_SESSION_TIMEOUT_MS: integer(6_000, 300_000, 30_000),
  /**
   * Replication factor of the topics `dragnet setup` creates. Unset: 3 when the
   * cluster has 3 or more brokers, else the broker count (1 on the local stack,
   * with a warning). Existing topics keep theirs (docs/operations.md, "Running a cluster").
   */
  KAFKA_REPLICATION_FACTOR: optionalInteger(1, 16),
  /** `min.insync.replicas` of those topics. Unset: 2 with 3 or more replicas, else 1. */
  KAFKA_MIN_INSYNC_REPLICAS: optionalInteger(1, 16),
};

/** One URL, or several comma-separated: nodes of one cluster, used in turn and skipped while down. */
const urlList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (value) => {
        const urls = value.split(',').map((url) => url.trim());
        return urls.length > 0 && urls.every((url) => URL.canParse(url));
      },
      { message: 'expected a URL or a comma-separated list of URLs' },
    );

export const ELASTICSEARCH_ENV = {
  ELASTICSEARCH_URL: urlList('http://127.0.0.1:19200'),
  ELASTICSEARCH_USERNAME: z.string().optional(),
  ELASTICSEARCH_PASSWORD: z.string().optional(),
  ELASTICSEARCH_API_KEY: z.string().optional(),
  /** PEM file of the CA that signed the cluster's HTTP certificate (a private CA, as the local stack's). */
  ELASTICSEARCH_CA_FILE: optionalText,
};

export const REDIS_ENV = {
  /**
   * May carry credentials (`redis://user:password@host:port`); `REDIS_USERNAME` and
   * `REDIS_PASSWORD` (or `REDIS_PASSWORD_FILE`), when set, are put into it by
   * `parseConfig`, so every connection made from `REDIS_URL` (ioredis, BullMQ) authenticates.
   * `rediss://` is TLS; a private CA comes from `NODE_EXTRA_CA_CERTS`.
   */
  REDIS_URL: env
    .url('redis://127.0.0.1:16379')
    .refine((value) => /^rediss?:/.test(value), { message: 'expected a redis:// or rediss:// URL' }),
  REDIS_USERNAME: optionalText,
  REDIS_PASSWORD: optionalText,
  /**
   * Sentinels (`host:port,…`) that know where the primary named `REDIS_SENTINEL_NAME`
   * is: when set, every connection asks them and follows a failover; `REDIS_URL`
   * then gives only the data nodes' credentials, TLS and database, not the address.
   */
  REDIS_SENTINELS: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value : undefined))
    .pipe(hostPortList().optional()),
  REDIS_SENTINEL_NAME: z.string().min(1).default('dragnet'),
  /** The Sentinels' own ACL user (they may require one apart from the data nodes'). */
  REDIS_SENTINEL_USERNAME: optionalText,
  REDIS_SENTINEL_PASSWORD: optionalText,
};

/** Lower-case letters, digits and dashes, at most 41, not starting with a dash; empty is no namespace. */
export const NAMESPACE_PATTERN = /^(?:[a-z0-9][a-z0-9-]{0,40})?$/;

export const NAMESPACE_ENV = {
  /**
   * Prefixes every topic, consumer group, index, queue and Redis key name
   * (`names()` of @dragnet/contracts), so several pipelines (staging beside
   * production, parallel test runs) share one Kafka, Elasticsearch and Redis
   * without seeing each other. Unset or empty: no prefix.
   */
  DRAGNET_NAMESPACE: z
    .string()
    .regex(NAMESPACE_PATTERN, { message: 'expected lower-case letters, digits and dashes, at most 41' })
    .optional(),
};

/** The namespace alone, for code that needs nothing else of the environment. */
export const namespaceEnv = z.object(NAMESPACE_ENV);

export const RUNTIME_ENV = {
  ...NAMESPACE_ENV,
  /** Port of /healthz, /readyz and /metrics. 0 picks a free port (tests, several instances on one host). */
  METRICS_PORT: env.port(9464),
  /** How long SIGTERM may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: integer(1_000, 600_000, 30_000),
};
