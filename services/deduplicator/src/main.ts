import { loadConfig } from '@dragnet/config';
import {
  concreteIndexUuid,
  elasticsearchFromConfig,
  ensureIndicatorIndex,
  waitForElasticsearch,
} from '@dragnet/elasticsearch';
import { loadRegistry } from '@dragnet/partners';
import { openQueue } from '@dragnet/queue';
import { createKeyStore, queueConnectionOptions, redisEndpointFromConfig } from '@dragnet/redis';
import { runService, startConsumeStage } from '@dragnet/runtime';
import { deduplicatorEnv } from './config.js';
import { createDeduplicator } from './handler.js';
import { currentProviderVersions, scoreWith } from './scoring.js';

const config = loadConfig(deduplicatorEnv);

await runService({
  name: 'deduplicator',
  config,
  async start(context) {
    const { logger, metrics, names, shutdown } = context;
    const registry = loadRegistry(config.PARTNERS_FILE);
    const redis = createKeyStore({
      ...redisEndpointFromConfig(config),
      connectionName: 'dragnet-deduplicator',
    });
    shutdown.register('redis', () => redis.disconnect());
    await redis.waitUntilReachable();
    const elasticsearch = elasticsearchFromConfig(config);
    shutdown.register('elasticsearch', () => elasticsearch.close());
    await waitForElasticsearch(elasticsearch);
    await ensureIndicatorIndex(elasticsearch, names.index);
    const indexUuid = await concreteIndexUuid(elasticsearch, names.index.alias);
    const queue = config.ENRICHMENT_ENABLED
      ? openQueue('enrichment', queueConnectionOptions(redisEndpointFromConfig(config)))
      : null;
    if (queue) shutdown.register('queue', () => queue.close());
    let deduplicator: ReturnType<typeof createDeduplicator> | undefined;
    return startConsumeStage(context, {
      stage: 'deduplicator',
      config,
      groupId: names.groups.deduplicator,
      topics: [names.topics.mergeInput],
      concurrency: config.DEDUPLICATOR_CONCURRENCY,
      handler: ({ producer, kafka, isStopping }) => {
        deduplicator = createDeduplicator({
          kafka,
          redis,
          elasticsearch,
          producer,
          queue,
          logger,
          metrics,
          names,
          config,
          indexUuid,
          isStopping,
          defaultTlpOf: (provider) => registry.byId.get(provider)?.defaultTlp ?? 'amber',
          score: scoreWith(registry),
          providerVersions: config.ENRICHMENT_ENABLED ? currentProviderVersions(config.ENRICHMENT_EPOCH) : {},
        });
        return deduplicator.handle;
      },
      // Not ready while the merge cache is being recovered: the stage processes nothing meanwhile.
      isReady: () => !deduplicator?.isRecovering(),
    });
  },
});
