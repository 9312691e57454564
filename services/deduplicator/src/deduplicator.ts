import {
  CONSUMER_GROUPS,
  type EnrichmentRecord,
  type EnrichmentTarget,
  HEADERS,
  RECORD_TYPE_HEADER,
  RECORD_TYPES,
  type ReconcileRecord,
  type RefreshRecord,
  TOPICS,
} from '@dragnet/contracts';
import { type Client, refreshIndex } from '@dragnet/elasticsearch';
import { decodeReport, type Tlp } from '@dragnet/indicators';
import {
  type BatchHandler,
  type BatchProducer,
  type ConsumedRecord,
  deadLetterRecord,
  InfrastructureError,
  type Kafka,
  type OutgoingRecord,
} from '@dragnet/kafka';
import type { Logger } from '@dragnet/logger';
import { documentToState, joinStates, type MergeState, type Scoring, sameContent } from '@dragnet/merge';
import { enrichmentJobId, type Queue } from '@dragnet/queue';
import type { Redis } from '@dragnet/redis';
import { FAULT_POINTS, faultPoint, type StageMetrics } from '@dragnet/runtime';
import type { DeduplicatorConfig } from './config.js';
import { type DedupeInput, dedupeBatch, inputId } from './dedupe.js';
import { statesFromIndex, waitForIndexerToDrain } from './recovery.js';
import { type LoadedStates, MergeStateStore } from './state-store.js';

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
    | 'MERGE_GRANULARITY_MS'
    | 'MERGE_STATE_TTL_SECONDS'
    | 'ENRICHMENT_BATCH_SIZE'
    | 'RECOVERY_LOCK_TTL_MS'
    | 'RECOVERY_DRAIN_TIMEOUT_MS'
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

type Decoded =
  | DedupeInput
  | { type: 'reconcile'; id: string; states: MergeState[]; correlationId: string | null }
  | { error: string; code: string };

function decode(record: ConsumedRecord): Decoded {
  const correlationId = record.headers[HEADERS.correlationId] ?? null;
  if (!record.value) return { error: 'record has no value', code: 'invalid_record' };
  const type = record.headers[RECORD_TYPE_HEADER] ?? RECORD_TYPES.report;
  try {
    switch (type) {
      case RECORD_TYPES.refresh: {
        const refresh = JSON.parse(record.value.toString('utf8')) as RefreshRecord;
        if (typeof refresh?.id !== 'string')
          return { error: 'refresh record without an id', code: 'invalid_json' };
        return { type: 'refresh', id: refresh.id, correlationId };
      }
      case RECORD_TYPES.enrichment: {
        const enrichment = JSON.parse(record.value.toString('utf8')) as EnrichmentRecord;
        if (typeof enrichment?.id !== 'string')
          return { error: 'enrichment record without an id', code: 'invalid_json' };
        return { type: 'enrichment', enrichment, correlationId };
      }
      case RECORD_TYPES.reconcile: {
        const reconcile = JSON.parse(record.value.toString('utf8')) as ReconcileRecord;
        if (typeof reconcile?.id !== 'string' || !Array.isArray(reconcile.documents))
          return { error: 'reconcile record without an id or documents', code: 'invalid_json' };
        const states = reconcile.documents.map((document) => documentToState(document));
        if (states.some((state) => state.id !== reconcile.id))
          return { error: 'reconcile record names documents of another indicator', code: 'invalid_json' };
        return { type: 'reconcile', id: reconcile.id, states, correlationId };
      }
      case RECORD_TYPES.report:
        try {
          return { type: 'report', report: decodeReport(record.value), correlationId };
        } catch (error) {
          return {
            error: `cannot decode canonical report: ${(error as Error).message}`,
            code: 'invalid_avro',
          };
        }
      default:
        return { error: `unknown record type ${JSON.stringify(type).slice(0, 64)}`, code: 'invalid_record' };
    }
  } catch (error) {
    return { error: `cannot decode ${type} record: ${(error as Error).message}`, code: 'invalid_json' };
  }
}

