import {
  type EnrichmentRecord,
  type EnrichmentTarget,
  HEADERS,
  RECORD_TYPE_HEADER,
  RECORD_TYPES,
  TOPICS,
} from '@dragnet/contracts';
import type { IndicatorKind } from '@dragnet/indicators';
import type { OutgoingRecord } from '@dragnet/kafka';

/** Offline providers answer at once; network ones (DNS) return a promise and are rate-limited inside. */
export type Enrich = (
  kind: IndicatorKind,
  value: string,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * The enricher's pure core: one result record per target, keyed by indicator
 * id, for the canonical topic, where the deduplicator merges it (so the
 * deduplicator stays the single writer of each indicator).
 */
export async function enrichTargets(
  targets: EnrichmentTarget[],
  versions: Record<string, number>,
  enrich: Enrich,
  correlationId?: string,
): Promise<OutgoingRecord[]> {
  const results = await Promise.all(
    targets.map((target) => enrich(target.kind as IndicatorKind, target.value)),
  );
  return targets.map((target, index) => {
    const record: EnrichmentRecord = { id: target.id, versions, result: results[index]! };
    return {
      topic: TOPICS.canonical,
      key: target.id,
      value: Buffer.from(JSON.stringify(record)),
      headers: {
        [RECORD_TYPE_HEADER]: RECORD_TYPES.enrichment,
        ...(correlationId ? { [HEADERS.correlationId]: correlationId } : {}),
      },
    };
  });
}
