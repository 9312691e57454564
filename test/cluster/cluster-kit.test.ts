import { describe, expect, it } from 'vitest';
import { javaStringHash } from './cluster-kit.js';

describe('javaStringHash', () => {
  it("is Java's String.hashCode, overflow included", () => {
    // Values printed by the JDK (`"hello".hashCode()` …).
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('hello')).toBe(99_162_322);
    expect(javaStringHash('polygenelubricants')).toBe(-2_147_483_648);
    expect(javaStringHash('dragnet-normalizer')).toBe(javaStringHash('dragnet-normalizer'));
  });
});
