import { describe, expect, it } from 'vitest';
import { durabilityConfig, topicDurability } from './durability.js';

describe('topic durability', () => {
  it('takes 3 replicas, 2 in sync, on a cluster of 3 or more brokers, without a warning', () => {
    expect(topicDurability(3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(topicDurability(5)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it('falls back to 1/1 on a single broker, with a warning naming the risk', () => {
    const single = topicDurability(1);
    expect([single.replicationFactor, single.minInsyncReplicas]).toEqual([1, 1]);
    expect(single.warning).toMatch(/1 replica \(1 broker\).*loses every record/);
    const two = topicDurability(2);
    expect([two.replicationFactor, two.minInsyncReplicas]).toEqual([2, 1]);
    expect(two.warning).toMatch(/min.insync.replicas is 1/);
  });

  it('honours explicit settings, and refuses ones the cluster cannot meet', () => {
    expect(topicDurability(5, { replicationFactor: 5 })).toEqual({
      replicationFactor: 5,
      minInsyncReplicas: 4,
    });
    expect(topicDurability(3, { minInsyncReplicas: 3 })).toEqual({
      replicationFactor: 3,
      minInsyncReplicas: 3,
    });
    expect(() => topicDurability(1, { replicationFactor: 3 })).toThrow(
      /needs as many brokers; the cluster has 1/,
    );
    expect(() => topicDurability(3, { replicationFactor: 2, minInsyncReplicas: 3 })).toThrow(
      /every write would be refused/,
    );
  });

  it('turns unclean leader election off on every topic', () => {
    expect(durabilityConfig(topicDurability(3))).toEqual({
      'min.insync.replicas': '2',
      'unclean.leader.election.enable': 'false',
    });
  });
});
