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

  it('plans one intake topic per partner plus the internal topics, compacting the changes topic', () => {
    const plan = planTopics(registry);
    expect(plan).toHaveLength(registry.partners.length + 3);
    const changes = plan.find((topic) => topic.topic.endsWith('dragnet.indicators.changes'));
    expect(changes?.config['cleanup.policy']).toBe('compact');
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
