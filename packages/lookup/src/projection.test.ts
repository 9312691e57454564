import {
  DEFAULT_GRANULARITY_MS,
  type MergeState,
  mergeReport,
  type Scoring,
  scoreBelowMarking,
  stateToDocument,
} from '@dragnet/document';
import { type IndicatorReport, TLP_LEVELS, type Tlp } from '@dragnet/indicators';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectDocument, visibility } from './projection.js';
import { namesOnlyMarkingFreeFields } from './search-scope.js';
import { toStixBundle } from './stix-bundle.js';
import { summarize } from './summary.js';

const HOUR = 3_600_000;
// biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
type Answer = Record<string, any>;
const T0 = Date.UTC(2026, 0, 10, 12);
const FAR_FUTURE = Date.UTC(9000, 0, 1);
const DEFAULT_TLP: Tlp = 'green';
/** The oracle's own ranking, written out rather than taken from the code under test. */
const RANK: Record<string, number> = { clear: 0, green: 1, amber: 2, 'amber+strict': 3, red: 4 };

interface Spec {
  provider: string;
  tlp: Tlp | null;
  firstSeen: number;
  lastSeen: number;
  tags: string[];
  threatNames: string[];
  description: string | null;
  reference: string | null;
  confidence: number | null;
  feed: string;
}

function toReport(spec: Spec): IndicatorReport {
  return {
    id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd',
    kind: 'ipv4',
    value: '198.51.100.7',
    provider: spec.provider,
    feedName: spec.feed,
    firstSeen: spec.firstSeen,
    lastSeen: spec.lastSeen,
    confidence: spec.confidence,
    tlp: spec.tlp,
    tags: spec.tags,
    threatNames: spec.threatNames,
    description: spec.description,
    reference: spec.reference,
    validUntil: null,
    provenance: { topic: 't', partition: 0, offset: '0', recordId: null },
  };
}

/** A score that depends on exactly which partners and markings it is given, so a leak shows in the number. */
const testScore = (state: MergeState): Scoring => ({
  score: state.sources.length * 10 + state.sources.reduce((sum, source) => sum + source.buckets.length, 0),
  baseScore: 0,
  expired: false,
  expiresAt: null,
});

function indexedDocument(specs: Spec[]): Record<string, unknown> {
  let state: MergeState | null = null;
  for (const spec of specs)
    state = mergeReport(state, toReport(spec), {
      granularityMs: DEFAULT_GRANULARITY_MS,
      defaultTlp: DEFAULT_TLP,
    }).state;
  const document = stateToDocument(state!, {
    now: T0,
    scoring: testScore(state!),
    scoringBelow: scoreBelowMarking(state!, testScore),
  });
  return JSON.parse(JSON.stringify(document));
}

/** The oracle's own reading of a vulnerability tag (not the code's). */
const CVE_TAG = 'vulnerability:';
const cvesOf = (tags: string[]) =>
  sortedSet(tags.filter((tag) => tag.startsWith(CVE_TAG)).map((tag) => tag.slice(CVE_TAG.length)));

const quantised = (time: number) => time - (time % HOUR);
const sortedSet = (values: string[]) => [...new Set(values)].sort();

/** The latest non-null statement of `field` among `specs`, ties to the larger value — from the reports alone. */
function latestOf<K extends 'description' | 'reference' | 'confidence'>(
  specs: Spec[],
  field: K,
): Spec[K] | null {
  let best: { at: number; value: Spec[K] } | null = null;
  for (const spec of specs) {
    const value = spec[field];
    if (value === null) continue;
    const at = quantised(spec.lastSeen);
    if (
      best === null ||
      at > best.at ||
      (at === best.at && (value as string | number) > (best.value as string | number))
    )
      best = { at, value };
  }
  return best === null ? null : best.value;
}

