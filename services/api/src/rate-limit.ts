import { REDIS_KEYS } from '@dragnet/contracts';
import type { Redis } from '@dragnet/redis';

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  /** Milliseconds until the current window ends. */
  resetMs: number;
}

/**
 * Fixed one-minute windows per key, counted in Redis so the limit holds
 * across every API process. One round trip (INCR + PEXPIRE NX in a MULTI).
 * A fixed window lets a burst of up to twice the limit straddle a window
 * boundary; for an abuse guard that is an acceptable trade for one counter.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly windowMs = 60_000,
  ) {}

  async take(keyId: string, limit: number, now = Date.now()): Promise<RateDecision> {
    const window = Math.floor(now / this.windowMs);
    const counter = `${REDIS_KEYS.rateLimit}${keyId}:${window}`;
    const results = await this.redis
      .multi()
      .incr(counter)
      .pexpire(counter, this.windowMs * 2)
      .exec();
    const [incrError, count] = results?.[0] ?? [new Error('no reply'), 0];
    if (incrError) throw incrError;
    const used = Number(count);
    return {
      allowed: used <= limit,
      remaining: Math.max(0, limit - used),
      resetMs: (window + 1) * this.windowMs - now,
    };
  }
}
