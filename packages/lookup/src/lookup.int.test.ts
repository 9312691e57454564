import {
  DEFAULT_GRANULARITY_MS,
  type MergeState,
  mergeReport,
  type Scoring,
  scoreBelowMarking,
  stateToDocument,
} from '@dragnet/document';
import {
  deleteIndicatorIndex,
  ensureIndicatorIndex,
  type IndexNames,
  writeVersioned,
} from '@dragnet/elasticsearch';
import { canonicalizeAny, type IndicatorReport, observableId, type Tlp } from '@dragnet/indicators';
import { requireStack, testElasticsearch, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LookupScope, lookupMany, lookupOne, searchPage } from './lookup.js';
import { exportStix } from './stix-export.js';

const elasticsearch = testElasticsearch();
const base = uniqueName('dragnet-lookup');
const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };
const HOUR = 3_600_000;
// biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
type Answer = Record<string, any>;
const NOW = Date.now();

/** Partner context a TLP:GREEN reader must never receive. */
const AMBER_CONTEXT = /victim|intrusion|cases\.internal|closed-group|TLP:AMBER|"tlp":"amber"|AMBER/;

/** A score that counts partners and markings, so an answer's score shows what it was computed from. */
const countingScore = (state: MergeState): Scoring => ({
  score: state.sources.length * 10 + state.sources.reduce((sum, source) => sum + source.buckets.length, 0),
  baseScore: 0,
  expired: false,
  expiresAt: null,
});

function sighting(
  raw: string,
  spec: Partial<IndicatorReport> & { provider: string; tlp: Tlp; lastSeen: number },
): IndicatorReport {
  const canonical = canonicalizeAny(raw);
  if (!canonical.ok) throw new Error(canonical.message);
  return {
    id: observableId(canonical.kind, canonical.value),
    kind: canonical.kind,
    value: canonical.value,
    feedName: 'public',
    firstSeen: spec.lastSeen,
    confidence: null,
    tags: [],
    threatNames: [],
    description: null,
    reference: null,
    validUntil: null,
    provenance: { topic: 'test', partition: 0, offset: '0', recordId: null },
    ...spec,
  };
}

/** The document the deduplicator would index for these reports, in this order. */
function indexed(reports: IndicatorReport[]) {
  let state: MergeState | null = null;
  for (const report of reports)
    state = mergeReport(state, report, { granularityMs: DEFAULT_GRANULARITY_MS, defaultTlp: 'green' }).state;
  const final = state!;
  const document = stateToDocument(final, {
    now: NOW,
    scoring: countingScore(final),
    scoringBelow: scoreBelowMarking(final, countingScore),
  });
  return { id: final.id, version: final.revision, document };
}

const DOWNGRADED = '192.0.2.10';
/** The same, plus a second partner reporting it RED. */
const ALSO_RED = '192.0.2.20';
const AMBER_ONLY = 'secret-case.example';
/** The audit's scenario: first AMBER with victim context, later the same partner re-reports it GREEN without. */
const downgrade = (value: string) => [
  sighting(value, {
    provider: 'partner-a',
    tlp: 'amber',
    lastSeen: NOW - 10 * HOUR,
    feedName: 'closed-group',
    tags: ['c2', 'victim:bank'],
    threatNames: ['BankOp'],
    description: 'C2 seen during the bank intrusion',
    reference: 'https://cases.internal/4711',
    confidence: 95,
  }),
  sighting(value, { provider: 'partner-a', tlp: 'green', lastSeen: NOW - 2 * HOUR, tags: ['c2'] }),
];
const seeds = [
  indexed(downgrade(DOWNGRADED)),
  indexed([
    ...downgrade(ALSO_RED),
    sighting(ALSO_RED, { provider: 'partner-b', tlp: 'red', lastSeen: NOW - HOUR, tags: ['victim:bank'] }),
  ]),
  indexed([
    sighting(AMBER_ONLY, {
      provider: 'partner-a',
      tlp: 'amber',
      lastSeen: NOW - HOUR,
      tags: ['victim:bank'],
    }),
  ]),
];

const green: LookupScope = { client: elasticsearch, index: names.alias, maxTlp: 'green' };
const amber: LookupScope = { ...green, maxTlp: 'amber' };
const red: LookupScope = { ...green, maxTlp: 'red' };

beforeAll(async () => {
  await requireStack();
  await ensureIndicatorIndex(elasticsearch, names);
  const outcome = await writeVersioned(elasticsearch, seeds, { index: names.alias, refresh: true });
  expect(outcome.written).toBe(seeds.length);
});

afterAll(async () => {
  await deleteIndicatorIndex(elasticsearch, names);
  await elasticsearch.close();
});

