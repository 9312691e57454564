import { TLP_LEVELS, type Tlp } from '@dragnet/indicators';
import { joinBuckets } from './merge-report.js';
import {
  leastRestrictiveTlp,
  type MergeState,
  mostRestrictiveTlp,
  type SourceState,
  TLP_ORDER,
  type TlpBucket,
  tlpAtOrBelow,
} from './state.js';

/** A partner's statements joined into one: tags and threat names united, the latest description, … */
export interface SourceView extends TlpBucket {
  provider: string;
}

/**
 * The join of all of a partner's buckets (what analysts, cleared for
 * everything, see; what scoring weighs); its `tlp` is the most restrictive
 * of them. A reader cleared for less gets the view of `projectState`'s result.
 */
export function fullSourceView(source: SourceState): SourceView {
  const [first, ...rest] = source.buckets;
  if (first === undefined) throw new Error(`source ${source.provider} has no statement`);
  return { provider: source.provider, ...rest.reduce(joinBuckets, first) };
}

/**
 * The merge state as a reader cleared up to `ceiling` may know it: buckets
 * above the ceiling are absent (not redacted), partners left without a bucket
 * are absent, and the result is null when nothing is left — the indicator is
 * then unknown to that reader. Enrichment derives from the observable itself,
 * not from any partner statement, and stays.
 */
export function projectState(state: MergeState, ceiling: Tlp): MergeState | null {
  const sources: SourceState[] = [];
  for (const source of state.sources) {
    const buckets = source.buckets.filter((bucket) => tlpAtOrBelow(bucket.tlp, ceiling));
    if (buckets.length > 0) sources.push({ provider: source.provider, buckets });
  }
  return sources.length === 0 ? null : { ...state, sources };
}

const bucketTlps = (state: MergeState) =>
  state.sources.flatMap((source) => source.buckets.map((bucket) => bucket.tlp));

/** The most restrictive marking of anything the state holds: the marking of the whole document. */
export const stateMarking = (state: MergeState): Tlp => mostRestrictiveTlp(bucketTlps(state));

/** The least restrictive marking the indicator was stated under: from it up, a reader may learn it exists. */
export const stateFloor = (state: MergeState): Tlp => leastRestrictiveTlp(bucketTlps(state));

/**
 * Ceilings from which a reader sees only part of the indicator: from the
 * floor up to, not including, the document's marking. Answers for those
 * ceilings are projections; from the marking up, the document is shown whole.
 */
export function partialCeilings(state: MergeState): Tlp[] {
  const floor = TLP_ORDER[stateFloor(state)];
  const marking = TLP_ORDER[stateMarking(state)];
  return TLP_LEVELS.filter((level) => TLP_ORDER[level] >= floor && TLP_ORDER[level] < marking);
}
