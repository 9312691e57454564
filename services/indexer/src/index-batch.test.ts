import { type MergeState, mergeReport, stateToDocument } from '@dragnet/document';
import type { IndicatorReport } from '@dragnet/indicators';
import type { ConsumedRecord } from '@dragnet/kafka';
import { describe, expect, it } from 'vitest';
import { type ChangeItem, prepareBatch, resolveConflicts } from './index-batch.js';

let offset = 0;
const change = (value: string): ConsumedRecord => ({
  topic: 'dragnet.indicators.changes',
  partition: 0,
  offset: String(offset++),
  key: null,
  value: Buffer.from(value),
  headers: {},
  timestamp: 0,
});
const doc = (id: string, revision: number) => change(JSON.stringify({ dragnet: { id, revision } }));

describe('prepareBatch', () => {
  it('keeps only the highest revision per indicator, whatever the order', () => {
    const batch = prepareBatch([doc('a', 2), doc('b', 1), doc('a', 3), doc('a', 1)]);
    expect(batch.items.map((item) => [item.id, item.version])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect(batch.superseded).toBe(2);
  });

  it('reports records that are not JSON or lack id/revision, naming what is wrong', () => {
    const batch = prepareBatch([change('{oops'), change('{"dragnet":{"id":"x","revision":0}}')]);
    expect(batch.items).toHaveLength(0);
    expect(batch.invalid.map((entry) => entry.message)).toEqual([
      expect.stringMatching(/^change record is not JSON/),
      'change record lacks dragnet.id or a positive integer dragnet.revision',
    ]);
  });
});

const ID = 'ipv4-addr--a8e13db3-6c6b-5a4d-9d58-6b4b0d5bd2cc';
function report(provider: string, tags: string[] = []): IndicatorReport {
  return {
    id: ID,
    kind: 'ipv4',
    value: '198.51.100.7',
    provider,
    feedName: `${provider}-feed`,
    firstSeen: Date.parse('2026-11-01T00:00:00Z'),
    lastSeen: Date.parse('2026-11-02T00:00:00Z'),
    confidence: null,
    tlp: 'green',
    tags,
    threatNames: [],
    description: null,
    reference: null,
    validUntil: null,
    provenance: { topic: 'feeds.x', partition: 0, offset: '0', recordId: null },
  };
}
const fold = (reports: IndicatorReport[], revision: number): MergeState => {
  let state: MergeState | null = null;
  for (const next of reports)
    state = mergeReport(state, next, { granularityMs: 3_600_000, defaultTlp: 'green' }).state;
  return { ...state!, revision };
};
const document = (state: MergeState) =>
  JSON.parse(
    JSON.stringify(
      stateToDocument(state, {
        now: 0,
        scoring: { score: 1, baseScore: 1, expired: false, expiresAt: null },
      }),
    ),
  ) as Record<string, unknown>;
const refused = (state: MergeState): ChangeItem => ({
  id: ID,
  version: state.revision,
  document: document(state),
  record: change('{}'),
});

describe('resolveConflicts', () => {
  it('drops a refused document whose content the index already holds', () => {
    const indexed = fold([report('a'), report('b')], 5);
    const older = fold([report('a')], 3);
    const outcome = resolveConflicts([refused(older)], new Map([[ID, document(indexed)]]));
    expect(outcome).toEqual({ stale: 1, reconcile: [] });
  });

  it('sends both documents back when the refused one carries what the index lacks', () => {
    // The writer's state was behind (Redis lost a write): same revision, other partner.
    const indexed = fold([report('a'), report('b')], 2);
    const behind = fold([report('a'), report('c', ['seen-by-c'])], 2);
    const outcome = resolveConflicts([refused(behind)], new Map([[ID, document(indexed)]]));
    expect(outcome.stale).toBe(0);
    expect(outcome.reconcile).toHaveLength(1);
    expect(outcome.reconcile[0]!.id).toBe(ID);
    const providers = outcome.reconcile[0]!.documents.map((doc) =>
      (doc.dragnet as { sources: { provider: string }[] }).sources.map((source) => source.provider),
    );
    expect(providers).toEqual([
      ['a', 'b'],
      ['a', 'c'],
    ]);
  });

  it('a tag the index lacks is content too, even from a partner it already has', () => {
    const indexed = fold([report('a')], 4);
    const behind = fold([report('a', ['new-tag'])], 4);
    expect(resolveConflicts([refused(behind)], new Map([[ID, document(indexed)]])).reconcile).toHaveLength(1);
  });

  it('sends the refused document back when the index has none to compare with', () => {
    const behind = fold([report('a')], 1);
    const outcome = resolveConflicts([refused(behind)], new Map());
    expect(outcome.reconcile.map((entry) => entry.documents.length)).toEqual([1]);
  });
});

describe('prepareBatch: superseded documents', () => {
  const asRecord = (state: MergeState) => change(JSON.stringify(document(state)));

  it('lets a monotone chain of revisions collapse silently', () => {
    const batch = prepareBatch([
      asRecord(fold([report('a')], 1)),
      asRecord(fold([report('a'), report('b')], 2)),
    ]);
    expect(batch.items.map((item) => item.version)).toEqual([2]);
    expect(batch.supersededWithNewContent).toEqual([]);
  });

  it('keeps aside a superseded document whose content the highest one lacks (its writer was behind)', () => {
    // Revision 2 says a+b; a writer that lost b to a cache rollback wrote 3 with a+c.
    const rich = asRecord(fold([report('a'), report('b')], 2));
    const behind = asRecord(fold([report('a'), report('c')], 3));
    const batch = prepareBatch([rich, behind]);
    expect(batch.items.map((item) => item.version)).toEqual([3]);
    expect(batch.supersededWithNewContent.map((item) => item.version)).toEqual([2]);
    // Order in the batch does not matter.
    expect(prepareBatch([behind, rich]).supersededWithNewContent.map((item) => item.version)).toEqual([2]);
  });
});
