import { describe, expect, it } from 'vitest';
import { nextAttempt, restartDelayMs } from './backoff.js';

describe('restart backoff', () => {
  it('doubles from 500 ms and stops at 30 s', () => {
    expect([0, 1, 2, 3, 6, 7, 100].map((attempt) => restartDelayMs(attempt))).toEqual([
      500, 1_000, 2_000, 4_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('starts over after a child that stayed up for a minute, and counts up after a quick crash', () => {
    expect(nextAttempt(5, 60_000)).toBe(0);
    expect(nextAttempt(5, 59_999)).toBe(6);
    expect(nextAttempt(0, 10)).toBe(1);
  });
});