const arbitrarySpec: fc.Arbitrary<Spec> = fc
  .record({
    provider: fc.constantFrom('partner-a', 'partner-b', 'partner-c'),
    tlp: fc.option(fc.constantFrom(...TLP_LEVELS), { freq: 5 }),
    firstHours: fc.integer({ min: 0, max: 500 }),
    spanHours: fc.integer({ min: 0, max: 500 }),
    farFuture: fc.boolean(),
    tags: fc.uniqueArray(
      fc.constantFrom('tag-c2', 'tag-victim-bank', 'tag-botnet', 'tag-apt', `${CVE_TAG}CVE-2021-44228`),
      { maxLength: 3 },
    ),
    threatNames: fc.uniqueArray(fc.constantFrom('threat-emotet', 'threat-qbot', 'threat-bank-op'), {
      maxLength: 2,
    }),
    description: fc.option(fc.constantFrom('desc-intrusion', 'desc-c2', 'desc-bank-case')),
    reference: fc.option(fc.constantFrom('ref-https://cases.internal/1', 'ref-https://public.example/2')),
    confidence: fc.option(fc.integer({ min: 0, max: 100 })),
    feed: fc.constantFrom('feed-public', 'feed-closed-group'),
  })
  .map((raw) => ({
    provider: raw.provider,
    tlp: raw.tlp,
    firstSeen: T0 + raw.firstHours * HOUR,
    lastSeen: raw.farFuture
      ? FAR_FUTURE + raw.spanHours * HOUR
      : T0 + (raw.firstHours + raw.spanHours) * HOUR,
    tags: raw.tags,
    threatNames: raw.threatNames,
    description: raw.description,
    reference: raw.reference,
    confidence: raw.confidence,
    feed: raw.feed,
  }));

