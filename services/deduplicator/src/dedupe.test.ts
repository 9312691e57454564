import type { MergeState } from '@dragnet/document';
import type { IndicatorReport } from '@dragnet/indicators';
import { describe, expect, it } from 'vitest';
import { type DedupeInput, type DedupeOptions, dedupeBatch } from './dedupe.js';

const T0 = Date.UTC(2026, 0, 10);
const report = (provider: string, overrides: Partial<IndicatorReport> = {}): DedupeInput => ({
  type: 'report',
  correlationId: `corr-${provider}`,
  report: {
    id: 'domain-name--1',
    kind: 'domain',
    value: 'evil.example',
    provider,
    feedName: 'f',
    firstSeen: T0,
    lastSeen: T0,
    confidence: 50,
    tlp: null,
    tags: [],
    threatNames: [],
    description: null,
    reference: null,
    validUntil: null,
    provenance: { topic: 't', partition: 0, offset: '0', recordId: null },
    ...overrides,
  },
});
const options: DedupeOptions = {
  granularityMs: 3_600_000,
  defaultTlpOf: (provider) => (provider === 'b' ? 'red' : 'green'),
  score: () => ({ score: 50, baseScore: 50, expired: false, expiresAt: null }),
  providerVersions: { ip: 1 },
  now: T0,
  changesTopic: 'dedupe-test.dragnet.indicators.changes',
};

describe('dedupeBatch', () => {
  it('emits one change per changed indicator, not one per report, and schedules enrichment once', () => {
    const outcome = dedupeBatch(
      [report('a'), report('b'), report('a')],
      new Map([['domain-name--1', null]]),
      options,
    );
    expect(outcome.changes).toHaveLength(1);
    expect(outcome.changes[0]!.topic).toBe(options.changesTopic);
    const document = JSON.parse(String(outcome.changes[0]!.value));
    expect(
      document.dragnet.sources.map((source: { provider: string; tlp: string }) => [
        source.provider,
        source.tlp,
      ]),
    ).toEqual([
      ['a', 'green'],
      ['b', 'red'],
    ]);
    // One revision per emitted change, not per report folded (ADR 0001).
    expect(document.dragnet.revision).toBe(1);
    expect(outcome.statesToSave[0]!.revision).toBe(1);
    // The job carries the correlation id of the last report that changed the state, so its result does too.
    expect(outcome.toEnrich).toEqual([
      { id: 'domain-name--1', kind: 'domain', value: 'evil.example', correlationId: 'corr-b' },
    ]);
    expect(outcome.changes[0]!.headers).toEqual({ 'dragnet-correlation-id': 'corr-b' });
    expect(outcome.statesToSave[0]!.enrichmentRequested).toBe('ip@1');
    expect(outcome.unchanged).toBe(1);
  });

  it('schedules enrichment with the correlation id of an input that changed nothing, and none without one', () => {
    const first = dedupeBatch([report('a')], new Map([['domain-name--1', null]]), options);
    const state = first.statesToSave[0] as MergeState;
    // Enrichment at newer provider versions is due although the replayed report changes nothing.
    const newer = { ...options, providerVersions: { ip: 2 } };
    const replay = dedupeBatch([report('a')], new Map([['domain-name--1', state]]), newer);
    expect(replay.changes).toEqual([]);
    expect(replay.toEnrich).toEqual([
      { id: 'domain-name--1', kind: 'domain', value: 'evil.example', correlationId: 'corr-a' },
    ]);
    const refresh: DedupeInput = { type: 'refresh', id: 'domain-name--1', correlationId: null };
    const swept = dedupeBatch([refresh], new Map([['domain-name--1', state]]), newer);
    expect(swept.toEnrich).toEqual([{ id: 'domain-name--1', kind: 'domain', value: 'evil.example' }]);
  });

  it('emits nothing and schedules nothing for a replay of what the state already holds', () => {
    const first = dedupeBatch([report('a')], new Map([['domain-name--1', null]]), options);
    const state = first.statesToSave[0] as MergeState;
    const replay = dedupeBatch(
      [report('a'), report('a', { lastSeen: T0 + 60_000 })],
      new Map([['domain-name--1', state]]),
      options,
    );
    expect(replay).toMatchObject({ changes: [], toEnrich: [], statesToSave: [], unchanged: 2 });
  });

  it('applies an enrichment result to a known indicator and ignores one for an unknown indicator', () => {
    const first = dedupeBatch([report('a')], new Map([['domain-name--1', null]]), options);
    const state = first.statesToSave[0] as MergeState;
    const enrichment: DedupeInput = {
      type: 'enrichment',
      correlationId: null,
      enrichment: { id: 'domain-name--1', versions: { ip: 1 }, result: { dragnet: { ip_class: 'public' } } },
    };
    const outcome = dedupeBatch([enrichment], new Map([['domain-name--1', state]]), options);
    expect(outcome.changes).toHaveLength(1);
    expect(JSON.parse(String(outcome.changes[0]!.value)).dragnet.enrichment).toMatchObject({
      ip_class: 'public',
      providers: { ip: 1 },
    });
    expect(dedupeBatch([enrichment], new Map([['domain-name--1', null]]), options).changes).toEqual([]);
  });

  it('rebuilds a refreshed indicator under a new revision with its score at now, and re-enriches old versions', () => {
    const first = dedupeBatch([report('a')], new Map([['domain-name--1', null]]), options);
    const state = { ...first.statesToSave[0]!, enrichment: { versions: { ip: 1 }, result: {} } };
    const refresh: DedupeInput = { type: 'refresh', id: 'domain-name--1', correlationId: null };
    const later = T0 + 40 * 86_400_000;
    const expiredOptions: DedupeOptions = {
      ...options,
      now: later,
      providerVersions: { ip: 2 },
      score: (_state, now) => ({ score: 10, baseScore: 50, expired: now >= later, expiresAt: later }),
    };
    const outcome = dedupeBatch([refresh], new Map([['domain-name--1', state]]), expiredOptions);
    expect(outcome.changes).toHaveLength(1);
    const document = JSON.parse(String(outcome.changes[0]!.value));
    expect(document.dragnet).toMatchObject({
      revision: state.revision + 1,
      expired: true,
      active: false,
      score: 10,
    });
    expect(outcome.toEnrich.map((target) => target.id)).toEqual(['domain-name--1']);
    const unknown = dedupeBatch([refresh], new Map([['domain-name--1', null]]), expiredOptions);
    expect(unknown.changes).toEqual([]);
  });

  it('stores, for readers below the document’s marking, the score of only what they see', () => {
    const countingScore: DedupeOptions['score'] = (state) => ({
      score: state.sources.length,
      baseScore: state.sources.length,
      expired: false,
      expiresAt: null,
    });
    const outcome = dedupeBatch([report('a'), report('b')], new Map([['domain-name--1', null]]), {
      ...options,
      score: countingScore,
    });
    const document = JSON.parse(String(outcome.changes[0]!.value));
    // Partner a reports GREEN, b RED: a GREEN/AMBER reader sees one partner, the whole document has two.
    expect(document.dragnet).toMatchObject({ tlp: 'red', tlp_floor: 'green', score: 2 });
    expect(Object.keys(document.dragnet.scoring_below)).toEqual(['green', 'amber', 'amber_strict']);
    expect(document.dragnet.scoring_below.green).toMatchObject({ score: 1, base_score: 1 });
  });
});
