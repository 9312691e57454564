import { ELASTICSEARCH_ENV, env, KAFKA_ENV, LOG_ENV, REDIS_ENV, RUNTIME_ENV } from '@dragnet/config';
import { z } from 'zod';
import { DEFAULT_OBSERVABLES_PER_RATE_UNIT, DEFAULT_SEARCH_TIMEOUT_MS } from './limits.js';

export const apiEnv = z.object({
  ...LOG_ENV,
  ...ELASTICSEARCH_ENV,
  ...REDIS_ENV,
  ...RUNTIME_ENV,
  /** Kafka is used only when a TAXII collection is an inbox (its posts go to the partner's topic). */
  ...KAFKA_ENV,
  /** The partner registry (default `infra/partners.json`): an inbox's partner must be in it, with format stix. */
  PARTNERS_FILE: z.string().optional(),
  /** Port of the lookup API (default 8080); /healthz and /metrics stay on METRICS_PORT. */
  API_PORT: env.port(8080),
  API_HOST: z.string().default('0.0.0.0'),
  /** JSON array of keys: `[{"id","sha256","max_tlp","rate_per_minute","organisation","expires_at","revoked"}]` (see docs/api.md). */
  API_KEYS: z.string().optional(),
  /** A file holding the same JSON; wins over API_KEYS, and is re-read on change and on SIGHUP. */
  API_KEYS_FILE: z.string().optional(),
  /** Audit records waiting for the audit index past which the API refuses requests with 503 (default 10,000). */
  API_AUDIT_MAX_QUEUED_RECORDS: env.integer(100, 1_000_000, 10_000),
  /** … or bytes of them (default 64 MiB). */
  API_AUDIT_MAX_QUEUED_BYTES: env.integer(1_048_576, 1_073_741_824, 67_108_864),
  /** Largest request body in bytes (default 8 MiB: 10,000 long URLs fit). */
  API_MAX_BODY_BYTES: env.integer(1_024, 67_108_864, 8_388_608),
  /** A bulk lookup costs one rate-limit unit per this many observables (default 100; see docs/api.md). */
  API_OBSERVABLES_PER_RATE_UNIT: env.integer(1, 10_000, DEFAULT_OBSERVABLES_PER_RATE_UNIT),
  /** Longest wait for Elasticsearch on search and STIX export, in ms (default 10 s). */
  API_SEARCH_TIMEOUT_MS: env.integer(100, 300_000, DEFAULT_SEARCH_TIMEOUT_MS),
  /** JSON file of TAXII collections (docs/taxii.md); unset: one collection, TLP:GREEN and below, readable by every key. */
  TAXII_COLLECTIONS_FILE: z.string().optional(),
  /** TAXII serves documents only once they were written this long ago, in ms (default 30 s; see docs/taxii.md). */
  TAXII_SETTLE_MS: env.integer(0, 3_600_000, 30_000),
  /** How long a TAXII inbox status resource is kept, in ms (default 7 days). */
  TAXII_STATUS_TTL_MS: env.integer(60_000, 90 * 86_400_000, 7 * 86_400_000),
});
