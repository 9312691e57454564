import {
  DEFAULT_GRANULARITY_MS,
  type MergeState,
  mergeEnrichment,
  mergeReport,
  scoreBelowMarking,
  stateToDocument,
} from '@dragnet/document';
import {
  deleteIndicatorIndex,
  ensureIndicatorIndex,
  type IndexNames,
  writeVersioned,
} from '@dragnet/elasticsearch';
import { type IndicatorReport, indicatorId, type Tlp } from '@dragnet/indicators';
import { requireStack, testElasticsearch, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statesFromIndex } from './recovery.js';

const elasticsearch = testElasticsearch();
const base = uniqueName('dragnet-recovery');
const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };
const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const HOUR = 3_600_000;

function report(
  kind: IndicatorReport['kind'],
  value: string,
  provider: string,
  tlp: Tlp,
  hours: number,
  context: Partial<IndicatorReport> = {},
): IndicatorReport {
  return {
    id: indicatorId({ kind, value }),
    kind,
    value,
    provider,
    feedName: `${provider}-feed`,
    firstSeen: T0 + hours * HOUR,
    lastSeen: T0 + (hours + 5) * HOUR,
    confidence: null,
    tlp,
    tags: [],
    threatNames: [],
    description: null,
    reference: null,
    validUntil: null,
    provenance: { topic: 't', partition: 0, offset: '0', recordId: null },
    ...context,
  };
}

function fold(reports: IndicatorReport[]): MergeState {
  let state: MergeState | null = null;
  for (const item of reports)
    state = mergeReport(state, item, { granularityMs: DEFAULT_GRANULARITY_MS, defaultTlp: 'amber' }).state;
  return state!;
}

const ip = mergeEnrichment(
  fold([
    report('ipv4', '198.51.100.7', 'a', 'amber', 0, {
      tags: ['victim:bank'],
      description: 'C2',
      confidence: 90,
      provenance: { topic: 't', partition: 0, offset: '1', recordId: 'r-1' },
    }),
    report('ipv4', '198.51.100.7', 'a', 'green', 3, { tags: ['c2'], validUntil: T0 + 99 * HOUR }),
    report('ipv4', '198.51.100.7', 'b', 'red', 1, {
      threatNames: ['Emotet'],
      reference: 'https://b.example/1',
    }),
  ]),
  {
    id: indicatorId({ kind: 'ipv4', value: '198.51.100.7' }),
    versions: { ip: 2, warninglists: 1 },
    result: {
      as: { number: 64500, organization: { name: 'Example' } },
      dragnet: {
        ip_class: 'documentation',
        warninglists: [{ name: 'l', action: 'warn' }],
        providers: { ip: 2 },
      },
    },
  },
).state;
const url = fold([report('url', 'https://evil.example.com/a?b=1', 'c', 'clear', 2)]);
const mutex = fold([report('mutex', 'Global\\evil', 'a', 'amber+strict', 4)]);
const states = [ip, url, mutex];

const scoring = { score: 50, baseScore: 60, expired: false, expiresAt: T0 + 9 * HOUR };

beforeAll(async () => {
  await requireStack();
  await ensureIndicatorIndex(elasticsearch, names);
  const documents = states.map((state) => ({
    id: state.id,
    version: state.revision,
    document: stateToDocument(state, {
      now: T0,
      scoring,
      scoringBelow: scoreBelowMarking(state, () => scoring),
    }),
  }));
  // No refresh: recovery reads with real-time gets.
  const outcome = await writeVersioned(elasticsearch, documents, { index: names.alias });
  expect(outcome.written).toBe(states.length);
});

afterAll(async () => {
  await deleteIndicatorIndex(elasticsearch, names);
  await elasticsearch.close();
});

describe('statesFromIndex against a real Elasticsearch', () => {
  it('rebuilds each state exactly from the fields it fetches (STATE_SOURCE_FIELDS), unrefreshed', async () => {
    const found = await statesFromIndex(elasticsearch, names.alias, [
      ...states.map((state) => state.id),
      'url--absent',
    ]);
    expect([...found.keys()].sort()).toEqual(states.map((state) => state.id).sort());
    for (const state of states) expect(found.get(state.id)).toEqual({ ...state, enrichmentRequested: null });
  });
});
