import { describe, expect, it } from 'vitest';
import { loadCliConfig, openCliContext } from './context.js';
import { deadLetterFilter, dlqTopics } from './dead-letters.js';

const contextIn = (env: NodeJS.ProcessEnv) =>
  openCliContext([], { verbose: false, config: loadCliConfig(env) });

describe("the CLI context's names", () => {
  it('are those of DRAGNET_NAMESPACE, for the registry and the dlq commands too', async () => {
    const context = await contextIn({ DRAGNET_NAMESPACE: 'staging' });
    expect(context.names.topics.mergeInput).toBe('staging.dragnet.indicators.canonical');
    expect(context.names.queues.enrichment).toBe('staging.dragnet-enrichment');
    expect(context.names.index.alias).toBe('logs-ti_dragnet.indicator-staging');
    expect(context.names.redisKeys.control).toBe('staging.dragnet:control');
    const partner = context.registry().partners[0];
    expect(partner?.topic).toBe(`staging.feeds.${partner?.id}`);
    expect(dlqTopics(context.names)).toEqual({
      deadLetter: 'staging.dragnet.deadletter',
      redrives: 'staging.dragnet.deadletter.redrives',
      canonical: 'staging.dragnet.indicators.canonical',
    });
  });

  it('have no prefix without a namespace', async () => {
    const context = await contextIn({});
    expect(context.names.topics.deadLetter).toBe('dragnet.deadletter');
    expect(context.names.groups.indexer).toBe('dragnet-indexer');
  });

  it('refuse a namespace the schema refuses, naming the variable', async () => {
    expect(() => loadCliConfig({ DRAGNET_NAMESPACE: 'Not_Valid' })).toThrow(/DRAGNET_NAMESPACE/);
  });
});

describe('deadLetterFilter', () => {
  it('keeps the options given and drops the others', () => {
    expect(deadLetterFilter({ code: 'invalid_ipv4', stage: undefined, partner: 'acme' })).toEqual({
      code: 'invalid_ipv4',
      partner: 'acme',
    });
    expect(deadLetterFilter({ position: ['0:1', '0:2'] })).toEqual({ positions: ['0:1', '0:2'] });
    expect(deadLetterFilter({})).toEqual({});
  });
});
