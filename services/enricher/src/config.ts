import { env, KAFKA_ENV, LOG_ENV, REDIS_ENV, RUNTIME_ENV } from '@dragnet/config';
import { z } from 'zod';

export const enricherEnv = z.object({
  ...LOG_ENV,
  ...KAFKA_ENV,
  ...REDIS_ENV,
  ...RUNTIME_ENV,
  /** Enrichment jobs processed at once by this process (default 2); start more processes to scale out. */
  ENRICHER_CONCURRENCY: env.integer(1, 64, 2),
  /** A job whose worker stopped renewing its lock (killed) is taken by another worker after this (default 30 s). */
  ENRICHER_LOCK_MS: env.integer(1_000, 600_000, 30_000),
});
