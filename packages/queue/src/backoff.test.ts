import { describe, expect, it } from 'vitest';
import { backoffWithJitter } from './backoff.js';
import { enrichmentJobId } from './catalog.js';

describe('backoffWithJitter', () => {
  it('grows exponentially under a ceiling and never exceeds it', () => {
    const top = () => 0.999_999;
    expect(backoffWithJitter(1, 1_000, 60_000, top)).toBe(999);
    expect(backoffWithJitter(4, 1_000, 60_000, top)).toBe(7_999);
    expect(backoffWithJitter(30, 1_000, 60_000, top)).toBe(59_999);
    expect(backoffWithJitter(3, 1_000, 60_000, () => 0)).toBe(0);
  });
});

describe('enrichmentJobId', () => {
  const targets = [
    { id: 'ipv4-addr--b', kind: 'ipv4', value: '192.0.2.2' },
    { id: 'ipv4-addr--a', kind: 'ipv4', value: '192.0.2.1' },
  ];
  it('is the same for the same targets in any order and changes with provider versions', () => {
    expect(enrichmentJobId(targets, { ip: 1 })).toBe(enrichmentJobId([...targets].reverse(), { ip: 1 }));
    expect(enrichmentJobId(targets, { ip: 1 })).not.toBe(enrichmentJobId(targets, { ip: 2 }));
    expect(enrichmentJobId(targets, { ip: 1 })).toMatch(/^enrich-[0-9a-f]{40}$/);
  });
});
