import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ELASTICSEARCH_ENV, KAFKA_ENV, parseConfig, REDIS_ENV } from '@dragnet/config';
import { createElasticsearchClient, type ElasticsearchClient } from '@dragnet/elasticsearch';
import { type Client, elasticsearchDriver } from '@dragnet/elasticsearch/driver';
import { createKafka, type KafkaClient, kafkaSecurityFromConfig } from '@dragnet/kafka';
import { type Kafka, kafkaDriver } from '@dragnet/kafka/driver';
import { createLogger } from '@dragnet/logger';
import { createKeyStore, type KeyStore, redisEndpointFromConfig } from '@dragnet/redis';
import { createRedis, type Redis } from '@dragnet/redis/driver';
import { z } from 'zod';

/**
 * Where the test stack listens and who the tests are: the same variables and
 * defaults as the services (`pnpm stack:up`), credentials included
 * (`DRAGNET_STACK_SECURITY=on`: the secured stack's admin identities).
 */
export const stack = parseConfig(z.object({ ...KAFKA_ENV, ...ELASTICSEARCH_ENV, ...REDIS_ENV }), process.env);

/** `REDIS_URL` without its password, for messages. */
const redisUrlForMessages = (): string => {
  const url = new URL(stack.REDIS_URL);
  if (url.password) url.password = '[redacted]';
  return url.toString();
};

export const testLogger = createLogger({
  service: 'test',
  level: process.env.TEST_LOG_LEVEL ?? 'error',
  pretty: false,
});

/** A name no other test (or earlier run) uses: topics, groups, indices, queues, Redis prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Test clients are both: what the adapters take, and the driver itself, so a
 * test can inspect or break a server in ways the services never may.
 */
export type TestKafka = KafkaClient & Kafka;
export type TestElasticsearch = ElasticsearchClient & Client;

export function testKafka(clientId = 'dragnet-test'): TestKafka {
  const client = createKafka({
    brokers: stack.KAFKA_BROKERS,
    clientId,
    logger: testLogger,
    connectionTimeoutMs: 3_000,
    ...kafkaSecurityFromConfig(stack),
  });
  // The handle is the driver's own object, so one value serves as both.
  return kafkaDriver(client) as TestKafka;
}

/** `url` points the client elsewhere (a proxy in front of the stack's node) with the same credentials. */
export function testElasticsearch(url = stack.ELASTICSEARCH_URL): TestElasticsearch {
  const client = createElasticsearchClient({
    url,
    username: stack.ELASTICSEARCH_USERNAME,
    password: stack.ELASTICSEARCH_PASSWORD,
    apiKey: stack.ELASTICSEARCH_API_KEY,
    ca: stack.ELASTICSEARCH_CA_FILE ? readFileSync(stack.ELASTICSEARCH_CA_FILE, 'utf8') : undefined,
    requestTimeoutMs: 30_000,
  });
  return elasticsearchDriver(client) as TestElasticsearch;
}

/** The ioredis client, for tests that inspect or wipe keys the way no service may. */
export function testRedis(): Redis {
  return createRedis({
    ...redisEndpointFromConfig(stack),
    connectionName: 'dragnet-test',
    maxRetriesPerRequest: 1,
  });
}

/** What the services get: the key store of `@dragnet/redis`. */
export function testKeyStore(): KeyStore {
  return createKeyStore({
    ...redisEndpointFromConfig(stack),
    connectionName: 'dragnet-test',
    maxRetriesPerRequest: 1,
  });
}

const START_HINT =
  'start the local stack with `pnpm stack:up` (or point KAFKA_BROKERS / ELASTICSEARCH_URL / REDIS_URL at running servers)';

/**
 * Fails — never skips — when a server is missing: an integration test that
 * silently skips would report green without having tested anything.
 */
export async function requireStack(): Promise<void> {
  const problems: string[] = [];
  const kafka = testKafka();
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    problems.push(`Kafka at ${stack.KAFKA_BROKERS.join(',')}: ${(error as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const elasticsearch = testElasticsearch();
  try {
    await elasticsearch.cluster.health({ timeout: '5s' });
  } catch (error) {
    problems.push(`Elasticsearch at ${stack.ELASTICSEARCH_URL}: ${(error as Error).message}`);
  } finally {
    await elasticsearch.close();
  }
  const redis = testRedis();
  try {
    await redis.ping();
  } catch (error) {
    problems.push(`Redis at ${redisUrlForMessages()}: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  if (problems.length > 0) throw new Error(`test stack unavailable — ${problems.join('; ')} — ${START_HINT}`);
}
