import { REDIS_KEYS } from '@dragnet/contracts';
import type { MergeState } from '@dragnet/merge';
import type { Redis } from '@dragnet/redis';

/**
 * Marks the cache as complete. Set after (re)building; when Redis loses its
 * data (FLUSHALL, a restart without persistence) it disappears with
 * everything else, which is how the deduplicator notices that states must be
 * recovered from the index.
 */
export const CACHE_EPOCH_KEY = `${REDIS_KEYS.mergeState}epoch`;

export interface LoadedStates {
  states: Map<string, MergeState | null>;
  /** False when the cache was wiped since it was last marked complete. */
  intact: boolean;
}

export class MergeStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly prefix: string = REDIS_KEYS.mergeState,
  ) {}

  /** One round trip: the epoch marker and every state of the batch. */
  async load(ids: string[]): Promise<LoadedStates> {
    const states = new Map<string, MergeState | null>();
    if (ids.length === 0) return { states, intact: (await this.redis.exists(this.epochKey)) === 1 };
    const results = await this.redis
      .pipeline()
      .exists(this.epochKey)
      .mget(ids.map((id) => this.prefix + id))
      .exec();
    if (!results) throw new Error('Redis pipeline returned nothing');
    const [[epochError, epoch], [statesError, raw]] = results as [
      [Error | null, number],
      [Error | null, (string | null)[]],
    ];
    if (epochError) throw epochError;
    if (statesError) throw statesError;
    ids.forEach((id, index) => {
      const value = raw[index];
      states.set(id, value ? (JSON.parse(value) as MergeState) : null);
    });
    return { states, intact: epoch === 1 };
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
    await this.redis.set(this.epochKey, new Date().toISOString());
  }

  private get epochKey() {
    return `${this.prefix}epoch`;
  }
}
