/**
 * Exponential backoff with full jitter (AWS architecture blog's "full
 * jitter"): a retry storm after a shared fault spreads out instead of
 * hammering the recovering dependency in lock-step.
 */
export function backoffWithJitter(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
