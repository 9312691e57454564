import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, KAFKA_ENV, parseConfig, REDIS_ENV, RUNTIME_ENV } from './index.js';

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
