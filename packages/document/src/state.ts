import type { IndicatorKind, Tlp } from '@dragnet/indicators';

/**
 * What one partner has said about one indicator under one TLP marking, merged
 * over all its reports at that marking. Content never leaves the marking it
 * was stated under: a later GREEN report does not make earlier AMBER context
 * GREEN, and an AMBER report does not make earlier GREEN content AMBER.
 */
export interface TlpBucket {
  tlp: Tlp;
  /** Feed names this partner reported it in at this marking, sorted. */
  feeds: string[];
  firstSeen: number;
  /** Quantised down to the merge granularity (see `MergeOptions`), so re-publishing within it changes nothing. */
  lastSeen: number;
  confidence: number | null;
  reference: string | null;
  description: string | null;
  validUntil: number | null;
  tags: string[];
  threatNames: string[];
  /** The partner's own record ids, sorted, at most `MAX_RECORD_IDS` (the smallest, so the set is order-independent). */
  recordIds: string[];
  /**
   * When (quantised last seen) the partner stated each single-valued field.
   * Keeping it makes "the latest statement wins" a join: the result depends on
   * the set of reports, never on their order.
   */
  statedAt: StatedAt;
}

/** What one partner has said about one indicator: one bucket per TLP marking it used. */
export interface SourceState {
  provider: string;
  /** At least one; sorted by `TLP_ORDER`, at most one per marking. The partner stated the indicator at each. */
  buckets: TlpBucket[];
}

export interface StatedAt {
  confidence: number;
  reference: number;
  description: number;
}

export interface EnrichmentState {
  /** Provider name → version that produced `result`. */
  versions: Record<string, number>;
  /** ECS-shaped enrichment (as / geo / url) plus `dragnet` extras, as the enricher produced it. */
  result: Record<string, unknown>;
}

/** The merge state of one indicator: the Redis cache entry, and recoverable from its indexed document. */
export interface MergeState {
  id: string;
  kind: IndicatorKind;
  value: string;
  /** Bumped on every emitted change; the Elasticsearch external version. */
  revision: number;
  /** Sorted by provider id. */
  sources: SourceState[];
  enrichment: EnrichmentState | null;
  /** Provider versions for which enrichment was already scheduled (cache only; not indexed). */
  enrichmentRequested: string | null;
}

export const MAX_RECORD_IDS = 20;

export const TLP_ORDER: Record<Tlp, number> = { clear: 0, green: 1, amber: 2, 'amber+strict': 3, red: 4 };

export function mostRestrictiveTlp(levels: Iterable<Tlp>): Tlp {
  let result: Tlp = 'clear';
  for (const level of levels) if (TLP_ORDER[level] > TLP_ORDER[result]) result = level;
  return result;
}

export function leastRestrictiveTlp(levels: Iterable<Tlp>): Tlp {
  let result: Tlp = 'red';
  for (const level of levels) if (TLP_ORDER[level] < TLP_ORDER[result]) result = level;
  return result;
}

/** Whether content marked `tlp` may be shown to a reader cleared up to `ceiling`. */
export const tlpAtOrBelow = (tlp: Tlp, ceiling: Tlp): boolean => TLP_ORDER[tlp] <= TLP_ORDER[ceiling];
