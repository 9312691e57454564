import type { IndicatorReport, Tlp } from '@dragnet/indicators';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stateToDocument } from './document.js';
import { DEFAULT_GRANULARITY_MS, joinStates, type MergeOptions, mergeReport } from './merge-report.js';
import type { MergeState } from './state.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 10, 10, 0, 0);
const options: MergeOptions = { granularityMs: DEFAULT_GRANULARITY_MS, defaultTlp: 'amber' };

function report(overrides: Partial<IndicatorReport>): IndicatorReport {
  return {
    id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd',
    kind: 'ipv4',
    value: '198.51.100.7',
    provider: 'kaspersky',
    feedName: 'botnet-c2',
    firstSeen: T0,
    lastSeen: T0,
    confidence: null,
    tlp: 'green',
    tags: [],
    threatNames: [],
    description: null,
    reference: null,
    validUntil: null,
    provenance: { topic: 't', partition: 0, offset: '0', recordId: null },
    ...overrides,
  };
}

const fold = (reports: IndicatorReport[], from: MergeState | null = null): MergeState | null =>
  reports.reduce<MergeState | null>((state, item) => mergeReport(state, item, options).state, from);

const time = (text: unknown) => Date.parse(String(text));

/** Every pair the STIX export turns into `created`/`modified`: the document's and each source's, and each bucket. */
function assertOrdered(state: MergeState): void {
  for (const source of state.sources)
    for (const bucket of source.buckets) expect(bucket.firstSeen).toBeLessThanOrEqual(bucket.lastSeen);
  const document = JSON.parse(
    JSON.stringify(
      stateToDocument(state, {
        now: 0,
        scoring: { score: 50, baseScore: 50, expired: false, expiresAt: null },
      }),
    ),
  );
  const indicator = document.threat.indicator;
  expect(time(indicator.first_seen)).toBeLessThanOrEqual(time(indicator.last_seen));
  for (const source of document.dragnet.sources as { first_seen: string; last_seen: string }[])
    expect(time(source.first_seen)).toBeLessThanOrEqual(time(source.last_seen));
}

describe('merge timestamps: first_seen ≤ last_seen, STIX created ≤ modified', () => {
  it('a sighting within one quantum does not end before it starts (last seen is quantised down)', () => {
    const state = fold([report({ firstSeen: T0 + 5 * MINUTE, lastSeen: T0 + 30 * MINUTE })])!;
    const bucket = state.sources[0]!.buckets[0]!;
    expect(bucket.lastSeen).toBe(T0);
    expect(bucket.firstSeen).toBe(T0);
    assertOrdered(state);
  });

  it('first seen stays exact when the sighting spans quanta', () => {
    const state = fold([report({ firstSeen: T0 + 5 * MINUTE, lastSeen: T0 + 95 * MINUTE })])!;
    expect(state.sources[0]!.buckets[0]).toMatchObject({
      firstSeen: T0 + 5 * MINUTE,
      lastSeen: T0 + 60 * MINUTE,
    });
  });

  it('a re-publish in the same quantum still changes nothing', () => {
    const first = fold([report({ firstSeen: T0 + 5 * MINUTE, lastSeen: T0 + 5 * MINUTE })])!;
    const again = mergeReport(
      first,
      report({ firstSeen: T0 + 40 * MINUTE, lastSeen: T0 + 40 * MINUTE }),
      options,
    );
    expect(again.changed).toBe(false);
  });

  it('a state stored before the invariant (first after last) is repaired by its next join', () => {
    const legacy = fold([report({ firstSeen: T0, lastSeen: T0 })])!;
    const bucket = legacy.sources[0]!.buckets[0]!;
    const broken: MergeState = {
      ...legacy,
      sources: [
        { ...legacy.sources[0]!, buckets: [{ ...bucket, firstSeen: T0 + 20 * MINUTE, lastSeen: T0 }] },
      ],
    };
    assertOrdered(fold([report({ firstSeen: T0 + 30 * MINUTE, lastSeen: T0 + 30 * MINUTE })], broken)!);
  });

  it('holds for every fold order, split and joined folds, and repetitions (property)', () => {
    const arbitraryReport = fc.record({
      provider: fc.constantFrom('kaspersky', 'group-ib'),
      tlp: fc.constantFrom<Tlp | null>(null, 'clear', 'green', 'amber', 'red'),
      // Minutes within a few hours: many sightings share a quantum.
      first: fc.integer({ min: 0, max: 300 }),
      span: fc.integer({ min: 0, max: 120 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryReport, { minLength: 1, maxLength: 8 }),
        fc.infiniteStream(fc.nat()),
        fc.nat(8),
        (raw, randomness, split) => {
          const reports = raw.map((item) =>
            report({
              provider: item.provider,
              tlp: item.tlp,
              firstSeen: T0 + item.first * MINUTE,
              lastSeen: T0 + (item.first + item.span) * MINUTE,
            }),
          );
          const keys = [...randomness.take(reports.length)];
          const shuffled = reports
            .map((item, index) => ({ item, key: keys[index]! }))
            .sort((a, b) => a.key - b.key)
            .map(({ item }) => item);
          for (const order of [reports, shuffled, [...reports].reverse(), [...reports, ...shuffled]])
            assertOrdered(fold(order)!);
          const cut = Math.min(split, shuffled.length - 1);
          const left = fold(shuffled.slice(0, Math.max(cut, 1)))!;
          const right = fold(shuffled.slice(Math.max(cut, 1)));
          assertOrdered(right ? joinStates(left, right) : left);
        },
      ),
      { numRuns: 300 },
    );
  });
});
