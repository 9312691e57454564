import type { Names } from '@dragnet/contracts';
import { encodeMergeInput } from '@dragnet/contracts/merge-input';
import {
  type BulkOutcome,
  type ElasticsearchClient,
  getIndicators,
  writeVersioned,
} from '@dragnet/elasticsearch';
import {
  type BatchHandler,
  type BatchProducer,
  deadLetterRecord,
  InfrastructureError,
  type OutgoingRecord,
} from '@dragnet/kafka';
import type { Logger } from '@dragnet/logger';
import { FAULT_POINTS, faultPoint, type StageMetrics } from '@dragnet/runtime';
import { type ChangeItem, type PreparedBatch, prepareBatch, resolveConflicts } from './index-batch.js';

export interface IndexerDeps {
  elasticsearch: ElasticsearchClient;
  producer: BatchProducer;
  logger: Logger;
  metrics: StageMetrics;
  /** Where documents go (`index.alias`), reconcile records (`topics.mergeInput`) and dead letters (`topics.deadLetter`). */
  names: Pick<Names, 'index' | 'topics'>;
  bulkBytes: number;
  bulkConcurrency: number;
  maxAttempts: number;
}

/**
 * The indexer's I/O adapter: writes each batch's latest documents with
 * external versioning. Documents Elasticsearch rejects are dead-lettered with
 * the reason; if some stay unavailable (429/5xx after every retry) the
 * handler throws, so nothing is committed and the batch comes again.
 */
export function createIndexer(deps: IndexerDeps): { handle: BatchHandler } {
  const index = deps.names.index.alias;
  const handle: BatchHandler = async (records, { heartbeat }) => {
    const batch = prepareBatch(records);
    const started = performance.now();
    const outcome = await writeVersioned(deps.elasticsearch, batch.items, {
      index,
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
    const reconcile = await reconcileRecords(deps, batch, outcome);
    const deadLetters = indexerDeadLetters(batch, outcome, deps.names.topics.deadLetter);
    await deps.producer.send([...reconcile.records, ...deadLetters]);
    faultPoint(FAULT_POINTS.indexerAfterBulk);
    deps.metrics.recordsIn.inc({ topic: records[0]!.topic }, records.length);
    deps.metrics.recordsOut.inc({ target: 'elasticsearch' }, outcome.written);
    deps.metrics.dropped.inc(reconcile.stale + batch.superseded);
    deps.metrics.reconciled.inc(reconcile.records.length);
    if (deadLetters.length > 0) deps.metrics.rejected.inc({ reason: 'es_rejected' }, deadLetters.length);
  };
  return { handle };
}

/**
 * Version conflicts: obsolete, or content the index lacks (then joined back by
 * the deduplicator). Superseded documents that carried content the written one
 * lacks are checked the same way, against the indexed document read real-time.
 */
async function reconcileRecords(
  deps: IndexerDeps,
  batch: PreparedBatch,
  outcome: BulkOutcome<ChangeItem>,
): Promise<{ records: OutgoingRecord[]; stale: number }> {
  const suspects = [...outcome.conflicts, ...batch.supersededWithNewContent];
  const ids = [...new Set(suspects.map((item) => item.id))];
  const indexed = new Map(
    (await getIndicators(deps.elasticsearch, deps.names.index.alias, ids)).map((stored) => [
      stored.id,
      stored.document,
    ]),
  );
  const conflicts = resolveConflicts(suspects, indexed);
  if (conflicts.reconcile.length > 0)
    deps.logger.warn(
      { documents: conflicts.reconcile.length },
      'refused changes carried content the index lacks: sent back to the deduplicator to be joined',
    );
  const records = conflicts.reconcile.map((reconcile) => ({
    topic: deps.names.topics.mergeInput,
    ...encodeMergeInput({ kind: 'reconcile', record: reconcile }),
  }));
  return { records, stale: conflicts.stale };
}

/** Dead letters of a batch: change records that are not documents, and documents Elasticsearch refused for good. */
function indexerDeadLetters(
  batch: PreparedBatch,
  outcome: BulkOutcome<ChangeItem>,
  topic: string,
): OutgoingRecord[] {
  return [
    ...batch.invalid.map(({ record, message }) =>
      deadLetterRecord({
        record,
        stage: 'indexer',
        rejects: [{ reason: 'invalid_structure', message, value: null, location: 'message' }],
        topic,
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
        topic,
      }),
    ),
  ];
}
