import { versionsKey } from '@dragnet/document';
import { elasticsearchFromConfig, waitForElasticsearch } from '@dragnet/elasticsearch';
import type { BatchProducer } from '@dragnet/kafka';
import { createWorker, keepScheduler, MAINTENANCE_SCHEDULER_ID, openQueue } from '@dragnet/queue';
import { queueConnectionOptions, redisEndpointFromConfig } from '@dragnet/redis';
import type { ServiceContext } from '@dragnet/runtime';
import type { EnricherConfig } from './config.js';
import { sweep } from './maintenance.js';

/**
 * The maintenance job: one BullMQ job schedule shared by every enricher
 * (upsert is idempotent; BullMQ hands each tick to exactly one worker) runs
 * the sweep (`maintenance.ts`). Redis losing its data (FLUSHALL, restart
 * without persistence) takes the schedule with it: every enricher checks for
 * it and recreates it, so sweeps go on without a restart.
 */
export async function startMaintenanceJob(
  context: ServiceContext,
  config: EnricherConfig,
  io: { producer: BatchProducer; versions: Record<string, number> },
): Promise<void> {
  const { logger, names, shutdown } = context;
  const elasticsearch = elasticsearchFromConfig(config);
  shutdown.register('elasticsearch', () => elasticsearch.close());
  await waitForElasticsearch(elasticsearch);
  const connection = queueConnectionOptions(redisEndpointFromConfig(config));
  const maintenanceQueue = openQueue('maintenance', connection);
  shutdown.register('maintenance-queue', () => maintenanceQueue.close());
  const stopKeepingScheduler = await keepScheduler(
    maintenanceQueue,
    MAINTENANCE_SCHEDULER_ID,
    config.MAINTENANCE_INTERVAL_MS,
    { name: 'sweep', data: { trigger: 'schedule' }, opts: { attempts: 1, keepFailed: 100 } },
    {
      checkEveryMs: config.MAINTENANCE_SCHEDULER_CHECK_MS,
      onRecreated: () =>
        logger.warn('maintenance job scheduler was missing (Redis lost its data?): recreated'),
      onError: (error) => logger.warn({ err: error }, 'could not check the maintenance job scheduler'),
    },
  );
  shutdown.register('maintenance-scheduler', stopKeepingScheduler);
  const maintenance = createWorker(
    'maintenance',
    async () => {
      const started = Date.now();
      const result = await sweep({
        elasticsearch,
        names,
        producer: io.producer,
        versionsKey: versionsKey(io.versions),
        rescoreAfterMs: config.RESCORE_AFTER_MS,
        reenrichUnenrichedAfterMs: config.REENRICH_UNENRICHED_AFTER_MS,
        maxPerRun: config.MAINTENANCE_MAX_PER_RUN,
      });
      logger.info({ ...result, ms: Date.now() - started }, 'maintenance sweep');
      return result;
    },
    { connection, concurrency: 1, lockDurationMs: 300_000 },
  );
  maintenance.onFailed((_job, error) => logger.warn({ err: error }, 'maintenance sweep failed'));
  shutdown.register('maintenance', () => maintenance.close());
}
