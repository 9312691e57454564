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

export const env = {
  integer,
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

const hostPortList = z
  .string()
  .default('127.0.0.1:19092')
  .transform((value, ctx) => {
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

export const KAFKA_ENV = {
  KAFKA_BROKERS: hostPortList,
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /**
   * How long the group coordinator waits for a silent consumer (a crashed or
   * paused process) before it gives the partitions to another (default 30 s;
   * the broker allows 6 s to 5 min by default; heartbeats go every 3 s).
   */
  KAFKA_SESSION_TIMEOUT_MS: integer(6_000, 300_000, 30_000),
};

export const ELASTICSEARCH_ENV = {
  ELASTICSEARCH_URL: env.url('http://127.0.0.1:19200'),
  ELASTICSEARCH_USERNAME: z.string().optional(),
  ELASTICSEARCH_PASSWORD: z.string().optional(),
  ELASTICSEARCH_API_KEY: z.string().optional(),
};

export const REDIS_ENV = {
  REDIS_URL: env
    .url('redis://127.0.0.1:16379')
    .refine((value) => /^rediss?:/.test(value), { message: 'expected a redis:// or rediss:// URL' }),
};

export const RUNTIME_ENV = {
  /** Port of /healthz, /readyz and /metrics. 0 picks a free port (tests, several instances on one host). */
  METRICS_PORT: env.port(9464),
  /** How long SIGTERM may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: integer(1_000, 600_000, 30_000),
};
