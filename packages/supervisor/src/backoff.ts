/**
 * When a crashed child is started again: exponential backoff with a cap, and
 * a child that stayed up for a while starts over at the first delay — a
 * crash loop slows down, a rare crash is repaired at once.
 */
export interface RestartPolicy {
  /** First delay (default 500 ms). */
  initialDelayMs: number;
  /** Longest delay (default 30 s). */
  maxDelayMs: number;
  /** A child that ran this long before it died counts as healthy: the next delay is the first again (default 60 s). */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
};

/** The delay before restart number `attempt` (0: the first restart after a run). */
export function restartDelayMs(attempt: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt, 30));
}

/** The attempt counter after a child that ran `ranMs` died. */
export function nextAttempt(attempt: number, ranMs: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY) {
  return ranMs >= policy.stableAfterMs ? 0 : attempt + 1;
}
