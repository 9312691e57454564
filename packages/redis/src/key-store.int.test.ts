import { requireStack, testKeyStore, testRedis, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisScript } from './key-store.js';

// The store under test; checks go through the raw client (an oracle outside the store's code).
const store = testKeyStore();
const raw = testRedis();

describe('key store on a real Redis', () => {
  beforeAll(requireStack);
  afterAll(() => {
    store.disconnect();
    raw.disconnect();
  });

  it('gets, sets (only if absent, with expiry), reads many and deletes', async () => {
    const key = uniqueName('ks');
    await store.ping();
    expect(await store.get(key)).toBeNull();
    expect(await store.set(key, 'a')).toBe(true);
    expect(await store.set(key, 'b', { onlyIfAbsent: true })).toBe(false);
    expect(await raw.get(key)).toBe('a');
    expect(await store.set(`${key}:t`, 'x', { ttlMs: 60_000 })).toBe(true);
    const ttl = await raw.pttl(`${key}:t`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(await store.getMany([key, `${key}:none`, `${key}:t`])).toEqual(['a', null, 'x']);
    expect(await store.getMany([])).toEqual([]);
    expect(await store.delete([key, `${key}:t`])).toBe(2);
    expect(await raw.exists(key)).toBe(0);
  });

  it('runs scripts and batches in one round trip, replies in order', async () => {
    const key = uniqueName('ks');
    const swapIf = redisScript(
      "if (redis.call('GET', KEYS[1]) or '') == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0",
    );
    expect(await store.runScript(swapIf, key, ['', 'one'])).toBe(1);
    const replies = await store
      .batch()
      .get(key)
      .runScript(swapIf, key, ['one', 'two'])
      .runScript(swapIf, key, ['one', 'three'])
      .getMany([key, `${key}:none`])
      .exec();
    expect(replies).toEqual(['one', 1, 0, ['two', null]]);
    await expect(
      store.batch().runScript(redisScript('return redis.error_reply("boom")'), key, []).exec(),
    ).rejects.toThrow('boom');
    await raw.del(key);
  });

  it('counts with an expiry and scans a prefix literally (glob characters in it match only themselves)', async () => {
    const prefix = `${uniqueName('ks')}:[x]*`;
    expect(await store.increment(`${prefix}n`, 2, 60_000)).toBe(2);
    expect(await store.increment(`${prefix}n`, 3, 60_000)).toBe(5);
    expect(await raw.pttl(`${prefix}n`)).toBeGreaterThan(50_000);
    await raw.set(`${prefix}a`, '1');
    // Would match the pattern `…:[x]*` read as a glob, but not the literal prefix.
    await raw.set(`${prefix.slice(0, -5)}:x-other`, '1');
    const found: string[] = [];
    for await (const keys of store.scanPrefix(prefix)) found.push(...keys);
    expect(found.sort()).toEqual([`${prefix}a`, `${prefix}n`]);
    await raw.del(`${prefix}a`, `${prefix}n`, `${prefix.slice(0, -5)}:x-other`);
  });

  it('locks: one holder at a time, renewed while held, free once released', async () => {
    const key = uniqueName('lock');
    const first = await store.tryLock(key, 300);
    expect(first).not.toBeNull();
    expect(await store.tryLock(key, 300)).toBeNull();
    // Past its lifetime, still held: the holder renews it.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await store.tryLock(key, 300)).toBeNull();
    await first!.release();
    expect(await raw.exists(key)).toBe(0);
    const second = await store.tryLock(key, 300);
    expect(second).not.toBeNull();
    // Releasing a lock someone else took since (ours expired) leaves theirs alone.
    await raw.set(key, 'someone-else');
    await second!.release();
    expect(await raw.get(key)).toBe('someone-else');
    await raw.del(key);
  });

  it('publishes to subscribers of the channel only', async () => {
    const channel = uniqueName('channel');
    const subscriber = testKeyStore();
    const received: string[] = [];
    try {
      await subscriber.subscribe(channel, (message) => received.push(message));
      expect(await store.publish(`${channel}-other`, 'not for us')).toBe(0);
      expect(await store.publish(channel, 'reload')).toBe(1);
      const deadline = Date.now() + 5_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toEqual(['reload']);
    } finally {
      subscriber.disconnect();
    }
  });
});
