import { DEFAULT_GRANULARITY_MS, mergeReport, stateToDocument } from '@dragnet/document';
import {
  deleteIndicatorIndex,
  ensureIndicatorIndex,
  type IndexNames,
  writeVersioned,
} from '@dragnet/elasticsearch';
import { canonicalize, type IndicatorReport, observableId } from '@dragnet/indicators';
import { requireStack, testElasticsearch, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LookupScope, lookupMany, lookupOne } from './lookup.js';

const elasticsearch = testElasticsearch();
const base = uniqueName('dragnet-fragment');
const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };
const REPORTED = 'http://www.example-portal.com/?a=1#q=campaign-token';
const AMBER_ONLY = 'http://amber.example/x#secret';

function indexed(raw: string, tlp: 'green' | 'amber') {
  const canonical = canonicalize('url', raw);
  if (!canonical.ok) throw new Error(canonical.message);
  const report: IndicatorReport = {
    id: observableId('url', canonical.value),
    kind: 'url',
    value: canonical.value,
    provider: 'p',
    feedName: 'f',
    firstSeen: Date.UTC(2026, 0, 1),
    lastSeen: Date.UTC(2026, 0, 1),
    confidence: null,
    tlp,
    tags: [],
    threatNames: [],
    description: null,
    reference: null,
    validUntil: null,
    provenance: { topic: 't', partition: 0, offset: '0', recordId: null },
  };
  const { state } = mergeReport(null, report, { granularityMs: DEFAULT_GRANULARITY_MS, defaultTlp: 'green' });
  const document = stateToDocument(state, {
    now: Date.now(),
    scoring: { score: 50, baseScore: 50, expired: false, expiresAt: null },
  });
  return { id: state.id, version: state.revision, document };
}

const green = (): LookupScope => ({ client: elasticsearch, index: names.alias, maxTlp: 'green' });

beforeAll(async () => {
  await requireStack();
  await ensureIndicatorIndex(elasticsearch, names);
  const seeds = [indexed(REPORTED, 'green'), indexed(AMBER_ONLY, 'amber')];
  const outcome = await writeVersioned(elasticsearch, seeds, { index: names.alias, refresh: true });
  expect(outcome.written).toBe(seeds.length);
});

afterAll(async () => {
  await deleteIndicatorIndex(elasticsearch, names);
  await elasticsearch.close();
});

describe('a URL reported with a fragment', () => {
  it('is found by its exact value, fragment included', async () => {
    const answer = await lookupOne(green(), REPORTED);
    expect(answer.outcome).toBe('found');
  });

  it('is found by the same URL without the fragment (single and bulk lookup)', async () => {
    const single = await lookupOne(green(), 'hxxp://www.example-portal[.]com/?a=1');
    expect(single).toMatchObject({ outcome: 'found', id: observableId('url', REPORTED) });
    const bulk = await lookupMany(green(), ['http://www.example-portal.com/?a=1', 'http://unknown.example/']);
    expect(bulk.matches).toMatchObject([
      { inputs: ['http://www.example-portal.com/?a=1'], matched_by: 'url_fragment' },
    ]);
    expect(bulk.unknown).toEqual(['http://unknown.example/']);
  });

  it('is not found through its fragment-less form by a reader below its marking', async () => {
    expect((await lookupOne(green(), 'http://amber.example/x')).outcome).toBe('unknown');
    expect((await lookupMany(green(), ['http://amber.example/x'])).matches).toEqual([]);
    const amber: LookupScope = { ...green(), maxTlp: 'amber' };
    expect((await lookupOne(amber, 'http://amber.example/x')).outcome).toBe('found');
  });

  it('another URL on the same host is not a fragment match', async () => {
    expect((await lookupOne(green(), 'http://www.example-portal.com/')).outcome).toBe('unknown');
  });
});
