import { type EnrichmentRecord, type EnrichmentTarget, HEADERS, TOPICS } from '@dragnet/contracts';
import type { IndicatorReport, Tlp } from '@dragnet/indicators';
import type { OutgoingRecord } from '@dragnet/kafka';
import {
  type MergeState,
  mergeEnrichment,
  mergeReport,
  needsEnrichment,
  type Scoring,
  scoreBelowMarking,
  stateToDocument,
  versionsKey,
} from '@dragnet/merge';

export type DedupeInput =
  | { type: 'report'; report: IndicatorReport; correlationId: string | null }
  | { type: 'enrichment'; enrichment: EnrichmentRecord; correlationId: string | null }
  | { type: 'refresh'; id: string; correlationId: string | null };

export interface DedupeOptions {
  granularityMs: number;
  defaultTlpOf(provider: string): Tlp;
  score(state: MergeState, now: number): Scoring;
  /** Current provider versions; empty disables enrichment scheduling. */
  providerVersions: Record<string, number>;
  now: number;
}

export interface DedupeOutcome {
  /** States to write back to the cache (changed, or newly marked as scheduled for enrichment). */
  statesToSave: MergeState[];
  /** One change record per changed indicator (its latest document), keyed by id. */
  changes: OutgoingRecord[];
  toEnrich: EnrichmentTarget[];
  unchanged: number;
}

export const inputId = (input: DedupeInput): string =>
  input.type === 'report' ? input.report.id : input.type === 'enrichment' ? input.enrichment.id : input.id;

/**
 * The deduplicator's pure core. Folds a batch of reports and enrichment
 * results into the current states; emits one change per indicator that
 * changed (not one per input), and the indicators still to be enriched.
 */
export function dedupeBatch(
  inputs: DedupeInput[],
  current: Map<string, MergeState | null>,
  options: DedupeOptions,
): DedupeOutcome {
  const states = new Map(current);
  const changed = new Set<string>();
  const correlation = new Map<string, string>();
  let unchanged = 0;
  for (const input of inputs) {
    const id = inputId(input);
    const before = states.get(id) ?? null;
    let result: { state: MergeState; changed: boolean } | null = null;
    if (input.type === 'report') {
      result = mergeReport(before, input.report, {
        granularityMs: options.granularityMs,
        defaultTlp: options.defaultTlpOf(input.report.provider),
      });
    } else if (input.type === 'enrichment' && before !== null) {
      result = mergeEnrichment(before, input.enrichment);
    } else if (input.type === 'refresh' && before !== null && !changed.has(id)) {
      // The document is rebuilt (score, expiry at `now`) under a new revision; the state itself is unchanged.
      result = { state: { ...before, revision: before.revision + 1 }, changed: true };
    }
    if (result?.changed) {
      states.set(id, result.state);
      changed.add(id);
      if (input.correlationId) correlation.set(id, input.correlationId);
    } else {
      unchanged++;
    }
  }
  const toEnrich: EnrichmentTarget[] = [];
  const scheduled = new Set<string>();
  const wanted = options.providerVersions;
  if (Object.keys(wanted).length > 0) {
    const key = versionsKey(wanted);
    for (const [id, state] of states) {
      if (state === null || !needsEnrichment(state, wanted)) continue;
      states.set(id, { ...state, enrichmentRequested: key });
      toEnrich.push({ id, kind: state.kind, value: state.value });
      scheduled.add(id);
    }
  }
  const changes: OutgoingRecord[] = [];
  const statesToSave: MergeState[] = [];
  for (const [id, merged] of states) {
    if (merged === null || (!changed.has(id) && !scheduled.has(id))) continue;
    // One revision per emitted change, however many inputs changed it: a state
    // read from a cache that lost writes then always yields a revision the
    // index already has, so its change is refused and checked (reconciled),
    // never silently accepted over content it lacks (ADR 0001).
    const state = changed.has(id) ? { ...merged, revision: (current.get(id)?.revision ?? 0) + 1 } : merged;
    statesToSave.push(state);
    if (!changed.has(id)) continue;
    const score = (visible: MergeState) => options.score(visible, options.now);
    // Readers cleared below the document's marking get the score of what they see, not of the whole.
    const document = stateToDocument(state, {
      now: options.now,
      scoring: score(state),
      scoringBelow: scoreBelowMarking(state, score),
    });
    const correlationId = correlation.get(id);
    changes.push({
      topic: TOPICS.changes,
      key: id,
      value: Buffer.from(JSON.stringify(document)),
      ...(correlationId ? { headers: { [HEADERS.correlationId]: correlationId } } : {}),
    });
  }
  return { statesToSave, changes, toEnrich, unchanged };
}