/** Compare-and-set rounds before a batch is given up as an infrastructure fault (it is then retried whole). */
const MAX_SAVE_ROUNDS = 8;

/**
 * Folds reconcile records into the loaded states: the join of the cache's
 * state and both documents, at a revision above all of them. Returns the ids
 * to re-emit (as refresh inputs, which bump the revision once more).
 */
function applyReconciles(
  reconciles: { id: string; states: MergeState[] }[],
  states: Map<string, MergeState | null>,
): { reEmit: string[]; superseded: number } {
  const reEmit = new Set<string>();
  let superseded = 0;
  for (const { id, states: documented } of reconciles) {
    const current = states.get(id) ?? null;
    let joined = current;
    for (const state of documented) joined = joined === null ? state : joinStates(joined, state);
    if (joined === null) continue;
    const highest = Math.max(...documented.map((state) => state.revision));
    // Nothing new and our next write already outranks the index: the refused change was only stale.
    if (current !== null && current.revision > highest && sameContent(current, joined)) {
      superseded++;
      continue;
    }
    states.set(id, { ...joined, revision: Math.max(joined.revision, highest) });
    reEmit.add(id);
  }
  return { reEmit: [...reEmit], superseded };
}

/**
 * The deduplicator's I/O adapter: per consumed batch, one Redis round trip
 * for states, one real-time `mget` for states the cache lacks, the pure
 * merge, then (in this order, so a crash at any point is repaired by the
 * replay) produce changes, schedule enrichment, and save states with a
 * compare-and-set on the revision each was derived from. A refused save
 * means another writer moved the state on: those indicators are loaded
 * again and merged on top of it, and their change is emitted again under a
 * higher revision. See docs/adr/0001-no-lost-update.md.
 */
