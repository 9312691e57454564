import { REDIS_KEYS } from '@dragnet/contracts';
import type { MergeState } from '@dragnet/merge';
import type { Redis } from '@dragnet/redis';

export interface LoadedStates {
  states: Map<string, MergeState | null>;
  /**
   * False when the cache cannot be trusted: Redis lost its data (FLUSHALL, a
   * restart without persistence) so the epoch marker is gone, or the marker
   * names another index (the index was deleted and recreated, so cached
   * states describe documents that no longer exist).
   */
  intact: boolean;
  /** The marker names another index: cached states must be dropped, not just supplemented. */
  stale: boolean;
}

export class MergeStateStore {
  /**
   * @param epoch identifies the index the cache mirrors (its UUID); stored in
   * the epoch marker, which disappears with everything else when Redis loses
   * its data.
   */
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly epoch: string,
    private readonly prefix: string = REDIS_KEYS.mergeState,
  ) {}

  /** One round trip: the epoch marker and every state of the batch. */
  async load(ids: string[]): Promise<LoadedStates> {
    const states = new Map<string, MergeState | null>();
    const pipeline = this.redis.pipeline().get(this.epochKey);
    if (ids.length > 0) pipeline.mget(ids.map((id) => this.prefix + id));
    const results = await pipeline.exec();
    if (!results) throw new Error('Redis pipeline returned nothing');
    const [epochError, epoch] = results[0] as [Error | null, string | null];
    const [statesError, raw] = (results[1] ?? [null, []]) as [Error | null, (string | null)[]];
    if (epochError) throw epochError;
    if (statesError) throw statesError;
    ids.forEach((id, index) => {
      const value = raw[index];
      states.set(id, value ? (JSON.parse(value) as MergeState) : null);
    });
    return { states, intact: epoch === this.epoch, stale: epoch !== null && epoch !== this.epoch };
  }

  /** Drops every cached state (the index they mirrored is gone). */
  async clear(): Promise<number> {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1_000);
      cursor = next;
      // Indicator ids contain `--`; the epoch marker and the recovery lock do not and must survive.
      const states = keys.filter((key) => key.includes('--'));
      if (states.length > 0) removed += await this.redis.unlink(...states);
    } while (cursor !== '0');
    return removed;
  }

  async save(states: MergeState[]): Promise<void> {
    if (states.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const state of states)
      pipeline.set(this.prefix + state.id, JSON.stringify(state), 'EX', this.ttlSeconds);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async markComplete(): Promise<void> {
    await this.redis.set(this.epochKey, this.epoch);
  }

  /**
   * Rebuilds trust in the cache once, whatever the number of deduplicators:
   * the instance that takes the lock clears states of another index (if the
   * marker still names one), waits for `drain`, then sets the marker; the
   * others wait for the marker.
   */
  async recover(drain: () => Promise<void>, waitTick: () => Promise<void>): Promise<void> {
    const lockKey = `${this.prefix}recovery-lock`;
    const acquired = await this.redis.set(lockKey, String(process.pid), 'PX', 600_000, 'NX');
    if (acquired !== 'OK') {
      while ((await this.redis.get(this.epochKey)) !== this.epoch) await waitTick();
      return;
    }
    try {
      const marker = await this.redis.get(this.epochKey);
      if (marker !== null && marker !== this.epoch) await this.clear();
      await drain();
      await this.markComplete();
    } finally {
      await this.redis.del(lockKey);
    }
  }

  private get epochKey() {
    // Outside the state key space (`<prefix><indicator id>`): ids always contain `--`.
    return `${this.prefix}epoch`;
  }
}
