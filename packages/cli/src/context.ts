import { ELASTICSEARCH_ENV, KAFKA_ENV, LOG_ENV, loadConfig, REDIS_ENV } from '@dragnet/config';
import { elasticsearchFromConfig } from '@dragnet/elasticsearch';
import { kafkaFromConfig } from '@dragnet/kafka';
import { createLogger } from '@dragnet/logger';
import { loadRegistry } from '@dragnet/partners';
import { createRedis } from '@dragnet/redis';
import { z } from 'zod';

export const cliEnv = z.object({
  ...LOG_ENV,
  ...KAFKA_ENV,
  ...ELASTICSEARCH_ENV,
  ...REDIS_ENV,
  PARTNERS_FILE: z.string().optional(),
});

/** Lazily built clients: a command opens only the connections it uses. */
export function createCliContext() {
  const config = loadConfig(cliEnv.extend({ LOG_LEVEL: LOG_ENV.LOG_LEVEL.default('warn') }));
  const logger = createLogger({ service: 'cli', level: config.LOG_LEVEL, pretty: false });
  let kafka: ReturnType<typeof kafkaFromConfig> | undefined;
  let elasticsearch: ReturnType<typeof elasticsearchFromConfig> | undefined;
  let redis: ReturnType<typeof createRedis> | undefined;
  return {
    config,
    logger,
    registry: () => loadRegistry(config.PARTNERS_FILE),
    kafka: () => {
      kafka ??= kafkaFromConfig(config, 'cli', logger);
      return kafka;
    },
    elasticsearch: () => {
      elasticsearch ??= elasticsearchFromConfig(config);
      return elasticsearch;
    },
    redis: () => {
      redis ??= createRedis({
        url: config.REDIS_URL,
        connectionName: 'dragnet-cli',
        maxRetriesPerRequest: null,
      });
      return redis;
    },
    async close() {
      await elasticsearch?.close();
      redis?.disconnect();
    },
  };
}

export type CliContext = ReturnType<typeof createCliContext>;
