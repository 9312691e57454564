import { ELASTICSEARCH_ENV, env, KAFKA_ENV, LOG_ENV, REDIS_ENV, RUNTIME_ENV } from '@dragnet/config';
import { z } from 'zod';

export const deduplicatorEnv = z.object({
  ...LOG_ENV,
  ...KAFKA_ENV,
  ...REDIS_ENV,
  ...ELASTICSEARCH_ENV,
  ...RUNTIME_ENV,
  PARTNERS_FILE: z.string().optional(),
  DEDUPLICATOR_CONCURRENCY: env.integer(1, 64, 2),
  /** Last-seen resolution: re-publishing within it writes nothing (default one hour). */
  MERGE_GRANULARITY_MS: env.integer(1, 31 * 86_400_000, 3_600_000),
  /** Merge-state cache entries expire after this without a change; the index is the durable copy (default 30 days). */
  MERGE_STATE_TTL_SECONDS: env.integer(60, 365 * 86_400, 30 * 86_400),
  /** Recovery lock lifetime, renewed by its holder every third of it; a dead holder's lock frees itself after it (default 30 s). */
  RECOVERY_LOCK_TTL_MS: env.integer(1_000, 3_600_000, 30_000),
  /** How long a recovery waits for the indexer to drain before it goes on and logs an error (default 5 min). */
  RECOVERY_DRAIN_TIMEOUT_MS: env.integer(1_000, 86_400_000, 300_000),
  ENRICHMENT_ENABLED: env.boolean(true),
  /** Indicators per enrichment job (default 500). */
  ENRICHMENT_BATCH_SIZE: env.integer(1, 10_000, 500),
  /** Raise (on the deduplicator and the enricher alike) to re-enrich every active indicator (default 1). */
  ENRICHMENT_EPOCH: env.integer(1, 1_000_000, 1),
});
export type DeduplicatorConfig = z.infer<typeof deduplicatorEnv>;
