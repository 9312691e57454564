import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, ELASTICSEARCH_ENV, KAFKA_ENV, parseConfig, REDIS_ENV, RUNTIME_ENV } from './index.js';

const schema = z.object({ ...KAFKA_ENV, ...REDIS_ENV, ...RUNTIME_ENV });

describe('parseConfig', () => {
  it('applies defaults that point at the local stack (open mode)', () => {
    const config = parseConfig(schema, { DRAGNET_STACK_SECURITY: 'off' });
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:19092']);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:16379');
    expect(config.METRICS_PORT).toBe(9464);
  });

  it('parses broker lists and integers', () => {
    const config = parseConfig(schema, { KAFKA_BROKERS: 'a:1, b:2', METRICS_PORT: '0' });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.METRICS_PORT).toBe(0);
  });

  it('parses the cluster settings: Sentinels, replication, several Elasticsearch nodes', () => {
    const cluster = z.object({ ...KAFKA_ENV, ...ELASTICSEARCH_ENV, ...REDIS_ENV });
    const open = parseConfig(cluster, { DRAGNET_STACK_SECURITY: 'off', REDIS_SENTINELS: '' });
    expect([open.REDIS_SENTINELS, open.KAFKA_REPLICATION_FACTOR, open.REDIS_SENTINEL_NAME]).toEqual([
      undefined,
      undefined,
      'dragnet',
    ]);
    const config = parseConfig(cluster, {
      DRAGNET_STACK_SECURITY: 'off',
      REDIS_SENTINELS: '127.0.0.1:26479, 127.0.0.1:26480',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      ELASTICSEARCH_URL: 'https://a:9200,https://b:9200',
    });
    expect(config.REDIS_SENTINELS).toEqual(['127.0.0.1:26479', '127.0.0.1:26480']);
    expect([config.KAFKA_REPLICATION_FACTOR, config.KAFKA_MIN_INSYNC_REPLICAS]).toEqual([3, 2]);
    expect(config.ELASTICSEARCH_URL).toBe('https://a:9200,https://b:9200');
    expect(() =>
      parseConfig(cluster, {
        REDIS_SENTINELS: 'nohost',
        KAFKA_REPLICATION_FACTOR: '0',
        ELASTICSEARCH_URL: 'x,y',
      }),
    ).toThrowError(
      /KAFKA_REPLICATION_FACTOR: expected an integer from 1 to 16.*ELASTICSEARCH_URL: expected a URL or a comma-separated list of URLs.*REDIS_SENTINELS: expected a comma-separated list of host:port/,
    );
  });

  it('names the variable and what was expected for a non-numeric port', () => {
    expect(() => parseConfig(schema, { METRICS_PORT: 'eighty' })).toThrowError(
      'METRICS_PORT: expected an integer from 0 to 65535 (got "eighty")',
    );
  });

  it('reports every bad variable, one per problem', () => {
    try {
      parseConfig(schema, { KAFKA_BROKERS: 'nohost', REDIS_URL: 'http://x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^KAFKA_BROKERS: expected a comma-separated list of host:port/);
      expect(problems[1]).toMatch(/^REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
    }
  });
});
