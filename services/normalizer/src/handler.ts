import type { Names } from '@dragnet/contracts';
import type { BatchHandler, BatchProducer } from '@dragnet/kafka';
import type { PartnerRegistry } from '@dragnet/partners';
import { FAULT_POINTS, faultPoint, type StageMetrics } from '@dragnet/runtime';
import { normalizeBatch } from './normalize.js';

export interface NormalizerDeps {
  registry: PartnerRegistry;
  names: Names;
  producer: BatchProducer;
  metrics: StageMetrics;
}

/**
 * The normalizer's I/O adapter: the pure core (`normalizeBatch`) over a
 * consumed batch, then one acknowledged send of its reports and dead
 * letters; the consumer commits only after it.
 */
export function createNormalizerHandler(deps: NormalizerDeps): BatchHandler {
  return async (records) => {
    const batch = normalizeBatch(records, deps.registry, deps.names);
    faultPoint(FAULT_POINTS.normalizerBeforeProduce);
    await deps.producer.send(batch.outgoing);
    faultPoint(FAULT_POINTS.normalizerAfterProduce);
    deps.metrics.recordsIn.inc({ topic: records[0]!.topic }, records.length);
    deps.metrics.recordsOut.inc({ target: 'canonical' }, batch.indicators);
    for (const [reason, count] of batch.rejectsByReason) deps.metrics.rejected.inc({ reason }, count);
  };
}
