import {
  CONSUMER_GROUPS,
  type EnrichmentRecord,
  HEADERS,
  RECORD_TYPE_HEADER,
  RECORD_TYPES,
  type RefreshRecord,
  TOPICS,
} from '@dragnet/contracts';
import type { Client } from '@dragnet/elasticsearch';
import { decodeReport, type Tlp } from '@dragnet/indicators';
import {
  type BatchHandler,
  type BatchProducer,
  type ConsumedRecord,
  deadLetterRecord,
  type Kafka,
  type OutgoingRecord,
} from '@dragnet/kafka';
import type { Logger } from '@dragnet/logger';
import type { MergeState, Scoring } from '@dragnet/merge';
import { enrichmentJobId, type Queue } from '@dragnet/queue';
import type { Redis } from '@dragnet/redis';
import type { StageMetrics } from '@dragnet/runtime';
import type { DeduplicatorConfig } from './config.js';
import { type DedupeInput, dedupeBatch, inputId } from './dedupe.js';
import { statesFromIndex, waitForIndexerToDrain } from './recovery.js';
import { MergeStateStore } from './state-store.js';

export interface DeduplicatorDeps {
  kafka: Kafka;
  redis: Redis;
  elasticsearch: Client;
  producer: BatchProducer;
  queue: Queue | null;
  logger: Logger;
  metrics: StageMetrics;
  index: string;
  config: Pick<
    DeduplicatorConfig,
    'MERGE_GRANULARITY_MS' | 'MERGE_STATE_TTL_SECONDS' | 'ENRICHMENT_BATCH_SIZE'
  >;
  defaultTlpOf(provider: string): Tlp;
  score(state: MergeState, now: number): Scoring;
  providerVersions: Record<string, number>;
  /** UUID of the concrete index behind the alias: the cache is valid only for it. */
  indexUuid: string;
  isStopping(): boolean;
  /** Overridable for tests with their own names. */
  names?: { indexerGroup: string; changesTopic: string; statePrefix?: string };
}

function decode(record: ConsumedRecord): DedupeInput | { error: string } {
  const correlationId = record.headers[HEADERS.correlationId] ?? null;
  if (!record.value) return { error: 'record has no value' };
  try {
    if (record.headers[RECORD_TYPE_HEADER] === RECORD_TYPES.refresh) {
      const refresh = JSON.parse(record.value.toString('utf8')) as RefreshRecord;
      if (typeof refresh.id !== 'string') return { error: 'refresh record without an id' };
      return { type: 'refresh', id: refresh.id, correlationId };
    }
    if (record.headers[RECORD_TYPE_HEADER] === RECORD_TYPES.enrichment) {
      return {
        type: 'enrichment',
        enrichment: JSON.parse(record.value.toString('utf8')) as EnrichmentRecord,
        correlationId,
      };
    }
    return { type: 'report', report: decodeReport(record.value), correlationId };
  } catch (error) {
    return { error: `cannot decode canonical record: ${(error as Error).message}` };
  }
}

/**
 * The deduplicator's I/O adapter: per consumed batch, one Redis round trip
 * for states, one `mget` for states the cache lacks, the pure merge, then
 * (in this order, so a crash at any point is repaired by the replay) produce
 * changes, schedule enrichment, save states. The consumer commits after.
 */
export function createDeduplicator(deps: DeduplicatorDeps): { handle: BatchHandler } {
  const store = new MergeStateStore(
    deps.redis,
    deps.config.MERGE_STATE_TTL_SECONDS,
    deps.indexUuid,
    deps.names?.statePrefix,
  );
  const names = deps.names ?? { indexerGroup: CONSUMER_GROUPS.indexer, changesTopic: TOPICS.changes };
  const handle: BatchHandler = async (records, { heartbeat }) => {
    const inputs: DedupeInput[] = [];
    const deadLetters: OutgoingRecord[] = [];
    for (const record of records) {
      const decoded = decode(record);
      if ('error' in decoded) {
        deadLetters.push(
          deadLetterRecord({
            record,
            stage: 'deduplicator',
            rejects: [{ reason: 'invalid_avro', message: decoded.error, value: null, location: 'message' }],
          }),
        );
        deps.metrics.rejected.inc({ reason: 'invalid_avro' });
      } else inputs.push(decoded);
    }
    const ids = [...new Set(inputs.map(inputId))];
    let loaded = await store.load(ids);
    if (!loaded.intact) {
      if (loaded.stale)
        deps.logger.warn('merge cache belongs to another index (deleted and recreated?): it will be cleared');
      await store.recover(
        () =>
          waitForIndexerToDrain({
            ...names,
            kafka: deps.kafka,
            logger: deps.logger,
            isStopping: deps.isStopping,
            heartbeat,
            refresh: async () => {
              await deps.elasticsearch.indices.refresh({ index: deps.index });
            },
          }),
        async () => {
          if (deps.isStopping()) throw new Error('stopping while another instance recovers the merge cache');
          await heartbeat();
          await new Promise((resolve) => setTimeout(resolve, 250));
        },
      );
      loaded = await store.load(ids);
    }
    const missing = ids.filter((id) => loaded.states.get(id) === null);
    if (missing.length > 0) {
      const recovered = await statesFromIndex(deps.elasticsearch, deps.index, missing);
      for (const [id, state] of recovered) loaded.states.set(id, state);
    }
    const outcome = dedupeBatch(inputs, loaded.states, {
      granularityMs: deps.config.MERGE_GRANULARITY_MS,
      defaultTlpOf: deps.defaultTlpOf,
      score: deps.score,
      providerVersions: deps.providerVersions,
      now: Date.now(),
    });
    await deps.producer.send([...outcome.changes, ...deadLetters]);
    if (deps.queue && outcome.toEnrich.length > 0) {
      const size = deps.config.ENRICHMENT_BATCH_SIZE;
      const jobs = [];
      for (let start = 0; start < outcome.toEnrich.length; start += size) {
        const targets = outcome.toEnrich.slice(start, start + size);
        const jobId = enrichmentJobId(targets, deps.providerVersions);
        jobs.push({ name: 'enrich', data: { targets, versions: deps.providerVersions }, opts: { jobId } });
      }
      await deps.queue.addBulk(jobs);
    }
    await store.save(outcome.statesToSave);
    deps.metrics.recordsIn.inc({ topic: records[0]!.topic }, records.length);
    deps.metrics.recordsOut.inc({ target: 'changes' }, outcome.changes.length);
    deps.metrics.dropped.inc(outcome.unchanged);
  };
  return { handle };
}
