import { describe, expect, it } from 'vitest';
import { sentinelOptions } from './connection.js';
import { parseHostPort, queueConnectionOptions, redisEndpointFromConfig } from './index.js';

describe('Redis endpoints', () => {
  it('is the URL alone without Sentinels', () => {
    const endpoint = redisEndpointFromConfig({ REDIS_URL: 'redis://u:p@127.0.0.1:16379' });
    expect(endpoint).toEqual({ url: 'redis://u:p@127.0.0.1:16379' });
    expect(sentinelOptions(endpoint)).toEqual({});
  });

  it('asks the Sentinels for the primary, with their own user, and BullMQ gets the same', () => {
    const endpoint = redisEndpointFromConfig({
      REDIS_URL: 'redis://dedup:secret@127.0.0.1:26379',
      REDIS_SENTINELS: ['127.0.0.1:26479', '[::1]:26480'],
      REDIS_SENTINEL_NAME: 'dragnet',
      REDIS_SENTINEL_USERNAME: 'dragnet-sentinel',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    const options = sentinelOptions(endpoint);
    expect(options).toMatchObject({
      sentinels: [
        { host: '127.0.0.1', port: 26479 },
        { host: '::1', port: 26480 },
      ],
      name: 'dragnet',
      role: 'master',
      sentinelUsername: 'dragnet-sentinel',
      sentinelPassword: 'sentinel-secret',
    });
    const reconnect = options.reconnectOnError as (error: Error) => boolean;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(reconnect(new Error('NOSCRIPT'))).toBe(false);
    expect(queueConnectionOptions(endpoint)).toMatchObject({
      url: 'redis://dedup:secret@127.0.0.1:26379',
      maxRetriesPerRequest: null,
      name: 'dragnet',
    });
    expect(parseHostPort('redis-1.example:6379')).toEqual({ host: 'redis-1.example', port: 6379 });
  });
});
