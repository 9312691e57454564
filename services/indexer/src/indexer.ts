import { RECORD_TYPE_HEADER, RECORD_TYPES, TOPICS } from '@dragnet/contracts';
import { type Client, getIndicators, writeVersioned } from '@dragnet/elasticsearch';
import { type BatchHandler, type BatchProducer, deadLetterRecord, InfrastructureError } from '@dragnet/kafka';
import type { Logger } from '@dragnet/logger';
import { FAULT_POINTS, faultPoint, type StageMetrics } from '@dragnet/runtime';
import { prepareBatch, resolveConflicts } from './index-batch.js';

export interface IndexerDeps {
  elasticsearch: Client;
  producer: BatchProducer;
  logger: Logger;
  metrics: StageMetrics;
  index: string;
  bulkBytes: number;
  bulkConcurrency: number;
  maxAttempts: number;
  deadLetterTopic?: string;
  canonicalTopic?: string;
}

/**
 * Writes each batch's latest documents with external versioning. Documents
 * Elasticsearch rejects are dead-lettered with the reason; if some stay
 * unavailable (429/5xx after every retry) the handler throws, so nothing is
 * committed and the batch comes again.
 */
export function createIndexer(deps: IndexerDeps): { handle: BatchHandler } {
  const handle: BatchHandler = async (records, { heartbeat }) => {
    const batch = prepareBatch(records);
    const started = performance.now();
    const outcome = await writeVersioned(deps.elasticsearch, batch.items, {
      index: deps.index,
      flushBytes: deps.bulkBytes,
      concurrency: deps.bulkConcurrency,
      maxAttempts: deps.maxAttempts,
    });
    deps.metrics.bulkSeconds.observe((performance.now() - started) / 1_000);
    await heartbeat();
    if (outcome.unavailable.length > 0) {
      deps.logger.warn(
        { items: outcome.unavailable.length, status: outcome.unavailable[0]?.status },
        'Elasticsearch unavailable after retries',
      );
      throw new InfrastructureError(
        `Elasticsearch did not accept ${outcome.unavailable.length} documents after retries (status ${outcome.unavailable[0]?.status})`,
      );
    }
    // Version conflicts: obsolete, or content the index lacks (then joined back by the deduplicator).
    // Superseded documents that carried content the written one lacks are checked the same way.
    const suspects = [...outcome.conflicts, ...batch.supersededWithNewContent];
    const indexed = new Map(
      (
        await getIndicators(deps.elasticsearch, deps.index, [...new Set(suspects.map((item) => item.id))])
      ).map((stored) => [stored.id, stored.document]),
    );
    const conflicts = resolveConflicts(suspects, indexed);
    if (conflicts.reconcile.length > 0)
      deps.logger.warn(
        { documents: conflicts.reconcile.length },
        'refused changes carried content the index lacks: sent back to the deduplicator to be joined',
      );
    const reconcileRecords = conflicts.reconcile.map((reconcile) => ({
      topic: deps.canonicalTopic ?? TOPICS.canonical,
      key: reconcile.id,
      value: Buffer.from(JSON.stringify(reconcile)),
      headers: { [RECORD_TYPE_HEADER]: RECORD_TYPES.reconcile },
    }));
    const deadLetters = [
      ...batch.invalid.map(({ record, message }) =>
        deadLetterRecord({
          record,
          stage: 'indexer',
          rejects: [{ reason: 'invalid_structure', message, value: null, location: 'message' }],
          ...(deps.deadLetterTopic ? { topic: deps.deadLetterTopic } : {}),
        }),
      ),
      ...outcome.rejected.map(({ item, status, reason }) =>
        deadLetterRecord({
          record: item.record,
          stage: 'indexer',
          rejects: [
            {
              reason: 'es_rejected',
              message: `Elasticsearch rejected the document (${status}): ${reason}`,
              value: null,
              location: item.id,
            },
          ],
          ...(deps.deadLetterTopic ? { topic: deps.deadLetterTopic } : {}),
        }),
      ),
    ];
    await deps.producer.send([...reconcileRecords, ...deadLetters]);
    faultPoint(FAULT_POINTS.indexerAfterBulk);
    deps.metrics.recordsIn.inc({ topic: records[0]!.topic }, records.length);
    deps.metrics.recordsOut.inc({ target: 'elasticsearch' }, outcome.written);
    deps.metrics.dropped.inc(conflicts.stale + batch.superseded);
    deps.metrics.reconciled.inc(conflicts.reconcile.length);
    if (deadLetters.length > 0) deps.metrics.rejected.inc({ reason: 'es_rejected' }, deadLetters.length);
  };
  return { handle };
}
