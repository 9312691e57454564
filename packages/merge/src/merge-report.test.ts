import type { IndicatorReport } from '@dragnet/indicators';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentToState, stateToDocument } from './document.js';
import { mergeEnrichment, needsEnrichment } from './merge-enrichment.js';
import { DEFAULT_GRANULARITY_MS, type MergeOptions, mergeReport } from './merge-report.js';
import type { MergeState } from './state.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const options: MergeOptions = { granularityMs: DEFAULT_GRANULARITY_MS, defaultTlp: 'amber' };

function report(overrides: Partial<IndicatorReport> = {}): IndicatorReport {
  return {
    id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd',
    kind: 'ipv4',
    value: '198.51.100.7',
    provider: 'kaspersky',
    feedName: 'botnet-c2',
    firstSeen: T0,
    lastSeen: T0,
    confidence: 80,
    tlp: 'green',
    tags: ['c2'],
    threatNames: ['Emotet'],
    description: null,
    reference: null,
    validUntil: null,
    provenance: { topic: 'feeds.kaspersky', partition: 0, offset: '1', recordId: null },
    ...overrides,
  };
}

function fold(reports: IndicatorReport[]): MergeState | null {
  let state: MergeState | null = null;
  for (const item of reports) state = mergeReport(state, item, options).state;
  return state;
}

/** The document minus what legitimately differs between runs (write time, revision count). */
function comparable(state: MergeState | null) {
  if (!state) return null;
  const document = stateToDocument(state, {
    now: 0,
    scoring: { score: 50, baseScore: 50, expired: false, expiresAt: null },
  });
  const { event, dragnet, ...rest } = JSON.parse(JSON.stringify(document));
  delete dragnet.revision;
  return { rest, dragnet };
}

