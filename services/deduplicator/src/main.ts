import { loadConfig } from '@dragnet/config';
import { CONSUMER_GROUPS, INDEX, TOPICS } from '@dragnet/contracts';
import {
  concreteIndexUuid,
  elasticsearchFromConfig,
  ensureIndicatorIndex,
  waitForElasticsearch,
} from '@dragnet/elasticsearch';
import { createBatchProducer, kafkaFromConfig, runBatchConsumer } from '@dragnet/kafka';
import { loadRegistry } from '@dragnet/partners';
import { createQueue } from '@dragnet/queue';
import { createRedis, waitForRedis } from '@dragnet/redis';
import { recordBatch, runService } from '@dragnet/runtime';
import { deduplicatorEnv } from './config.js';
import { createDeduplicator } from './deduplicator.js';
import { currentProviderVersions, scoreWith } from './scoring.js';

const config = loadConfig(deduplicatorEnv);

await runService({
  name: 'deduplicator',
  config,
  async start({ logger, metrics, shutdown, health }) {
    const registry = loadRegistry(config.PARTNERS_FILE);
    const kafka = kafkaFromConfig(config, 'deduplicator', logger);
    const redis = createRedis({ url: config.REDIS_URL, connectionName: 'dragnet-deduplicator' });
    shutdown.register('redis', () => void redis.disconnect());
    await waitForRedis(redis);
    const elasticsearch = elasticsearchFromConfig(config);
    shutdown.register('elasticsearch', () => elasticsearch.close());
    await waitForElasticsearch(elasticsearch);
    await ensureIndicatorIndex(elasticsearch);
    const indexUuid = await concreteIndexUuid(elasticsearch, INDEX.alias);
    const queue = config.ENRICHMENT_ENABLED
      ? createQueue('enrichment', redis.duplicate({ maxRetriesPerRequest: null }))
      : null;
    if (queue) shutdown.register('queue', () => queue.close());
    const producer = await createBatchProducer(kafka);
    shutdown.register('producer', () => producer.disconnect());
    let stopping = false;
    const deduplicator = createDeduplicator({
      kafka,
      redis,
      elasticsearch,
      producer,
      queue,
      logger,
      metrics,
      index: INDEX.alias,
      config,
      defaultTlpOf: (provider) => registry.byId.get(provider)?.defaultTlp ?? 'amber',
      score: scoreWith(registry),
      providerVersions: config.ENRICHMENT_ENABLED ? currentProviderVersions(config.ENRICHMENT_EPOCH) : {},
      indexUuid,
      isStopping: () => stopping,
    });
    const consumer = await runBatchConsumer({
      kafka,
      logger,
      groupId: CONSUMER_GROUPS.deduplicator,
      topics: [TOPICS.canonical],
      partitionsConsumedConcurrently: config.DEDUPLICATOR_CONCURRENCY,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      handler: deduplicator.handle,
      onBatchDone: recordBatch(metrics),
      deadLetters: { stage: 'deduplicator', producer },
      health,
    });
    shutdown.register('consumer', async () => {
      stopping = true;
      await consumer.stop();
    });
    // Not ready while the merge cache is being recovered: the stage processes nothing meanwhile.
    return { isReady: () => !stopping && !deduplicator.isRecovering() };
  },
});
