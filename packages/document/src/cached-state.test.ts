import { describe, expect, it } from 'vitest';
import { upgradeCachedState } from './cached-state.js';
import type { MergeState } from './state.js';

describe('upgradeCachedState', () => {
  it('turns a partner cached before buckets into one bucket under its marking, and leaves current states alone', () => {
    const legacy = {
      id: 'ipv4-addr--1',
      kind: 'ipv4',
      value: '198.51.100.7',
      revision: 4,
      sources: [
        {
          provider: 'p',
          feeds: ['f'],
          firstSeen: 1,
          lastSeen: 2,
          confidence: 70,
          tlp: 'amber',
          reference: null,
          description: 'd',
          validUntil: null,
          tags: ['t'],
          threatNames: [],
          recordIds: ['r'],
          statedAt: { confidence: 2, tlp: 2, reference: 0, description: 2 },
        },
        { provider: 'q', tlp: 'purple', firstSeen: 1, lastSeen: 1 },
      ],
      enrichment: null,
      enrichmentRequested: null,
    } as unknown as MergeState;
    const upgraded = upgradeCachedState(legacy);
    expect(upgraded.sources[0]).toEqual({
      provider: 'p',
      buckets: [
        {
          tlp: 'amber',
          feeds: ['f'],
          firstSeen: 1,
          lastSeen: 2,
          confidence: 70,
          reference: null,
          description: 'd',
          validUntil: null,
          tags: ['t'],
          threatNames: [],
          recordIds: ['r'],
          statedAt: { confidence: 2, reference: 0, description: 2 },
        },
      ],
    });
    expect(upgraded.sources[1]!.buckets[0]!.tlp).toBe('red');
    expect(upgradeCachedState(upgraded)).toBe(upgraded);
  });
});
