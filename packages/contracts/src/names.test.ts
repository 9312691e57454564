import { ConfigError, namespaceEnv, parseConfig, RUNTIME_ENV } from '@dragnet/config';
import { describe, expect, it } from 'vitest';
import { names } from './names.js';

/** Every string a `names()` result holds, with its path. */
function leaves(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, path ? `${path}.${key}` : key));
}

describe('names(namespace)', () => {
  it('spells the production names without a namespace', () => {
    const plain = names();
    expect(plain.topics).toEqual({
      mergeInput: 'dragnet.indicators.canonical',
      changes: 'dragnet.indicators.changes',
      deadLetter: 'dragnet.deadletter',
      deadLetterRedrives: 'dragnet.deadletter.redrives',
    });
    expect(plain.groups.indexer).toBe('dragnet-indexer');
    expect(plain.index.alias).toBe('logs-ti_dragnet.indicator');
    expect(plain.index.concrete).toBe('logs-ti_dragnet.indicator-v1');
    expect(plain.auditIndex.alias).toBe('dragnet-audit');
    expect(plain.queues.enrichment).toBe('dragnet-enrichment');
    expect(plain.redisKeys.mergeState).toBe('dragnet:merge:');
    expect(plain.partnerTopic('cert-x')).toBe('feeds.cert-x');
    expect(plain.partnerRejectsTopic('cert-x')).toBe('dragnet.rejects.cert-x');
    expect(names('')).toEqual({
      ...plain,
      partnerTopic: expect.any(Function),
      partnerRejectsTopic: expect.any(Function),
    });
  });

  it('puts the namespace into every name, and two namespaces share none', () => {
    const staging = names('staging-2');
    const named = leaves(staging).filter(([path]) => path !== 'namespace');
    expect(named.length).toBeGreaterThan(15);
    for (const [path, name] of named) expect(`${path}: ${name}`).toContain('staging-2');
    expect(staging.topics.mergeInput).toBe('staging-2.dragnet.indicators.canonical');
    expect(staging.index.alias).toBe('logs-ti_dragnet.indicator-staging-2');
    expect(staging.partnerTopic('cert-x')).toBe('staging-2.feeds.cert-x');
    const other = new Set(leaves(names('staging-3')).map(([, name]) => name));
    expect(named.filter(([, name]) => other.has(name))).toEqual([]);
  });

  it('refuses a namespace that is not lower-case letters, digits and dashes, at most 41', () => {
    for (const bad of ['Prod', 'a_b', '-lead', 'a.b', 'x'.repeat(42), 'a b', 'ü'])
      expect(() => names(bad), bad).toThrow(/lower-case letters, digits and dashes/);
    expect(names('x'.repeat(41)).namespace).toHaveLength(41);
  });
});

describe('DRAGNET_NAMESPACE in the runtime schema', () => {
  const schema = namespaceEnv;

  it('is validated with the service configuration, naming the variable', () => {
    // Every service schema spreads RUNTIME_ENV: the field is the same one.
    expect(RUNTIME_ENV.DRAGNET_NAMESPACE).toBe(namespaceEnv.shape.DRAGNET_NAMESPACE);
    expect(parseConfig(schema, {}).DRAGNET_NAMESPACE).toBeUndefined();
    expect(parseConfig(schema, { DRAGNET_NAMESPACE: '' }).DRAGNET_NAMESPACE).toBe('');
    expect(parseConfig(schema, { DRAGNET_NAMESPACE: 'e2e-1' }).DRAGNET_NAMESPACE).toBe('e2e-1');
    expect(() => parseConfig(schema, { DRAGNET_NAMESPACE: 'Prod_1' })).toThrow(ConfigError);
    expect(() => parseConfig(schema, { DRAGNET_NAMESPACE: 'Prod_1' })).toThrow(
      /^DRAGNET_NAMESPACE: expected lower-case letters, digits and dashes, at most 41 \(got "Prod_1"\)$/,
    );
  });

  it('accepts exactly what names() accepts', () => {
    for (const value of ['', 'a', 'e2e-abc-12', 'x'.repeat(41), 'x'.repeat(42), 'A', '-a', 'a_b']) {
      const parsed = schema.shape.DRAGNET_NAMESPACE.safeParse(value).success;
      expect(parsed, value).toBe(
        (() => {
          try {
            names(value);
            return true;
          } catch {
            return false;
          }
        })(),
      );
    }
  });
});
