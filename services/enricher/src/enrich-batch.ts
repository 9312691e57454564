import type { EnrichmentTarget } from '@dragnet/contracts';
import { encodeMergeInput, isCorrelationId, type MergeInputMessage } from '@dragnet/contracts/merge-input';
import type { IndicatorKind } from '@dragnet/indicators';

/** Offline providers answer at once; network ones (DNS) return a promise and are rate-limited inside. */
export type Enrich = (
  kind: IndicatorKind,
  value: string,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * The enricher's pure core: one result record per target, keyed by indicator
 * id, for the deduplicator's input topic, where it is merged (so the
 * deduplicator stays the single writer of each indicator). Each result
 * carries the correlation id of the report that scheduled its target.
 */
export async function enrichTargets(
  targets: EnrichmentTarget[],
  versions: Record<string, number>,
  enrich: Enrich,
): Promise<MergeInputMessage[]> {
  const results = await Promise.all(
    targets.map((target) => enrich(target.kind as IndicatorKind, target.value)),
  );
  return targets.map((target, index) =>
    encodeMergeInput(
      { kind: 'enrichment', record: { id: target.id, versions, result: results[index]! } },
      // Job data is Redis content: a malformed id is dropped, not passed on.
      isCorrelationId(target.correlationId) ? target.correlationId : null,
    ),
  );
}
