import type { IndicatorReport } from '@dragnet/indicators';
import { describe, expect, it } from 'vitest';
import { mergeEnrichment } from '../merge-enrichment.js';
import { mergeReport } from '../merge-report.js';
import type { MergeState } from '../state.js';
import { scoreState } from './score-state.js';

const DAY = 86_400_000;
const JAN_1 = Date.UTC(2024, 0, 1);
const JAN_6 = Date.UTC(2024, 0, 6);
const JAN_13 = Date.UTC(2024, 0, 13);

function report(
  provider: string,
  lastSeen: number,
  confidence: number | null,
  tlp: 'green' | 'amber',
): IndicatorReport {
  return {
    id: 'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4',
    kind: 'ipv4',
    value: '198.51.100.3',
    provider,
    feedName: 'f',
    firstSeen: lastSeen,
    lastSeen,
    confidence,
    tlp,
    tags: [],
    threatNames: [],
    description: null,
    reference: null,
    validUntil: null,
    provenance: { topic: 't', partition: 0, offset: '0', recordId: null },
  };
}

function fold(reports: IndicatorReport[]): MergeState {
  let state: MergeState | null = null;
  for (const item of reports)
    state = mergeReport(state, item, { granularityMs: 1, defaultTlp: 'amber' }).state;
  return state!;
}

const trust: Record<string, number> = { a: 0.9, b: 0.6 };
const trustOf = (provider: string) => trust[provider] ?? 0.5;

describe('scoreState', () => {
  // README "Score and decay", worked example: base 80.40, 41.56 after 7 days.
  const state = fold([report('a', JAN_1, 80, 'green'), report('b', JAN_6, null, 'green')]);

  it('scores the worked example from partner trust, confidence and the latest sighting', () => {
    expect(scoreState(state, JAN_13, trustOf)).toEqual({
      score: 41.56,
      baseScore: 80.4,
      expired: false,
      expiresAt: JAN_6 + 1_462_839_830,
    });
  });

  it("weighs each partner's view over all its markings: a later AMBER sighting restarts the clock", () => {
    const withAmber = mergeReport(state, report('a', JAN_13, 80, 'amber'), {
      granularityMs: 1,
      defaultTlp: 'amber',
    });
    expect(scoreState(withAmber.state, JAN_13, trustOf).score).toBe(80.4);
  });

  it('lowers the score per warninglist hit and ignores hits that are not a list', () => {
    const enrich = (result: Record<string, unknown>) =>
      mergeEnrichment(state, { id: state.id, versions: { warninglists: 1 }, result }).state;
    const warned = enrich({ dragnet: { warninglists: [{ name: 'l', action: 'warn' }] } });
    expect(scoreState(warned, JAN_6, trustOf).baseScore).toBe(24.12);
    const garbled = enrich({ dragnet: { warninglists: 'suppress' } });
    expect(scoreState(garbled, JAN_6, trustOf).baseScore).toBe(80.4);
  });

  it('trusts an unknown partner as the caller says', () => {
    expect(scoreState(fold([report('z', JAN_1, 100, 'green')]), JAN_1, () => 0.25).baseScore).toBe(25);
    expect(scoreState(fold([report('z', JAN_1, 100, 'green')]), JAN_1 + 400 * DAY, () => 1).expired).toBe(
      true,
    );
  });
});
