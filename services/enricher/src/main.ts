import { loadConfig } from '@dragnet/config';
import { defaultOfflineProviders, enrichIndicator, PROVIDER_VERSIONS } from '@dragnet/enrichment';
import { createBatchProducer, kafkaFromConfig } from '@dragnet/kafka';
import { createQueue } from '@dragnet/queue';
import { runService } from '@dragnet/runtime';
import { enricherEnv } from './config.js';
import { createEnrichmentWorker } from './worker.js';

const config = loadConfig(enricherEnv);

await runService({
  name: 'enricher',
  config,
  async start({ logger, metrics, shutdown }) {
    const kafka = kafkaFromConfig(config, 'enricher', logger);
    const producer = await createBatchProducer(kafka);
    shutdown.register('producer', () => producer.disconnect());
    // Providers (mmdb readers, warninglist indexes) are built once per process, not per job.
    const providers = defaultOfflineProviders();
    const connection = { url: config.REDIS_URL, maxRetriesPerRequest: null };
    const worker = createEnrichmentWorker({
      enrich: (kind, value) => ({ ...enrichIndicator(kind, value, providers) }),
      versions: PROVIDER_VERSIONS,
      producer,
      connection,
      concurrency: config.ENRICHER_CONCURRENCY,
      lockDurationMs: config.ENRICHER_LOCK_MS,
      onEnriched: (count) => {
        metrics.recordsIn.inc({ topic: 'enrichment-jobs' }, count);
        metrics.recordsOut.inc({ target: 'canonical' }, count);
      },
    });
    worker.on('failed', (job, error) =>
      logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'enrichment job failed'),
    );
    shutdown.register('worker', () => worker.close());
    const queue = createQueue('enrichment', connection);
    shutdown.register('queue', () => queue.close());
    const depth = setInterval(() => {
      void queue
        .getJobCounts('waiting', 'delayed')
        .then((counts) =>
          metrics.queueDepth.set({ queue: queue.name }, (counts.waiting ?? 0) + (counts.delayed ?? 0)),
        );
    }, 5_000);
    depth.unref();
    shutdown.register('queue-depth', () => clearInterval(depth));
    await worker.waitUntilReady();
    return { isReady: () => worker.isRunning() };
  },
});
