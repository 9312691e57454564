import type { IndicatorKind, IndicatorReport } from '@dragnet/indicators';
import { describe, expect, it } from 'vitest';
import { documentToState, stateToDocument } from './document.js';
import { mergeEnrichment } from './merge-enrichment.js';
import { mergeReport } from './merge-report.js';
import type { MergeState } from './state.js';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);

function stateOf(kind: IndicatorKind, value: string): MergeState {
  const report: IndicatorReport = {
    id: `x--${kind}`,
    kind,
    value,
    provider: 'p',
    feedName: 'f',
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
  };
  return mergeReport(null, report, { granularityMs: 1, defaultTlp: 'amber' }).state;
}

interface Projected {
  threat: { indicator: Record<string, unknown> };
  related: Record<string, unknown>;
  dragnet: Record<string, unknown>;
}

const documentOf = (state: MergeState) =>
  stateToDocument(state, { now: T0, scoring: null }) as unknown as Projected;

describe('stateToDocument places the observable', () => {
  it('at its registry field, under threat.indicator or dragnet', () => {
    const sha384 = 'a'.repeat(96);
    expect(documentOf(stateOf('sha384', sha384)).threat.indicator.file).toEqual({ hash: { sha384 } });
    expect(documentOf(stateOf('sha384', sha384)).related).toEqual({ hash: [sha384] });
    expect(documentOf(stateOf('mutex', 'Global\\m')).dragnet.mutex).toBe('Global\\m');
    expect(documentOf(stateOf('cidr', '10.0.0.0/8')).dragnet.network).toBe('10.0.0.0/8');
  });

  it('keeps the fields the state is rebuilt from beside a dragnet.* registry field', () => {
    const document = documentOf(stateOf('email-subject', 'Invoice'));
    expect(document.dragnet.email).toEqual({ subject: 'Invoice' });
    expect(documentToState(JSON.parse(JSON.stringify(document))).value).toBe('Invoice');
  });

  it("joins an ASN's own number with what enrichment says about it", () => {
    const state = mergeEnrichment(stateOf('asn', '64500'), {
      id: 'x--asn',
      versions: { ip: 1 },
      result: { as: { number: 1, organization: { name: 'Example' } }, dragnet: {} },
    }).state;
    expect(documentOf(state).threat.indicator.as).toEqual({
      number: '64500',
      organization: { name: 'Example' },
    });
    expect(documentOf(stateOf('asn', '64500')).threat.indicator.as).toEqual({ number: '64500' });
  });

  it('writes no empty url, as or geo objects', () => {
    const indicator = documentOf(stateOf('md5', 'd41d8cd98f00b204e9800998ecf8427e')).threat.indicator;
    expect(
      Object.hasOwn(indicator, 'url') || Object.hasOwn(indicator, 'as') || Object.hasOwn(indicator, 'geo'),
    ).toBe(false);
  });
});
