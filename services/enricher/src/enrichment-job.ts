import {
  createDnsProvider,
  createOfflineProviders,
  enrichIndicator,
  enrichWithDns,
  type WarninglistStore,
} from '@dragnet/enrichment';
import type { BatchProducer } from '@dragnet/kafka';
import { openQueue } from '@dragnet/queue';
import { queueConnectionOptions, redisEndpointFromConfig } from '@dragnet/redis';
import type { ServiceContext, ServiceHandle } from '@dragnet/runtime';
import type { EnricherConfig } from './config.js';
import { createEnrichmentWorker } from './worker.js';

/**
 * The enrichment job: BullMQ workers take the deduplicator's enrichment jobs,
 * run the providers (built once per process, not per job) and put the
 * results on the merge input topic; the queue's depth is a metric. Ready
 * while the worker runs.
 */
export async function startEnrichmentJob(
  context: ServiceContext,
  config: EnricherConfig,
  io: { producer: BatchProducer; warninglists: WarninglistStore; versions: Record<string, number> },
): Promise<ServiceHandle> {
  const { logger, metrics, names, shutdown } = context;
  const offline = createOfflineProviders({ warninglists: io.warninglists });
  const dns = createDnsProvider({
    enabled: config.DNS_ENABLED,
    server: config.DNS_SERVER,
    port: config.DNS_PORT,
    timeoutMs: config.DNS_TIMEOUT_MS,
    retries: config.DNS_RETRIES,
    ratePerSecond: config.DNS_RATE_PER_SECOND,
    burst: config.DNS_BURST,
  });
  const connection = queueConnectionOptions(redisEndpointFromConfig(config));
  const worker = createEnrichmentWorker({
    enrich: async (kind, value) => ({
      ...(await enrichWithDns(enrichIndicator(kind, value, offline), kind, value, dns)),
    }),
    versions: io.versions,
    producer: io.producer,
    names,
    connection,
    concurrency: config.ENRICHER_CONCURRENCY,
    lockDurationMs: config.ENRICHER_LOCK_MS,
    onEnriched: (count) => {
      metrics.recordsIn.inc({ topic: 'enrichment-jobs' }, count);
      metrics.recordsOut.inc({ target: 'canonical' }, count);
    },
  });
  worker.onFailed((job, error) =>
    logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'enrichment job failed'),
  );
  shutdown.register('worker', () => worker.close());
  const queue = openQueue('enrichment', connection);
  shutdown.register('queue', () => queue.close());
  const depth = setInterval(() => {
    void queue
      .depth()
      .then((depth) => metrics.queueDepth.set({ queue: queue.name }, depth))
      .catch(() => undefined);
  }, 5_000);
  depth.unref();
  shutdown.register('queue-depth', () => clearInterval(depth));
  await worker.waitUntilReady();
  return { isReady: () => worker.isRunning() };
}
