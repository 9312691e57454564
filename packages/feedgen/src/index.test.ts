import { describe, expect, it } from 'vitest';
import { generateIndicators } from './index.js';

describe('generateIndicators', () => {
  it('is deterministic for a seed', () => {
    const a = [...generateIndicators({ count: 500, seed: 7 })];
    const b = [...generateIndicators({ count: 500, seed: 7 })];
    expect(a).toEqual(b);
    expect([...generateIndicators({ count: 500, seed: 8 })]).not.toEqual(a);
  });

  it('produces about the asked share of duplicates, reported by other partners', () => {
    const items = [...generateIndicators({ count: 20_000, duplicateRatio: 0.3, seed: 1 })];
    const distinct = new Set(items.map((item) => `${item.kind}:${item.value}`));
    const duplicateShare = 1 - distinct.size / items.length;
    expect(duplicateShare).toBeGreaterThan(0.27);
    expect(duplicateShare).toBeLessThan(0.33);
    const partnersByValue = new Map<string, Set<string>>();
    for (const item of items) {
      const set = partnersByValue.get(item.value) ?? new Set();
      set.add(item.partner);
      partnersByValue.set(item.value, set);
    }
    expect([...partnersByValue.values()].some((set) => set.size >= 2)).toBe(true);
  });

  it('mixes kinds roughly as asked', () => {
    const items = [...generateIndicators({ count: 10_000, duplicateRatio: 0, seed: 3 })];
    const ipv4 = items.filter((item) => item.kind === 'ipv4').length / items.length;
    expect(ipv4).toBeGreaterThan(0.25);
    expect(ipv4).toBeLessThan(0.35);
  });
});
