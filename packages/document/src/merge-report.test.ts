import type { IndicatorReport } from '@dragnet/indicators';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentToState, iso, stateToDocument } from './document.js';
import { mergeEnrichment, needsEnrichment } from './merge-enrichment.js';
import {
  DEFAULT_GRANULARITY_MS,
  joinStates,
  type MergeOptions,
  mergeReport,
  sameContent,
  union,
} from './merge-report.js';
import { fullSourceView, projectState, stateFloor, stateMarking } from './projection.js';
import { MAX_RECORD_IDS, type MergeState } from './state.js';

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
    expect(state.sources[0]!.buckets).toEqual([
      expect.objectContaining({ firstSeen: T0 - 5 * HOUR, lastSeen: T0 - HOUR, confidence: 60, tlp: 'red' }),
    ]);
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
    expect(fold([report({ tlp: null })])!.sources[0]!.buckets.map((bucket) => bucket.tlp)).toEqual(['amber']);
  });

  it('lets the later statement of a partner win for confidence, ties going to the larger value', () => {
    const older = report({ lastSeen: T0, confidence: 90 });
    const newer = report({ lastSeen: T0 + 3 * HOUR, confidence: 40 });
    const confidence = (reports: IndicatorReport[]) => fullSourceView(fold(reports)!.sources[0]!).confidence;
    expect(confidence([older, newer])).toBe(40);
    expect(confidence([newer, older])).toBe(40);
    expect(confidence([report({ confidence: 10 }), report({ confidence: 30 })])).toBe(30);
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

describe('TLP travels with the content', () => {
  const amberContext = report({
    tlp: 'amber',
    lastSeen: T0,
    tags: ['c2', 'victim:bank'],
    description: 'C2 seen during the bank intrusion',
    reference: 'https://cases.internal/4711',
  });
  const greenRepeat = report({ tlp: 'green', lastSeen: T0 + 5 * HOUR, tags: ['c2'] });

  it('keeps what was stated under AMBER in the AMBER bucket when the partner re-reports it as GREEN', () => {
    for (const reports of [
      [amberContext, greenRepeat],
      [greenRepeat, amberContext],
    ]) {
      const state = fold(reports)!;
      expect(state.sources).toHaveLength(1);
      const [green, amber] = state.sources[0]!.buckets;
      expect(green).toMatchObject({ tlp: 'green', tags: ['c2'], description: null, reference: null });
      expect(amber).toMatchObject({
        tlp: 'amber',
        tags: ['c2', 'victim:bank'],
        description: 'C2 seen during the bank intrusion',
      });
      const visible = projectState(state, 'green')!;
      expect(JSON.stringify(visible)).not.toMatch(/victim|intrusion|cases\.internal/);
      expect(stateMarking(state)).toBe('amber');
      expect(stateFloor(state)).toBe('green');
    }
  });

  it('marks the document with the most restrictive content it carries, and its floor with the least', () => {
    const document = stateToDocument(fold([amberContext, greenRepeat])!, {
      now: T0,
      scoring: { score: 50, baseScore: 50, expired: false, expiresAt: null },
    });
    expect(document.dragnet.tlp).toBe('amber');
    expect(document.dragnet.tlp_floor).toBe('green');
    expect((document.threat as { indicator: { marking: unknown } }).indicator.marking).toEqual({
      tlp: 'AMBER',
    });
    expect(document.dragnet.last_seen_at).toEqual({
      green: new Date(T0 + 5 * HOUR).toISOString(),
      amber: new Date(T0 + 5 * HOUR).toISOString(),
      amber_strict: new Date(T0 + 5 * HOUR).toISOString(),
      red: new Date(T0 + 5 * HOUR).toISOString(),
    });
  });

  it('lets a far-future GREEN statement pin nothing: a later AMBER report still marks the document AMBER', () => {
    const future = report({ tlp: 'green', lastSeen: Date.UTC(9000, 0, 1) });
    const state = fold([future, report({ tlp: 'amber', tags: ['victim:bank'] })])!;
    expect(stateMarking(state)).toBe('amber');
    expect(projectState(state, 'green')!.sources[0]!.buckets.flatMap((bucket) => bucket.tags)).toEqual([
      'c2',
    ]);
  });

  it('drops the indicator from a projection below its floor', () => {
    expect(projectState(fold([amberContext])!, 'green')).toBeNull();
    expect(projectState(fold([amberContext])!, 'amber')).not.toBeNull();
  });
});

describe('record ids beyond the cap', () => {
  it('changes nothing when every new id sorts after the 20 kept ones', () => {
    const ids = Array.from(
      { length: MAX_RECORD_IDS + 1 },
      (_, index) => `r${String(index).padStart(3, '0')}`,
    );
    const reports = ids.map((recordId) =>
      report({ provenance: { topic: 't', partition: 0, offset: '0', recordId } }),
    );
    const state = fold(reports)!;
    expect(state.sources[0]!.buckets[0]!.recordIds).toEqual(ids.slice(0, MAX_RECORD_IDS));
    const again = mergeReport(state, reports.at(-1)!, options);
    expect(again.changed).toBe(false);
    expect(again.state).toBe(state);
    expect(union(['a', 'b'], ['c'], 2)).toEqual(['a', 'b']);
    const current = ['a', 'b'];
    expect(union(current, ['c'], 2)).toBe(current);
    expect(union(current, ['0'], 2)).toEqual(['0', 'a']);
  });
});

describe('joinStates', () => {
  const arbitraryState = fc
    .array(
      fc.record({
        provider: fc.constantFrom('a', 'b'),
        tlp: fc.constantFrom('clear', 'green', 'amber', 'red') as fc.Arbitrary<
          'clear' | 'green' | 'amber' | 'red'
        >,
        hours: fc.integer({ min: 0, max: 50 }),
        tag: fc.constantFrom('x', 'y', 'z'),
        description: fc.option(fc.constantFrom('d1', 'd2')),
        recordId: fc.option(fc.constantFrom('r1', 'r2')),
      }),
      { minLength: 1, maxLength: 5 },
    )
    .map(
      (items) =>
        fold(
          items.map((item) =>
            report({
              provider: item.provider,
              tlp: item.tlp,
              lastSeen: T0 + item.hours * HOUR,
              tags: [item.tag],
              description: item.description,
              provenance: { topic: 't', partition: 0, offset: '0', recordId: item.recordId },
            }),
          ),
        )!,
    );

  it('is idempotent, commutative and associative (property)', () => {
    fc.assert(
      fc.property(arbitraryState, arbitraryState, arbitraryState, (a, b, c) => {
        expect(joinStates(a, a)).toBe(a);
        expect(sameContent(joinStates(a, b), joinStates(b, a))).toBe(true);
        expect(sameContent(joinStates(joinStates(a, b), c), joinStates(a, joinStates(b, c)))).toBe(true);
        // Joining what it already holds changes nothing.
        expect(joinStates(joinStates(a, b), b)).toEqual(joinStates(a, b));
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('document round trip (property)', () => {
  it('documentToState(stateToDocument(s)) == s for any folded reports', () => {
    const arbitraryReport = fc.record({
      provider: fc.constantFrom('a', 'b', 'c'),
      tlp: fc.option(
        fc.constantFrom('clear', 'green', 'amber', 'amber+strict', 'red') as fc.Arbitrary<
          'clear' | 'green' | 'amber' | 'amber+strict' | 'red'
        >,
      ),
      firstSeen: fc.integer({ min: -1_000_000, max: 1_000_000 }),
      span: fc.integer({ min: 0, max: 1_000_000 }),
      confidence: fc.option(fc.integer({ min: 0, max: 100 })),
      tags: fc.array(fc.constantFrom('x', 'y', 'victim:bank'), { maxLength: 3 }),
      description: fc.option(fc.string({ maxLength: 8 })),
      reference: fc.option(fc.constantFrom('https://a.example/', 'https://b.example/')),
      validUntil: fc.option(fc.integer({ min: 0, max: 1_000_000 })),
      recordId: fc.option(fc.string({ minLength: 1, maxLength: 3 })),
    });
    fc.assert(
      fc.property(fc.array(arbitraryReport, { minLength: 1, maxLength: 10 }), (raw) => {
        const state = fold(
          raw.map((item) =>
            report({
              provider: item.provider,
              tlp: item.tlp,
              firstSeen: T0 + item.firstSeen * HOUR,
              lastSeen: T0 + (item.firstSeen + item.span) * HOUR,
              confidence: item.confidence,
              tags: item.tags,
              description: item.description,
              reference: item.reference,
              validUntil: item.validUntil === null ? null : T0 + item.validUntil * HOUR,
              provenance: { topic: 't', partition: 0, offset: '0', recordId: item.recordId },
            }),
          ),
        )!;
        const document = JSON.parse(
          JSON.stringify(
            stateToDocument(state, {
              now: T0,
              scoring: { score: 1, baseScore: 1, expired: false, expiresAt: null },
            }),
          ),
        );
        expect(documentToState(document)).toEqual(state);
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('rebuilds a document written before buckets existed as one bucket per partner', () => {
    const legacy = {
      dragnet: {
        id: 'ipv4-addr--1',
        kind: 'ipv4',
        value: '198.51.100.7',
        revision: 3,
        sources: [
          {
            provider: 'p',
            feed: ['f'],
            first_seen: new Date(T0).toISOString(),
            last_seen: new Date(T0).toISOString(),
            confidence: 70,
            tlp: 'amber',
            reference: null,
            description: 'd',
            valid_until: null,
            tags: ['t'],
            threat_names: [],
            record_ids: [],
            stated_at: { confidence: T0, tlp: T0, reference: 0, description: T0 },
          },
        ],
      },
    };
    expect(documentToState(legacy).sources).toEqual([
      {
        provider: 'p',
        buckets: [
          {
            tlp: 'amber',
            feeds: ['f'],
            firstSeen: T0,
            lastSeen: T0,
            confidence: 70,
            reference: null,
            description: 'd',
            validUntil: null,
            tags: ['t'],
            threatNames: [],
            recordIds: [],
            statedAt: { confidence: T0, reference: 0, description: T0 },
          },
        ],
      },
    ]);
  });
});

describe('stateToDocument on hostile stored state', () => {
  it('never throws on out-of-range or non-finite times read back from a cache', () => {
    const state = fold([report()])!;
    const bucket = state.sources[0]!.buckets[0]!;
    const broken: MergeState = {
      ...state,
      sources: [
        {
          provider: 'kaspersky',
          buckets: [{ ...bucket, firstSeen: -9e15, lastSeen: 9e15, validUntil: Number.NaN }],
        },
      ],
    };
    const document = stateToDocument(broken, {
      now: Number.POSITIVE_INFINITY,
      scoring: { score: 1, baseScore: 1, expired: false, expiresAt: 1e300 },
    });
    expect(document['@timestamp']).toBe('9999-12-31T23:59:59.999Z');
    expect((document.threat as { indicator: { first_seen: string } }).indicator.first_seen).toBe(
      '0000-01-01T00:00:00.000Z',
    );
    expect(document.dragnet.valid_until).toBeNull();
    expect(iso(8.64e15 + 1)).toBe('9999-12-31T23:59:59.999Z');
    expect(iso(null)).toBeNull();
  });
});
