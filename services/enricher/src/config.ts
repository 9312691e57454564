import { ELASTICSEARCH_ENV, env, KAFKA_ENV, LOG_ENV, REDIS_ENV, RUNTIME_ENV } from '@dragnet/config';
import { z } from 'zod';

const warninglistActions = z
  .string()
  .default('{}')
  .transform((value, ctx) => {
    try {
      const parsed = z.record(z.string(), z.enum(['warn', 'suppress'])).parse(JSON.parse(value));
      return parsed;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object of list name → "warn" | "suppress"' });
      return z.NEVER;
    }
  });

export const enricherEnv = z.object({
  ...LOG_ENV,
  ...KAFKA_ENV,
  ...REDIS_ENV,
  ...ELASTICSEARCH_ENV,
  ...RUNTIME_ENV,
  /** Enrichment jobs processed at once by this process (default 2); start more processes to scale out. */
  ENRICHER_CONCURRENCY: env.integer(1, 64, 2),
  /** A job whose worker stopped renewing its lock (killed) is taken by another worker after this (default 30 s). */
  ENRICHER_LOCK_MS: env.integer(1_000, 600_000, 30_000),
  /** Raise (on the deduplicator and the enricher alike) to re-enrich every active indicator (default 1). */
  ENRICHMENT_EPOCH: env.integer(1, 1_000_000, 1),
  /** Directory of MISP warninglist JSON files (default: the small set shipped in packages/enrichment/warninglists). */
  WARNINGLISTS_DIR: z.string().optional(),
  /** Per-list action by list name or file name: `{"<list>": "suppress"}`; unlisted lists `warn` (default `{}`). */
  WARNINGLIST_ACTIONS: warninglistActions,
  /** DNS resolution of domain indicators (A, AAAA); off by default: lookups tell the domain's operator we looked. */
  DNS_ENABLED: env.boolean(false),
  DNS_SERVER: z.string().default('127.0.0.1'),
  DNS_PORT: env.port(53),
  /** Per-attempt timeout (default 2000 ms). */
  DNS_TIMEOUT_MS: env.integer(50, 60_000, 2_000),
  /** Extra attempts after a timeout (default 1). */
  DNS_RETRIES: env.integer(0, 10, 1),
  /** Queries per second per process, A and AAAA counted separately (default 50). */
  DNS_RATE_PER_SECOND: env.integer(1, 100_000, 50),
  /** Queries allowed at once before the rate applies (default 10). */
  DNS_BURST: env.integer(1, 100_000, 10),
  /** How often the maintenance sweep (re-score, expiry, re-enrichment) runs, across all enrichers (default 15 min). */
  MAINTENANCE_INTERVAL_MS: env.integer(1_000, 7 * 86_400_000, 900_000),
  /** How often each enricher checks that the sweep's job scheduler still exists, recreating it after Redis lost its data (default 60 s). */
  MAINTENANCE_SCHEDULER_CHECK_MS: env.integer(1_000, 3_600_000, 60_000),
  /**
   * An active document still not enriched this long after it was written is re-enriched by the sweep:
   * its job was lost (Redis lost its data) or never ran. Keep it above the longest enrichment backlog
   * you expect, each such request rewrites the document; 0 turns it off (default 10 min).
   */
  REENRICH_UNENRICHED_AFTER_MS: env.integer(0, 30 * 86_400_000, 600_000),
  /** A document scored longer ago than this is re-scored, as decay has moved its score (default 24 h). */
  RESCORE_AFTER_MS: env.integer(1_000, 365 * 86_400_000, 86_400_000),
  /** Most refreshes one sweep asks for, so re-enrichment trickles beside new intake (default 50,000). */
  MAINTENANCE_MAX_PER_RUN: env.integer(1, 10_000_000, 50_000),
});
export type EnricherConfig = z.infer<typeof enricherEnv>;