export function createDeduplicator(deps: DeduplicatorDeps): {
  handle: BatchHandler;
  /** True while this instance waits for (or runs) a cache recovery. */
  isRecovering(): boolean;
} {
  const store = new MergeStateStore(
    deps.redis,
    deps.config.MERGE_STATE_TTL_SECONDS,
    deps.indexUuid,
    deps.names?.statePrefix,
  );
  const names = deps.names ?? { indexerGroup: CONSUMER_GROUPS.indexer, changesTopic: TOPICS.changes };
  let recovering = 0;

  async function loadStates(ids: string[], heartbeat: () => Promise<void>): Promise<LoadedStates> {
    let loaded = await store.load(ids);
    if (!loaded.intact) {
      if (loaded.stale)
        deps.logger.warn('merge cache belongs to another index (deleted and recreated?): it will be cleared');
      recovering++;
      deps.metrics.recovering.set(1);
      try {
        await store.recover(
          () =>
            waitForIndexerToDrain({
              ...names,
              kafka: deps.kafka,
              logger: deps.logger,
              isStopping: deps.isStopping,
              heartbeat,
              timeoutMs: deps.config.RECOVERY_DRAIN_TIMEOUT_MS,
              refresh: () => refreshIndex(deps.elasticsearch, deps.index),
            }),
          {
            lockTtlMs: deps.config.RECOVERY_LOCK_TTL_MS,
            onWait: async () => {
              if (deps.isStopping())
                throw new InfrastructureError('stopping while another instance recovers the merge cache');
              await heartbeat();
            },
          },
        );
      } finally {
        recovering--;
        if (recovering === 0) deps.metrics.recovering.set(0);
      }
      loaded = await store.load(ids);
    }
    const missing = ids.filter((id) => loaded.states.get(id) === null);
    if (missing.length > 0) {
      const recovered = await statesFromIndex(deps.elasticsearch, deps.index, missing);
      for (const [id, state] of recovered) loaded.states.set(id, state);
    }
    return loaded;
  }

  const handle: BatchHandler = async (records, { heartbeat }) => {
    let inputs: DedupeInput[] = [];
    let reconciles: { id: string; states: MergeState[] }[] = [];
    const deadLetters: OutgoingRecord[] = [];
    for (const record of records) {
      const decoded = decode(record);
      if ('error' in decoded) {
        deadLetters.push(
          deadLetterRecord({
            record,
            stage: 'deduplicator',
            rejects: [{ reason: decoded.code, message: decoded.error, value: null, location: 'message' }],
          }),
        );
        deps.metrics.rejected.inc({ reason: decoded.code });
      } else if (decoded.type === 'reconcile') reconciles.push(decoded);
      else inputs.push(decoded);
    }
    let ids = [...new Set([...inputs.map(inputId), ...reconciles.map((reconcile) => reconcile.id)])];
    let orphans = 0;
    for (let round = 1; ; round++) {
      const loaded = await loadStates(ids, heartbeat);
      await heartbeat();
      const reconciled = applyReconciles(reconciles, loaded.states);
      const roundInputs: DedupeInput[] = [
        ...inputs,
        ...reconciled.reEmit.map((id): DedupeInput => ({ type: 'refresh', id, correlationId: null })),
      ];
      if (round === 1)
        orphans = inputs.filter(
          (input) => input.type !== 'report' && !loaded.states.get(inputId(input)),
        ).length;
      const outcome = dedupeBatch(roundInputs, loaded.states, {
        granularityMs: deps.config.MERGE_GRANULARITY_MS,
        defaultTlpOf: deps.defaultTlpOf,
        score: deps.score,
        providerVersions: deps.providerVersions,
        now: Date.now(),
      });
      await deps.producer.send(round === 1 ? [...outcome.changes, ...deadLetters] : outcome.changes);
      faultPoint(FAULT_POINTS.deduplicatorAfterProduce);
      if (deps.queue && outcome.toEnrich.length > 0) await scheduleEnrichment(deps, outcome.toEnrich);
      const conflicts = await store.save(
        outcome.statesToSave.map((state) => ({ state, expected: loaded.revisions.get(state.id) ?? '' })),
      );
      if (round === 1) {
        deps.metrics.recordsIn.inc({ topic: records[0]!.topic }, records.length);
        deps.metrics.dropped.inc(outcome.unchanged);
      }
      deps.metrics.recordsOut.inc({ target: 'changes' }, outcome.changes.length);
      if (conflicts.length === 0) break;
      deps.metrics.stateConflicts.inc(conflicts.length);
      deps.logger.warn(
        { conflicts: conflicts.length, round },
        'merge states changed under us (another writer): merging again on top of them',
      );
      if (round >= MAX_SAVE_ROUNDS)
        throw new InfrastructureError(`merge-state compare-and-set still refused after ${round} rounds`);
      const retry = new Set(conflicts);
      ids = conflicts;
      inputs = inputs.filter((input) => retry.has(inputId(input)));
      reconciles = reconciles.filter((reconcile) => retry.has(reconcile.id));
      await heartbeat();
    }
    faultPoint(FAULT_POINTS.deduplicatorAfterSave);
    deps.metrics.orphaned.inc(orphans);
    if (orphans > 0)
      deps.logger.warn(
        { records: orphans },
        'enrichment or refresh records for indicators without a merge state were ignored',
      );
  };
  return { handle, isRecovering: () => recovering > 0 };
}

async function scheduleEnrichment(deps: DeduplicatorDeps, targets: EnrichmentTarget[]): Promise<void> {
  const size = deps.config.ENRICHMENT_BATCH_SIZE;
  const jobs = [];
  for (let start = 0; start < targets.length; start += size) {
    const slice = targets.slice(start, start + size);
    const jobId = enrichmentJobId(slice, deps.providerVersions);
    jobs.push({ name: 'enrich', data: { targets: slice, versions: deps.providerVersions }, opts: { jobId } });
  }
  await deps.queue!.addBulk(jobs);
}
