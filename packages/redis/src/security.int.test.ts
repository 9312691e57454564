import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stack, uniqueName } from '@dragnet/test-kit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis } from './driver.js';

// The secured stack (DRAGNET_STACK_SECURITY=on): `default` is off, one ACL user per role.
const secretsDir =
  process.env.DRAGNET_SECRETS_DIR ??
  join(process.env.DRAGNET_STACK_DIR ?? join(process.cwd(), '.stack'), 'secrets');
const password = (user: string) => readFileSync(join(secretsDir, `redis-${user}.password`), 'utf8').trim();

const bareUrl = () => {
  const url = new URL(stack.REDIS_URL);
  url.username = '';
  url.password = '';
  return url.toString();
};
const urlFor = (user: string, secret = password(user)) => {
  const url = new URL(bareUrl());
  url.username = user;
  url.password = secret;
  return url.toString();
};

describe('Redis authentication (secured stack)', () => {
  const open: Redis[] = [];
  const connect = (url: string) => {
    const redis = createRedis({ url, connectionName: 'dragnet-security-test', maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    open.push(redis);
    return redis;
  };
  const key = uniqueName('k');

  beforeAll(() => {
    if (!new URL(stack.REDIS_URL).password)
      throw new Error(
        'these tests need the secured stack: DRAGNET_STACK_SECURITY=on (see docs/local-stack.md)',
      );
  });

  afterEach(() => {
    for (const redis of open.splice(0)) redis.disconnect();
  });

  it('answers NOAUTH without credentials and WRONGPASS with a wrong password', async () => {
    await expect(connect(bareUrl()).get('x')).rejects.toThrow(/NOAUTH/);
    await expect(connect(urlFor('api', 'wrong')).ping()).rejects.toThrow(
      /WRONGPASS|invalid username-password/i,
    );
  });

  it('confines each role to its keys', async () => {
    const deduplicator = connect(urlFor('deduplicator'));
    const api = connect(urlFor('api'));
    await deduplicator.set(`dragnet:merge:${key}`, 'state');
    expect(await deduplicator.get(`dragnet:merge:${key}`)).toBe('state');
    await expect(api.get(`dragnet:merge:${key}`)).rejects.toThrow(/NOPERM/);
    expect(await api.incr(`dragnet:ratelimit:${key}`)).toBe(1);
    await expect(deduplicator.get(`dragnet:ratelimit:${key}`)).rejects.toThrow(/NOPERM/);
    // No role but the admin may reconfigure or wipe the server.
    await expect(deduplicator.flushall()).rejects.toThrow(/NOPERM/);
    await expect(api.config('GET', 'requirepass')).rejects.toThrow(/NOPERM/);
    await connect(stack.REDIS_URL).del(`dragnet:merge:${key}`, `dragnet:ratelimit:${key}`);
  });
});
