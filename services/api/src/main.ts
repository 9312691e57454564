import { loadConfig } from '@dragnet/config';
import { INDEX } from '@dragnet/contracts';
import { elasticsearchFromConfig, waitForElasticsearch } from '@dragnet/elasticsearch';
import { createRedis, waitForRedis } from '@dragnet/redis';
import { runService } from '@dragnet/runtime';
import { ApiKeyRing, parseApiKeys } from './api-keys.js';
import { apiEnv } from './config.js';
import { RateLimiter } from './rate-limit.js';
import { startApiServer } from './server.js';

const config = loadConfig(apiEnv);
let keys: ApiKeyRing;
try {
  keys = new ApiKeyRing(parseApiKeys({ json: config.API_KEYS, file: config.API_KEYS_FILE }));
} catch (caught) {
  // Same contract as loadConfig: one line naming the problem, exit 78 (configuration error).
  process.stderr.write(`api: invalid configuration: ${(caught as Error).message}\n`);
  process.exit(78);
}

await runService({
  name: 'api',
  config,
  async start({ logger, metrics, shutdown }) {
    const elasticsearch = elasticsearchFromConfig(config);
    shutdown.register('elasticsearch', () => elasticsearch.close());
    const redis = createRedis({ url: config.REDIS_URL, connectionName: 'dragnet-api' });
    shutdown.register('redis', async () => {
      await redis.quit();
    });
    await Promise.all([waitForElasticsearch(elasticsearch), waitForRedis(redis)]);
    const server = await startApiServer(
      {
        elasticsearch,
        index: INDEX.alias,
        keys,
        rateLimiter: new RateLimiter(redis),
        logger,
        registry: metrics.registry,
        maxBodyBytes: config.API_MAX_BODY_BYTES,
        observablesPerRateUnit: config.API_OBSERVABLES_PER_RATE_UNIT,
        searchTimeoutMs: config.API_SEARCH_TIMEOUT_MS,
      },
      { port: config.API_PORT, host: config.API_HOST },
    );
    // Registered last, so it closes first: stop taking requests before the clients go.
    shutdown.register('http', () => server.close());
    logger.info({ port: server.port }, 'lookup API listening');
    return { isReady: () => true };
  },
});
