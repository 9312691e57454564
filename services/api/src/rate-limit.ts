import { REDIS_KEYS } from '@dragnet/contracts';
import type { KeyStore } from '@dragnet/redis';

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  /** Milliseconds until the current window ends. */
  resetMs: number;
}

/**
 * What a bulk lookup of `observables` costs in rate-limit units: one per
 * `observablesPerUnit` started (at least one), so 10,000 observables cost
 * what 100 single lookups do rather than what one does.
 */
export function lookupCost(observables: number, observablesPerUnit: number): number {
  return Math.max(1, Math.ceil(observables / observablesPerUnit));
}

/**
 * Fixed one-minute windows per key, counted in Redis so the limit holds
 * across every API process. One round trip (INCRBY + PEXPIRE in a MULTI).
 * `limit` and `cost` are in units: a request costs one, a bulk lookup
 * `lookupCost` of its observables.
 * A fixed window lets a burst of up to twice the limit straddle a window
 * boundary; for an abuse guard that is an acceptable trade for one counter.
 */
export class RateLimiter {
  constructor(
    private readonly redis: KeyStore,
    private readonly windowMs = 60_000,
  ) {}

  async take(keyId: string, limit: number, cost = 1, now = Date.now()): Promise<RateDecision> {
    const window = Math.floor(now / this.windowMs);
    const counter = `${REDIS_KEYS.rateLimit}${keyId}:${window}`;
    const used = await this.redis.increment(counter, cost, this.windowMs * 2);
    return {
      allowed: used <= limit,
      remaining: Math.max(0, limit - used),
      resetMs: (window + 1) * this.windowMs - now,
    };
  }
}
