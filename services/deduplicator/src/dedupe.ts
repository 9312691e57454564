import { type EnrichmentRecord, type EnrichmentTarget, HEADERS } from '@dragnet/contracts';
import {
  type MergeState,
  mergeEnrichment,
  mergeReport,
  needsEnrichment,
  type Scoring,
  scoreBelowMarking,
  stateToDocument,
  versionsKey,
} from '@dragnet/document';
import type { IndicatorReport, Tlp } from '@dragnet/indicators';
import type { OutgoingRecord } from '@dragnet/kafka';

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
  /** Where changes go (`names().topics.changes`). */
  changesTopic: string;
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
  const folded = foldInputs(inputs, current, options);
  const toEnrich = markForEnrichment(folded, options.providerVersions);
  const scheduled = new Set(toEnrich.map((target) => target.id));
  const changes: OutgoingRecord[] = [];
  const statesToSave: MergeState[] = [];
  for (const [id, merged] of folded.states) {
    if (merged === null || (!folded.changed.has(id) && !scheduled.has(id))) continue;
    // One revision per emitted change, however many inputs changed it: a state
    // read from a cache that lost writes then always yields a revision the
    // index already has, so its change is refused and checked (reconciled),
    // never silently accepted over content it lacks (ADR 0001).
    const state = folded.changed.has(id)
      ? { ...merged, revision: (current.get(id)?.revision ?? 0) + 1 }
      : merged;
    statesToSave.push(state);
    if (folded.changed.has(id)) changes.push(changeRecord(state, folded.correlation.get(id), options));
  }
  return { statesToSave, changes, toEnrich, unchanged: folded.unchanged };
}

interface Folded {
  states: Map<string, MergeState | null>;
  changed: Set<string>;
  /** The correlation id each indicator's change (or enrichment) carries. */
  correlation: Map<string, string>;
  unchanged: number;
}

function foldInputs(
  inputs: DedupeInput[],
  current: Map<string, MergeState | null>,
  options: DedupeOptions,
): Folded {
  const folded: Folded = {
    states: new Map(current),
    changed: new Set(),
    correlation: new Map(),
    unchanged: 0,
  };
  const { states, changed, correlation } = folded;
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
      folded.unchanged++;
      // Still names the enrichment this input may schedule; an input that changed the state wins.
      if (input.correlationId && !correlation.has(id)) correlation.set(id, input.correlationId);
    }
  }
  return folded;
}

/** Marks the states that need enrichment at `wanted` versions as requested; returns their targets. */
function markForEnrichment(folded: Folded, wanted: Record<string, number>): EnrichmentTarget[] {
  const toEnrich: EnrichmentTarget[] = [];
  if (Object.keys(wanted).length === 0) return toEnrich;
  const key = versionsKey(wanted);
  for (const [id, state] of folded.states) {
    if (state === null || !needsEnrichment(state, wanted)) continue;
    folded.states.set(id, { ...state, enrichmentRequested: key });
    const correlationId = folded.correlation.get(id);
    toEnrich.push({ id, kind: state.kind, value: state.value, ...(correlationId ? { correlationId } : {}) });
  }
  return toEnrich;
}

function changeRecord(
  state: MergeState,
  correlationId: string | undefined,
  options: DedupeOptions,
): OutgoingRecord {
  const score = (visible: MergeState) => options.score(visible, options.now);
  // Readers cleared below the document's marking get the score of what they see, not of the whole.
  const document = stateToDocument(state, {
    now: options.now,
    scoring: score(state),
    scoringBelow: scoreBelowMarking(state, score),
  });
  return {
    topic: options.changesTopic,
    key: state.id,
    value: Buffer.from(JSON.stringify(document)),
    ...(correlationId ? { headers: { [HEADERS.correlationId]: correlationId } } : {}),
  };
}
