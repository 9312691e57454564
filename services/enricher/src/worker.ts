import type { EnrichmentTarget, Names } from '@dragnet/contracts';
import type { BatchProducer } from '@dragnet/kafka';
import { createWorker, type JobWorker, type QueueConnection } from '@dragnet/queue';
import { type Enrich, enrichTargets } from './enrich-batch.js';

export interface EnrichmentWorkerOptions {
  enrich: Enrich;
  versions: Record<string, number>;
  producer: BatchProducer;
  /** Results go to `topics.mergeInput`. */
  names: Pick<Names, 'topics'>;
  connection: QueueConnection;
  concurrency: number;
  lockDurationMs?: number;
  /** BullMQ's Redis key prefix (default `bull`): tests use their own. */
  prefix?: string;
  onEnriched?: (count: number) => void;
}

/**
 * A BullMQ worker that enriches a job's targets and publishes the results.
 * A provider that throws fails the job (BullMQ retries it with backoff and
 * keeps it as failed after the last attempt); the job completes only after
 * Kafka acknowledged every result.
 */
export function createEnrichmentWorker(options: EnrichmentWorkerOptions): JobWorker {
  return createWorker(
    'enrichment',
    async (job) => {
      const { targets } = job.data as { targets: EnrichmentTarget[] };
      // Results carry the versions of the providers that produced them, not those the job asked for.
      const records = (await enrichTargets(targets, options.versions, options.enrich)).map((message) => ({
        topic: options.names.topics.mergeInput,
        ...message,
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
