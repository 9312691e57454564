import { names } from '@dragnet/contracts';
import { describe, expect, it } from 'vitest';
import { loadRegistry, parseRegistry, planTopics } from './index.js';

const partner = (overrides: Record<string, unknown> = {}) => ({
  id: 'acme',
  name: 'ACME',
  feedName: 'acme-feed',
  format: { type: 'csv', valueColumn: 0 },
  defaultTlp: 'amber',
  trust: 0.5,
  ...overrides,
});

describe('the shipped partners registry (infra/partners.json)', () => {
  const registry = loadRegistry();

  it('has unique ids and topics, known formats and valid mappings', () => {
    expect(registry.partners.length).toBeGreaterThan(3);
    expect(new Set(registry.partners.map((p) => p.id)).size).toBe(registry.partners.length);
    expect(new Set(registry.partners.map((p) => p.topic)).size).toBe(registry.partners.length);
    expect(new Set(registry.partners.map((p) => p.format.type))).toEqual(
      new Set(['misp', 'csv', 'stix', 'avro']),
    );
  });

  it('plans an intake and a rejects topic per partner plus the internal topics, compacting the changes topic', () => {
    const plan = planTopics(registry);
    expect(plan).toHaveLength(2 * registry.partners.length + 3);
    const changes = plan.find((topic) => topic.topic.endsWith('dragnet.indicators.changes'));
    expect(changes?.config['cleanup.policy']).toBe('compact');
  });
});

describe('planTopics', () => {
  it("gives each partner a one-partition rejects topic with the partner's own retention", () => {
    const registry = parseRegistry({
      partners: [partner(), partner({ id: 'globex', retentionDays: 3 })],
    });
    const plan = new Map(planTopics(registry).map((topic) => [topic.topic, topic]));
    expect(registry.byId.get('acme')?.rejectsTopic).toMatch(/(^|\.)dragnet\.rejects\.acme$/);
    const acme = plan.get(registry.byId.get('acme')!.rejectsTopic);
    const globex = plan.get(registry.byId.get('globex')!.rejectsTopic);
    expect(acme).toMatchObject({ partitions: 1, config: { 'retention.ms': String(14 * 86_400_000) } });
    expect(globex).toMatchObject({ partitions: 1, config: { 'retention.ms': String(3 * 86_400_000) } });
    // A letter carries up to 20 MiB: the rejects topic takes what the dead-letter topic takes.
    expect(acme?.config['max.message.bytes']).toBe('20971520');
  });
});

describe('a registry in a namespace', () => {
  it("names the partners' topics and the internal topics of the plan in the namespace it was given", () => {
    const registry = parseRegistry({ partners: [partner()] }, names('staging'));
    expect(registry.byId.get('acme')).toMatchObject({
      topic: 'staging.feeds.acme',
      rejectsTopic: 'staging.dragnet.rejects.acme',
    });
    expect(registry.byTopic.has('staging.feeds.acme')).toBe(true);
    expect(planTopics(registry).map((topic) => topic.topic)).toEqual([
      'staging.feeds.acme',
      'staging.dragnet.rejects.acme',
      'staging.dragnet.indicators.canonical',
      'staging.dragnet.indicators.changes',
      'staging.dragnet.deadletter',
    ]);
  });
});

describe('parseRegistry', () => {
  it('names duplicate ids and topics', () => {
    expect(() => parseRegistry({ partners: [partner(), partner()] })).toThrow(
      /partner acme: duplicate id; partner acme: duplicate topic/,
    );
  });

  it('names unknown formats and invalid mappings', () => {
    expect(() => parseRegistry({ partners: [partner({ format: { type: 'xml' } })] })).toThrow(
      /partner acme: format: unknown format type "xml"/,
    );
    expect(() => parseRegistry({ partners: [partner({ format: { type: 'csv' } })] })).toThrow(
      /partner acme: format: valueColumn is required/,
    );
  });

  it('names schema problems with their path', () => {
    expect(() => parseRegistry({ partners: [partner({ trust: 2, id: 'Bad Id' })] })).toThrow(
      /partners\.0\.id: lower-case letters, digits and dashes.*partners\.0\.trust/,
    );
    expect(() => parseRegistry({ partners: [partner({ defaultTlp: 'white' })] })).toThrow(
      /partners\.0\.defaultTlp/,
    );
  });
});