describe('mergeReport', () => {
  it('creates one source entry per partner with its own dates, confidence and TLP', () => {
    const state = fold([
      report(),
      report({
        provider: 'group-ib',
        feedName: 'phishing',
        firstSeen: T0 - 5 * HOUR,
        lastSeen: T0 - HOUR,
        confidence: 60,
        tlp: 'red',
      }),
    ])!;
    expect(state.sources.map((source) => source.provider)).toEqual(['group-ib', 'kaspersky']);
    expect(state.sources[0]).toMatchObject({
      firstSeen: T0 - 5 * HOUR,
      lastSeen: T0 - HOUR,
      confidence: 60,
      tlp: 'red',
    });
    const document = stateToDocument(state, {
      now: T0,
      scoring: { score: 75, baseScore: 80, expired: false, expiresAt: null },
    });
    expect(document.dragnet.tlp).toBe('red');
    expect(document).toMatchObject({
      '@timestamp': new Date(T0).toISOString(),
      threat: {
        indicator: {
          type: 'ipv4-addr',
          ip: '198.51.100.7',
          first_seen: new Date(T0 - 5 * HOUR).toISOString(),
          last_seen: new Date(T0).toISOString(),
          provider: ['group-ib', 'kaspersky'],
          marking: { tlp: 'RED' },
          confidence: 'High',
        },
        feed: { name: ['botnet-c2', 'phishing'] },
      },
      related: { ip: ['198.51.100.7'] },
    });
  });

  it('unions tags and threat names, sorted', () => {
    const state = fold([
      report({ tags: ['c2', 'botnet'] }),
      report({ provider: 'cert', tags: ['apt'], threatNames: ['TrickBot'] }),
    ])!;
    const document = stateToDocument(state, {
      now: T0,
      scoring: { score: 1, baseScore: 1, expired: false, expiresAt: null },
    });
    expect(document.tags).toEqual(['apt', 'botnet', 'c2']);
    expect(document.dragnet.threat_names).toEqual(['Emotet', 'TrickBot']);
  });

  it('is idempotent: the same report twice changes nothing the second time', () => {
    const first = mergeReport(null, report(), options);
    const second = mergeReport(first.state, report(), options);
    expect(second.changed).toBe(false);
    expect(second.state).toBe(first.state);
  });

  it('ignores a re-publish whose last seen did not advance past the granularity', () => {
    const first = mergeReport(null, report({ lastSeen: T0 + 10 * 60_000 }), options);
    const again = mergeReport(first.state, report({ lastSeen: T0 + 50 * 60_000 }), options);
    expect(again.changed).toBe(false);
    const later = mergeReport(first.state, report({ lastSeen: T0 + 2 * HOUR }), options);
    expect(later.changed).toBe(true);
    expect(later.state.revision).toBe(2);
  });

  it('uses the default TLP for reports without one', () => {
    expect(fold([report({ tlp: null })])!.sources[0]!.tlp).toBe('amber');
  });

  it('lets the later statement of a partner win for confidence, ties going to the larger value', () => {
    const older = report({ lastSeen: T0, confidence: 90 });
    const newer = report({ lastSeen: T0 + 3 * HOUR, confidence: 40 });
    expect(fold([older, newer])!.sources[0]!.confidence).toBe(40);
    expect(fold([newer, older])!.sources[0]!.confidence).toBe(40);
    expect(fold([report({ confidence: 10 }), report({ confidence: 30 })])!.sources[0]!.confidence).toBe(30);
  });

  it('is order-independent (property): any permutation of any reports gives the same document', () => {
    const arbitraryReport = fc.record({
      provider: fc.constantFrom('kaspersky', 'group-ib', 'cert-sg'),
      feedName: fc.constantFrom('a', 'b'),
      firstSeen: fc.integer({ min: 0, max: 100 }),
      span: fc.integer({ min: 0, max: 100 }),
      confidence: fc.option(fc.integer({ min: 0, max: 100 })),
      tlp: fc.option(
        fc.constantFrom('clear', 'green', 'amber', 'amber+strict', 'red') as fc.Arbitrary<
          IndicatorReport['tlp'] & string
        >,
      ),
      tags: fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 2 }),
      reference: fc.option(fc.constantFrom('https://a.example/', 'https://b.example/')),
      recordId: fc.option(fc.constantFrom('r1', 'r2', 'r3')),
    });
    fc.assert(
      fc.property(fc.array(arbitraryReport, { minLength: 1, maxLength: 8 }), fc.nat(), (raw, seed) => {
        const reports = raw.map((item) =>
          report({
            provider: item.provider,
            feedName: item.feedName,
            firstSeen: T0 + item.firstSeen * HOUR,
            lastSeen: T0 + (item.firstSeen + item.span) * HOUR,
            confidence: item.confidence,
            tlp: item.tlp,
            tags: item.tags,
            reference: item.reference,
            provenance: { topic: 't', partition: 0, offset: '0', recordId: item.recordId },
          }),
        );
        const shuffled = [...reports].sort(
          (a, b) => ((a.firstSeen * 31 + seed) % 7) - ((b.firstSeen * 31 + seed) % 7),
        );
        const reversed = [...reports].reverse();
        expect(comparable(fold(shuffled))).toEqual(comparable(fold(reports)));
        expect(comparable(fold(reversed))).toEqual(comparable(fold(reports)));
        const twice = fold([...reports, ...reports]);
        expect(comparable(twice)).toEqual(comparable(fold(reports)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('document round trip', () => {
  it('rebuilds the exact merge state from the indexed document', () => {
    let state = fold([
      report({
        description: 'C2 of a botnet',
        reference: 'https://intel.example/1',
        validUntil: T0 + 48 * HOUR,
      }),
      report({
        provider: 'group-ib',
        tlp: 'amber+strict',
        provenance: { topic: 'x', partition: 1, offset: '9', recordId: 'ab' },
      }),
    ])!;
    state = mergeEnrichment(state, {
      id: state.id,
      versions: { ip: 2 },
      result: { as: { number: 64500 }, dragnet: { ip_class: 'documentation' } },
    }).state;
    const document = JSON.parse(
      JSON.stringify(
        stateToDocument(state, {
          now: T0,
          scoring: { score: 1, baseScore: 1, expired: false, expiresAt: null },
        }),
      ),
    );
    expect(documentToState(document)).toEqual({ ...state, enrichmentRequested: null });
  });
});

describe('mergeEnrichment', () => {
  it('applies a result once and ignores an identical re-run or an older provider version', () => {
    const base = fold([report()])!;
    const applied = mergeEnrichment(base, {
      id: base.id,
      versions: { ip: 2 },
      result: { as: { number: 1 } },
    });
    expect(applied.changed).toBe(true);
    expect(
      mergeEnrichment(applied.state, { id: base.id, versions: { ip: 2 }, result: { as: { number: 1 } } })
        .changed,
    ).toBe(false);
    expect(
      mergeEnrichment(applied.state, { id: base.id, versions: { ip: 1 }, result: { as: { number: 9 } } })
        .changed,
    ).toBe(false);
    expect(needsEnrichment(applied.state, { ip: 2 })).toBe(false);
    expect(needsEnrichment(applied.state, { ip: 3 })).toBe(true);
  });
});
