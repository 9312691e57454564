import { env, KAFKA_ENV, LOG_ENV, REDIS_ENV, RUNTIME_ENV } from '@dragnet/config';
import { z } from 'zod';

export const taxiiCollectorEnv = z.object({
  ...LOG_ENV,
  ...KAFKA_ENV,
  ...REDIS_ENV,
  ...RUNTIME_ENV,
  PARTNERS_FILE: z.string().optional(),
  /** Largest TAXII answer read (bytes); a page over it is asked again at half the page size. Below the partner topic's 10 MiB message limit. */
  TAXII_MAX_RESPONSE_BYTES: env.integer(65_536, 9_437_184, 8_388_608),
  /** Deepest JSON nesting accepted in an answer (a STIX bundle rarely passes 10). */
  TAXII_MAX_JSON_DEPTH: env.integer(8, 256, 64),
  /** Longest wait for one TAXII answer. */
  TAXII_REQUEST_TIMEOUT_MS: env.integer(1_000, 600_000, 60_000),
  /** First retry delay after a 429, a 5xx or a network error; doubles per attempt (with jitter). */
  TAXII_RETRY_BASE_MS: env.integer(10, 60_000, 1_000),
  /** Longest retry delay, Retry-After included. */
  TAXII_RETRY_MAX_MS: env.integer(100, 3_600_000, 300_000),
});

export type TaxiiCollectorConfig = z.infer<typeof taxiiCollectorEnv>;