describe('answers are projections for the reader’s TLP (property)', () => {
  it('shows everything stated at or below the ceiling and nothing stated only above it, for every fold order', () => {
    fc.assert(
      fc.property(
        fc.array(arbitrarySpec, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        (specs, keys) => {
          const orders = [
            specs,
            [...specs].reverse(),
            specs
              .map((spec, index) => ({ spec, key: keys[index]! }))
              .sort((a, b) => a.key - b.key)
              .map(({ spec }) => spec),
          ];
          for (const order of orders) {
            const document = indexedDocument(order);
            for (const ceiling of TLP_LEVELS) {
              const shown = (spec: Spec) => RANK[spec.tlp ?? DEFAULT_TLP]! <= RANK[ceiling]!;
              const visible = specs.filter(shown);
              const hidden = specs.filter((spec) => !shown(spec));
              const answer = projectDocument(document, ceiling);
              if (visible.length === 0) {
                expect(answer).toBeNull();
                expect(visibility(document, ceiling)).toBe('none');
                continue;
              }
              expect(answer).not.toBeNull();
              const projected = answer as Answer;
              // Everything stated at or below the ceiling is there.
              expect(projected.tags).toEqual(sortedSet(visible.flatMap((spec) => spec.tags)));
              expect(projected.dragnet.threat_names).toEqual(
                sortedSet(visible.flatMap((spec) => spec.threatNames)),
              );
              expect(projected.threat.feed.name).toEqual(sortedSet(visible.map((spec) => spec.feed)));
              expect(projected.threat.indicator.provider).toEqual(
                sortedSet(visible.map((spec) => spec.provider)),
              );
              const marking = visible.reduce((max, spec) => Math.max(max, RANK[spec.tlp ?? DEFAULT_TLP]!), 0);
              expect(RANK[projected.dragnet.tlp]).toBe(marking);
              expect(projected.threat.indicator.marking.tlp).toBe(
                String(projected.dragnet.tlp).toUpperCase(),
              );
              expect(Date.parse(projected.threat.indicator.last_seen)).toBe(
                Math.max(...visible.map((spec) => quantised(spec.lastSeen))),
              );
              expect(Date.parse(projected.threat.indicator.first_seen)).toBe(
                Math.min(...visible.map((spec) => spec.firstSeen)),
              );
              for (const source of projected.dragnet.sources) {
                const own = visible.filter((spec) => spec.provider === source.provider);
                expect(source.description).toBe(latestOf(own, 'description'));
                expect(source.reference).toBe(latestOf(own, 'reference'));
                expect(source.confidence).toBe(latestOf(own, 'confidence'));
                expect(source.tags).toEqual(sortedSet(own.flatMap((spec) => spec.tags)));
              }
              // The score is that of the visible partners and markings.
              const pairs = new Set(visible.map((spec) => `${spec.provider}|${spec.tlp ?? DEFAULT_TLP}`));
              const providers = new Set(visible.map((spec) => spec.provider));
              expect(projected.dragnet.score).toBe(providers.size * 10 + pairs.size);
              // Nothing stated only above the ceiling appears anywhere in any answer.
              const visibleStrings = new Set(
                visible.flatMap((spec) => [
                  ...spec.tags,
                  ...spec.threatNames,
                  spec.description,
                  spec.reference,
                  spec.feed,
                ]),
              );
              const secrets = hidden
                .flatMap((spec) => [
                  ...spec.tags,
                  ...spec.threatNames,
                  spec.description,
                  spec.reference,
                  spec.feed,
                ])
                .filter((value): value is string => value !== null && !visibleStrings.has(value));
              const answers = JSON.stringify([
                projected,
                summarize(projected),
                toStixBundle([projected], new Date(T0)),
              ]);
              for (const secret of secrets) expect(answers).not.toContain(`"${secret}"`);
              // A CVE stated only above the ceiling: not in the field, the summary nor the STIX export.
              const visibleCves = cvesOf(visible.flatMap((spec) => spec.tags));
              expect(projected.dragnet.vulnerabilities).toEqual(visibleCves);
              expect(summarize(projected).vulnerabilities).toEqual(visibleCves);
              for (const cve of cvesOf(hidden.flatMap((spec) => spec.tags)))
                if (!visibleCves.includes(cve)) expect(answers).not.toContain(`"${cve}"`);
              for (const level of TLP_LEVELS)
                if (RANK[level]! > RANK[ceiling]!) {
                  expect(answers).not.toContain(`"tlp":"${level}"`);
                  expect(answers).not.toContain(`TLP:${level.toUpperCase()}"`);
                }
            }
          }
        },
      ),
      { numRuns: 150, seed: 20_261_201 },
    );
  }, 60_000);
});

describe('the downgrade the audit found', () => {
  it('gives a TLP:GREEN reader none of the AMBER context after a GREEN re-report', () => {
    const document = indexedDocument([
      {
        provider: 'partner-a',
        tlp: 'amber',
        firstSeen: T0,
        lastSeen: T0,
        tags: ['victim:bank'],
        threatNames: [],
        description: 'C2 seen during the bank intrusion',
        reference: 'https://cases.internal/4711',
        confidence: 90,
        feed: 'closed-group',
      },
      {
        provider: 'partner-a',
        tlp: 'green',
        firstSeen: T0,
        lastSeen: T0 + 2 * HOUR,
        tags: ['c2'],
        threatNames: [],
        description: null,
        reference: null,
        confidence: null,
        feed: 'public',
      },
    ]);
    const green = projectDocument(document, 'green')!;
    expect(JSON.stringify(green)).not.toMatch(
      /victim|intrusion|cases\.internal|closed-group|AMBER|"tlp":"amber"/,
    );
    expect(green).toMatchObject({ tags: ['c2'], dragnet: { tlp: 'green' } });
    expect(projectDocument(document, 'amber')).toBe(document);
  });
});

describe('namesOnlyMarkingFreeFields', () => {
  it.each([
    ['', true],
    ['evil.example.com', true],
    ['dragnet.value:evil* AND threat.indicator.type:url', true],
    ['dragnet.value:"http://x.example/a:b"', true],
    ['threat.indicator.geo.country_iso_code:DE OR related.hosts:(a OR b)', true],
    ['tags:"victim:bank"', false],
    ['dragnet.value:x AND tags:c2', false],
    ['(dragnet.sources.tags:x)', false],
    ['threat.indicator.description:bank', false],
    ['dragnet.score:>=70', false],
    ['*:bank', false],
    ['dragnet.val*:x', false],
    ['_exists_:dragnet.sources.reference', false],
    ['dragnet.value:a\\:b', false],
    ['dragnet.value:/a.*/', false],
    ['"unterminated', false],
    ['x"y":z', false],
    ['+tags:x', false],
    ['-dragnet.value:x', true],
  ])('%j → %s', (query, expected) => {
    expect(namesOnlyMarkingFreeFields(query)).toBe(expected);
  });
});
