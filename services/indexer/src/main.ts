import { loadConfig } from '@dragnet/config';
import { elasticsearchFromConfig, ensureIndicatorIndex, waitForElasticsearch } from '@dragnet/elasticsearch';
import { runService, startConsumeStage } from '@dragnet/runtime';
import { indexerEnv } from './config.js';
import { createIndexer } from './handler.js';

const config = loadConfig(indexerEnv);

await runService({
  name: 'indexer',
  config,
  async start(context) {
    const { logger, metrics, names, shutdown } = context;
    const elasticsearch = elasticsearchFromConfig(config);
    shutdown.register('elasticsearch', () => elasticsearch.close());
    await waitForElasticsearch(elasticsearch);
    await ensureIndicatorIndex(elasticsearch, names.index);
    return startConsumeStage(context, {
      stage: 'indexer',
      config,
      groupId: names.groups.indexer,
      topics: [names.topics.changes],
      concurrency: config.INDEXER_CONCURRENCY,
      maxBytesPerPartition: 4_194_304,
      handler: ({ producer }) =>
        createIndexer({
          elasticsearch,
          producer,
          logger,
          metrics,
          names,
          bulkBytes: config.INDEXER_BULK_BYTES,
          bulkConcurrency: config.INDEXER_BULK_CONCURRENCY,
          maxAttempts: config.INDEXER_MAX_ATTEMPTS,
        }).handle,
    });
  },
});
