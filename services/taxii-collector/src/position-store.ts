import { REDIS_KEYS } from '@dragnet/contracts';
import type { KeyStore } from '@dragnet/redis';
import { type Position, parsePosition } from './paging.js';

/**
 * Positions live in Redis, one key per partner. Why Redis rather than a
 * compacted topic: one GET at start and one SET per page, no topic to create
 * and read to its end; and losing it is harmless — the collector walks the
 * collection again from the configured start, and the merge makes the
 * re-read reports no-ops.
 */
export interface PositionStore {
  load(partnerId: string, source: string): Promise<Position | null>;
  save(partnerId: string, position: Position): Promise<void>;
}

export function redisPositionStore(redis: KeyStore): PositionStore {
  return {
    async load(partnerId, source) {
      return parsePosition(await redis.get(`${REDIS_KEYS.taxiiPosition}${partnerId}`), source, Date.now());
    },
    async save(partnerId, position) {
      await redis.set(`${REDIS_KEYS.taxiiPosition}${partnerId}`, JSON.stringify(position));
    },
  };
}
