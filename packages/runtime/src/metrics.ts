import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The metrics every pipeline stage exposes. Labels are stage/topic/outcome
 * codes only: never partner payloads or indicator values.
 */
export function createStageMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  // Registered in this order, which is the order of the exposition.
  return {
    registry,
    ...recordFlowMetrics(registry),
    ...timingMetrics(registry),
    ...healthMetrics(registry),
    ...mergeMetrics(registry),
  };
}

/** Records in, out, rejected and dropped. */
function recordFlowMetrics(registry: Registry) {
  return {
    recordsIn: new Counter({
      name: 'dragnet_records_in_total',
      help: 'Records consumed',
      labelNames: ['topic'],
      registers: [registry],
    }),
    recordsOut: new Counter({
      name: 'dragnet_records_out_total',
      help: 'Records produced or written',
      labelNames: ['target'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'dragnet_records_rejected_total',
      help: 'Records dead-lettered, by reason code',
      labelNames: ['reason'],
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'dragnet_records_unchanged_total',
      help: 'Records that changed nothing and were not written',
      registers: [registry],
    }),
  };
}

/** Lag and durations. */
function timingMetrics(registry: Registry) {
  return {
    consumerLag: new Gauge({
      name: 'dragnet_consumer_lag',
      help: 'Offset lag after the last batch',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'dragnet_batch_duration_seconds',
      help: 'Time to process one consumed batch end to end',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    bulkSeconds: new Histogram({
      name: 'dragnet_es_bulk_duration_seconds',
      help: 'Time of one bulk write including retries',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

/** Failing handler calls and queue backlog: what readiness and alerts watch. */
function healthMetrics(registry: Registry) {
  return {
    stageFailures: new Counter({
      name: 'dragnet_stage_failures_total',
      help: 'Failed batch handler calls, by kind: infrastructure (retried) or stage_error (isolated, dead-lettered)',
      labelNames: ['stage', 'kind'],
      registers: [registry],
    }),
    stageFailing: new Gauge({
      name: 'dragnet_stage_failing',
      help: '1 while the stage has failed its last STAGE_FAILING_AFTER handler calls in a row (then /readyz is 503)',
      labelNames: ['stage'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'dragnet_queue_depth',
      help: 'Jobs waiting or delayed',
      labelNames: ['queue'],
      registers: [registry],
    }),
  };
}

/** The deduplicator's merge: conflicts, orphans, cache recovery. */
function mergeMetrics(registry: Registry) {
  return {
    reconciled: new Counter({
      name: 'dragnet_reconciled_total',
      help: 'Version conflicts whose refused document carried content the index lacked (sent back to be joined)',
      registers: [registry],
    }),
    stateConflicts: new Counter({
      name: 'dragnet_state_conflicts_total',
      help: 'Merge-state writes refused by the compare-and-set (another writer moved the state on)',
      registers: [registry],
    }),
    orphaned: new Counter({
      name: 'dragnet_records_orphaned_total',
      help: 'Enrichment or refresh records for indicators that have no merge state (ignored)',
      registers: [registry],
    }),
    recovering: new Gauge({
      name: 'dragnet_cache_recovering',
      help: '1 while this process waits for or runs a merge-cache recovery',
      registers: [registry],
    }),
  };
}

export type StageMetrics = ReturnType<typeof createStageMetrics>;

/** The consumer's `onBatchDone` hook: batch duration and lag per partition. */
export function recordBatch(metrics: StageMetrics) {
  return ({
    topic,
    partition,
    durationMs,
    lag,
  }: {
    topic: string;
    partition: number;
    durationMs: number;
    lag: number;
  }) => {
    metrics.batchSeconds.observe(durationMs / 1_000);
    metrics.consumerLag.set({ topic, partition: String(partition) }, lag);
  };
}
