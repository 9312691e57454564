import { env, KAFKA_ENV, LOG_ENV, RUNTIME_ENV } from '@dragnet/config';
import { z } from 'zod';

export const normalizerEnv = z.object({
  ...LOG_ENV,
  ...KAFKA_ENV,
  ...RUNTIME_ENV,
  PARTNERS_FILE: z.string().optional(),
  /** Partitions processed at once; more instances scale further. */
  NORMALIZER_CONCURRENCY: env.integer(1, 64, 2),
});
