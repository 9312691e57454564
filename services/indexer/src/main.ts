import { loadConfig } from '@dragnet/config';
import { CONSUMER_GROUPS, INDEX, TOPICS } from '@dragnet/contracts';
import { elasticsearchFromConfig, ensureIndicatorIndex, waitForElasticsearch } from '@dragnet/elasticsearch';
import { createBatchProducer, kafkaFromConfig, runBatchConsumer } from '@dragnet/kafka';
import { recordBatch, runService } from '@dragnet/runtime';
import { indexerEnv } from './config.js';
import { createIndexer } from './indexer.js';

const config = loadConfig(indexerEnv);

await runService({
  name: 'indexer',
  config,
  async start({ logger, metrics, shutdown, health }) {
    const kafka = kafkaFromConfig(config, 'indexer', logger);
    const elasticsearch = elasticsearchFromConfig(config);
    shutdown.register('elasticsearch', () => elasticsearch.close());
    await waitForElasticsearch(elasticsearch);
    await ensureIndicatorIndex(elasticsearch);
    const producer = await createBatchProducer(kafka);
    shutdown.register('producer', () => producer.disconnect());
    const indexer = createIndexer({
      elasticsearch,
      producer,
      logger,
      metrics,
      index: INDEX.alias,
      bulkBytes: config.INDEXER_BULK_BYTES,
      bulkConcurrency: config.INDEXER_BULK_CONCURRENCY,
      maxAttempts: config.INDEXER_MAX_ATTEMPTS,
    });
    let stopping = false;
    const consumer = await runBatchConsumer({
      kafka,
      logger,
      groupId: CONSUMER_GROUPS.indexer,
      topics: [TOPICS.changes],
      partitionsConsumedConcurrently: config.INDEXER_CONCURRENCY,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      maxBytesPerPartition: 4_194_304,
      handler: indexer.handle,
      onBatchDone: recordBatch(metrics),
      deadLetters: { stage: 'indexer', producer },
      health,
    });
    shutdown.register('consumer', async () => {
      stopping = true;
      await consumer.stop();
    });
    return { isReady: () => !stopping };
  },
});
