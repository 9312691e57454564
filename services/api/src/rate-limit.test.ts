import { describe, expect, it } from 'vitest';
import { lookupCost } from './rate-limit.js';

describe('lookupCost', () => {
  it.each([
    [0, 1],
    [1, 1],
    [100, 1],
    [101, 2],
    [10_000, 100],
  ])('%i observables cost %i units at 100 per unit', (observables, units) => {
    expect(lookupCost(observables, 100)).toBe(units);
  });
});
