import { loadConfig } from '@dragnet/config';
import { CONTROL_COMMANDS, INDEX, REDIS_KEYS } from '@dragnet/contracts';
import { elasticsearchFromConfig, waitForElasticsearch } from '@dragnet/elasticsearch';
import {
  createDnsProvider,
  createOfflineProviders,
  enrichIndicator,
  enrichWithDns,
  providerVersions,
  WarninglistStore,
} from '@dragnet/enrichment';
import { createBatchProducer, kafkaFromConfig } from '@dragnet/kafka';
import { versionsKey } from '@dragnet/merge';
import { createQueue, createWorker, keepScheduler, MAINTENANCE_SCHEDULER_ID } from '@dragnet/queue';
import { createRedis } from '@dragnet/redis';
import { runService } from '@dragnet/runtime';
import { enricherEnv } from './config.js';
import { sweep } from './maintenance.js';
import { createEnrichmentWorker } from './worker.js';

const config = loadConfig(enricherEnv);

await runService({
  name: 'enricher',
  config,
  async start({ logger, metrics, shutdown }) {
    const kafka = kafkaFromConfig(config, 'enricher', logger);
    const producer = await createBatchProducer(kafka);
    shutdown.register('producer', () => producer.disconnect());
    const elasticsearch = elasticsearchFromConfig(config);
    shutdown.register('elasticsearch', () => elasticsearch.close());

    // Providers (mmdb readers, warninglist indexes) are built once per process, not per job.
    const warninglists = await WarninglistStore.open(config.WARNINGLISTS_DIR, config.WARNINGLIST_ACTIONS);
    const describeLists = (trigger: string) => {
      const { lists, errors } = warninglists.index;
      logger.info({ trigger, lists: lists.length, loadErrors: errors.length }, 'warninglists loaded');
      for (const error of errors) logger.warn({ error }, 'warninglist skipped');
    };
    describeLists('start');
    const reloadWarninglists = (trigger: string) =>
      warninglists
        .reload(config.WARNINGLISTS_DIR, config.WARNINGLIST_ACTIONS)
        .then(() => describeLists(trigger))
        .catch((error: unknown) =>
          logger.error({ err: error, trigger }, 'warninglist reload failed; kept the old lists'),
        );
    const onHangup = () => void reloadWarninglists('SIGHUP');
    process.on('SIGHUP', onHangup);
    const control = createRedis({ url: config.REDIS_URL, connectionName: 'dragnet-enricher-control' });
    control.on('message', (_channel: string, message: string) => {
      if (message === CONTROL_COMMANDS.reloadWarninglists) void reloadWarninglists('command');
    });
    await control.subscribe(REDIS_KEYS.control);
    shutdown.register('control', async () => {
      process.off('SIGHUP', onHangup);
      control.disconnect();
    });

    const offline = createOfflineProviders({ warninglists });
    const dns = createDnsProvider({
      enabled: config.DNS_ENABLED,
      server: config.DNS_SERVER,
      port: config.DNS_PORT,
      timeoutMs: config.DNS_TIMEOUT_MS,
      retries: config.DNS_RETRIES,
      ratePerSecond: config.DNS_RATE_PER_SECOND,
      burst: config.DNS_BURST,
    });
    const versions = providerVersions(config.ENRICHMENT_EPOCH);
    const connection = { url: config.REDIS_URL, maxRetriesPerRequest: null };
    const worker = createEnrichmentWorker({
      enrich: async (kind, value) => ({
        ...(await enrichWithDns(enrichIndicator(kind, value, offline), kind, value, dns)),
      }),
      versions,
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

    // Maintenance: one schedule shared by every enricher (upsert is idempotent); BullMQ hands each
    // tick to exactly one worker.
    await waitForElasticsearch(elasticsearch);
    const maintenanceQueue = createQueue('maintenance', connection);
    shutdown.register('maintenance-queue', () => maintenanceQueue.close());
    // Redis losing its data (FLUSHALL, restart without persistence) takes the schedule with it: every
    // enricher checks for it and recreates it, so sweeps go on without a restart.
    const stopKeepingScheduler = await keepScheduler(
      maintenanceQueue,
      MAINTENANCE_SCHEDULER_ID,
      config.MAINTENANCE_INTERVAL_MS,
      { name: 'sweep', data: { trigger: 'schedule' }, opts: { attempts: 1, removeOnFail: { count: 100 } } },
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
          index: INDEX.alias,
          producer,
          versionsKey: versionsKey(versions),
          rescoreAfterMs: config.RESCORE_AFTER_MS,
          reenrichUnenrichedAfterMs: config.REENRICH_UNENRICHED_AFTER_MS,
          maxPerRun: config.MAINTENANCE_MAX_PER_RUN,
        });
        logger.info({ ...result, ms: Date.now() - started }, 'maintenance sweep');
        return result;
      },
      { connection, concurrency: 1, lockDurationMs: 300_000 },
    );
    maintenance.on('failed', (_job, error) => logger.warn({ err: error }, 'maintenance sweep failed'));
    shutdown.register('maintenance', () => maintenance.close());

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
