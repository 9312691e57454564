import { type EnrichmentTarget, TOPICS } from '@dragnet/contracts';
import type { BatchProducer } from '@dragnet/kafka';
import { createWorker, type Worker } from '@dragnet/queue';
import { type Enrich, enrichTargets } from './enrich-batch.js';

export interface EnrichmentWorkerOptions {
  enrich: Enrich;
  versions: Record<string, number>;
  producer: BatchProducer;
  connection: { url: string; maxRetriesPerRequest: null };
  concurrency: number;
  lockDurationMs?: number;
  /** Queue key prefix and result topic: tests use their own. */
  prefix?: string;
  resultTopic?: string;
  onEnriched?: (count: number) => void;
}

/**
 * A BullMQ worker that enriches a job's targets and publishes the results.
 * A provider that throws fails the job (BullMQ retries it with backoff and
 * keeps it as failed after the last attempt); the job completes only after
 * Kafka acknowledged every result.
 */
export function createEnrichmentWorker(options: EnrichmentWorkerOptions): Worker {
  return createWorker(
    'enrichment',
    async (job) => {
      const { targets } = job.data as { targets: EnrichmentTarget[] };
      // Results carry the versions of the providers that produced them, not those the job asked for.
      const records = (await enrichTargets(targets, options.versions, options.enrich)).map((record) => ({
        ...record,
        topic: options.resultTopic ?? TOPICS.canonical,
      }));
      await options.producer.send(records);
      options.onEnriched?.(records.length);
      return { enriched: records.length };
    },
    {
      connection: options.connection,
      concurrency: options.concurrency,
      ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}),
      ...(options.prefix ? { prefix: options.prefix } : {}),
    },
  );
}