describe('a partner re-reporting AMBER content as GREEN', () => {
  it('gives a TLP:GREEN key the indicator with its GREEN content only, by single lookup', async () => {
    const result = await lookupOne(green, DOWNGRADED);
    expect(result.outcome).toBe('found');
    const document = (result as { document: Answer }).document;
    expect(JSON.stringify(document)).not.toMatch(AMBER_CONTEXT);
    expect(document.tags).toEqual(['c2']);
    expect(document.dragnet.tlp).toBe('green');
    expect(document.threat.indicator.marking.tlp).toBe('GREEN');
    expect(document.threat.indicator.provider).toEqual(['partner-a']);
    // The score of what the key sees (one partner, one marking), not of the AMBER statement too.
    expect(document.dragnet.score).toBe(11);
    const full = (await lookupOne(red, DOWNGRADED)) as { document: Answer };
    expect(full.document.dragnet.tlp).toBe('amber');
    expect(full.document.tags).toEqual(['c2', 'victim:bank']);
    expect(full.document.dragnet.score).toBe(12);
    const alsoRed = (await lookupOne(green, ALSO_RED)) as { document: Answer };
    expect(JSON.stringify(alsoRed.document)).not.toMatch(AMBER_CONTEXT);
    expect(alsoRed.document.threat.indicator.provider).toEqual(['partner-a']);
    expect(alsoRed.document.dragnet.score).toBe(11);
    const atAmber = (await lookupOne(amber, ALSO_RED)) as { document: Answer };
    expect(atAmber.document).toMatchObject({
      tags: ['c2', 'victim:bank'],
      dragnet: { tlp: 'amber', score: 12 },
    });
  });

  it('does the same in bulk lookups', async () => {
    const result = await lookupMany(green, [DOWNGRADED, ALSO_RED, AMBER_ONLY]);
    expect(result.unknown).toEqual([AMBER_ONLY]);
    expect(result.matches).toHaveLength(2);
    expect(JSON.stringify(result)).not.toMatch(AMBER_CONTEXT);
    for (const match of result.matches) {
      expect(match.indicator).toMatchObject({ tlp: 'green', score: 11, threat_names: [] });
      expect(match.indicator.sources.map((source) => source.tlp)).toEqual(['green']);
    }
    const atAmber = await lookupMany(amber, [ALSO_RED]);
    expect(atAmber.matches[0]!.indicator).toMatchObject({ tlp: 'amber', threat_names: ['BankOp'] });
    expect(atAmber.matches[0]!.indicator.sources.map((source) => source.provider)).toEqual(['partner-a']);
  });

  it('cannot be found by a TLP:GREEN key through AMBER-only content, but can by its value', async () => {
    expect((await searchPage(green, { query: 'tags:"victim:bank"', size: 10 })).total).toBe(0);
    expect(
      (await searchPage(green, { query: 'threat.indicator.description:intrusion', size: 10 })).total,
    ).toBe(0);
    expect((await searchPage(green, { query: 'dragnet.score:>=20', size: 10 })).total).toBe(0);
    // An AMBER key finds by tag what it may see whole; ALSO_RED holds RED content, so a query on
    // partner content does not reach it for that key (recall traded for a simple proof).
    const byTag = await searchPage(amber, { query: 'tags:"victim:bank"', size: 10 });
    expect(byTag.indicators.map((indicator) => indicator.value).sort()).toEqual([DOWNGRADED, AMBER_ONLY]);
    expect((await searchPage(red, { query: 'tags:"victim:bank"', size: 10 })).total).toBe(3);
    const byValue = await searchPage(green, { query: `dragnet.value:"${DOWNGRADED}"`, size: 10 });
    expect(byValue.indicators.map((indicator) => indicator.value)).toEqual([DOWNGRADED]);
    expect(JSON.stringify(byValue)).not.toMatch(AMBER_CONTEXT);
    const everything = await searchPage(green, { query: '', size: 10 });
    expect(everything.indicators.map((indicator) => indicator.value).sort()).toEqual([DOWNGRADED, ALSO_RED]);
    expect(JSON.stringify(everything)).not.toMatch(AMBER_CONTEXT);
    // Order and cursor use the latest sighting the key sees (GREEN, two hours ago), not the RED one.
    const page = await searchPage(amber, { query: `dragnet.value:"${ALSO_RED}"`, size: 1 });
    expect(page.indicators).toHaveLength(1);
    const cursor = JSON.parse(Buffer.from(page.next_cursor!, 'base64url').toString('utf8'));
    expect(cursor[0]).toBe(NOW - 2 * HOUR - ((NOW - 2 * HOUR) % HOUR));
  });

  it('exports it to a TLP:GREEN key as STIX without the AMBER context', async () => {
    const bundle = await exportStix(green, { query: '', limit: 10 });
    const text = JSON.stringify(bundle);
    expect(text).toContain(DOWNGRADED);
    expect(text).not.toContain(AMBER_ONLY);
    expect(text).not.toMatch(AMBER_CONTEXT);
    expect(text).not.toMatch(/TLP:RED|BankOp/);
  });

  it('keeps an AMBER-only indicator unknown to a TLP:GREEN key', async () => {
    expect(await lookupOne(green, AMBER_ONLY)).toMatchObject({ outcome: 'unknown' });
    expect((await lookupOne(amber, AMBER_ONLY)).outcome).toBe('found');
  });
});
