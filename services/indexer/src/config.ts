import { ELASTICSEARCH_ENV, env, KAFKA_ENV, LOG_ENV, RUNTIME_ENV } from '@dragnet/config';
import { z } from 'zod';

export const indexerEnv = z.object({
  ...LOG_ENV,
  ...KAFKA_ENV,
  ...ELASTICSEARCH_ENV,
  ...RUNTIME_ENV,
  INDEXER_CONCURRENCY: env.integer(1, 64, 2),
  /** Bytes per bulk request (default 5 MiB). */
  INDEXER_BULK_BYTES: env.integer(65_536, 104_857_600, 5_242_880),
  /** Bulk requests in flight per batch (default 2). */
  INDEXER_BULK_CONCURRENCY: env.integer(1, 16, 2),
  /** Attempts for items answered 429/5xx before the batch is retried whole (default 6). */
  INDEXER_MAX_ATTEMPTS: env.integer(1, 50, 6),
});
