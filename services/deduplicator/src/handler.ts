import type { Names, ReconcileRecord } from '@dragnet/contracts';
import { decodeMergeInput, MERGE_INPUT_REJECTS } from '@dragnet/contracts/merge-input';
import { documentToState, joinStates, type MergeState, type Scoring, sameContent } from '@dragnet/document';
import { type ElasticsearchClient, refreshIndex } from '@dragnet/elasticsearch';
import type { Tlp } from '@dragnet/indicators';
import {
  type BatchHandler,
  type BatchProducer,
  type ConsumedRecord,
  deadLetterRecord,
  InfrastructureError,
  type KafkaClient,
  type OutgoingRecord,
} from '@dragnet/kafka';
import type { Logger } from '@dragnet/logger';
import { enqueueEnrichment, type JobQueue } from '@dragnet/queue';
import type { KeyStore } from '@dragnet/redis';
import { FAULT_POINTS, faultPoint, type StageMetrics } from '@dragnet/runtime';
import type { DeduplicatorConfig } from './config.js';
import { type DedupeInput, dedupeBatch, inputId } from './dedupe.js';
import { statesFromIndex, waitForIndexerToDrain } from './recovery.js';
import { type LoadedStates, MergeStateStore } from './state-store.js';

export interface DeduplicatorDeps {
  kafka: KafkaClient;
  redis: KeyStore;
  elasticsearch: ElasticsearchClient;
  producer: BatchProducer;
  queue: JobQueue<'enrichment'> | null;
  logger: Logger;
  metrics: StageMetrics;
  /** The index (`index.alias`), the changes topic and the indexer's group (recovery), dead letters, state keys. */
  names: Pick<Names, 'index' | 'topics' | 'groups' | 'redisKeys'>;
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
}

type Reconcile = { id: string; states: MergeState[] };

type Decoded =
  | DedupeInput
  | ({ type: 'reconcile'; correlationId: string | null } & Reconcile)
  | { error: string; code: string; correlationId: string | null };

/** A consumed record as the merge core's input, through the topic's one decoder (`merge-input.ts`). */
function decode(record: ConsumedRecord): Decoded {
  const decoded = decodeMergeInput(record);
  const { correlationId } = decoded;
  if (!decoded.ok) return { error: decoded.reject.message, code: decoded.reject.code, correlationId };
  const { input } = decoded;
  switch (input.kind) {
    case 'report':
      return { type: 'report', report: input.record, correlationId };
    case 'enrichment':
      return { type: 'enrichment', enrichment: input.record, correlationId };
    case 'refresh':
      return { type: 'refresh', id: input.record.id, correlationId };
    case 'reconcile':
      return reconcileInput(input.record, correlationId);
    default:
      // A kind added to the contract without a case here fails to compile.
      return input satisfies never;
  }
}

function reconcileInput(reconcile: ReconcileRecord, correlationId: string | null): Decoded {
  const states = reconcile.documents.map((document) => documentToState(document));
  if (states.some((state) => state.id !== reconcile.id))
    return {
      error: 'reconcile record names documents of another indicator',
      code: MERGE_INPUT_REJECTS.invalidReconcile,
      correlationId,
    };
  return { type: 'reconcile', id: reconcile.id, states, correlationId };
}

/** Compare-and-set rounds before a batch is given up as an infrastructure fault (it is then retried whole). */
const MAX_SAVE_ROUNDS = 8;

/**
 * Folds reconcile records into the loaded states: the join of the cache's
 * state and both documents, at a revision above all of them. Returns the ids
 * to re-emit (as refresh inputs, which bump the revision once more).
 */
function applyReconciles(
  reconciles: Reconcile[],
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

/** A batch split by what each record is: merge inputs, reconciles, and dead letters of the rest. */
interface SortedBatch {
  inputs: DedupeInput[];
  reconciles: Reconcile[];
  deadLetters: OutgoingRecord[];
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
  const deduplicator = new Deduplicator(deps);
  return {
    handle: (records, context) => deduplicator.handle(records, context.heartbeat),
    isRecovering: () => deduplicator.isRecovering,
  };
}

class Deduplicator {
  private readonly store: MergeStateStore;
  private recovering = 0;

  constructor(private readonly deps: DeduplicatorDeps) {
    this.store = new MergeStateStore(
      deps.redis,
      deps.config.MERGE_STATE_TTL_SECONDS,
      deps.indexUuid,
      deps.names.redisKeys.mergeState,
    );
  }

  get isRecovering(): boolean {
    return this.recovering > 0;
  }

  async handle(records: ConsumedRecord[], heartbeat: () => Promise<void>): Promise<void> {
    const { deps } = this;
    const sorted = this.sort(records);
    let { inputs, reconciles } = sorted;
    let ids = [...new Set([...inputs.map(inputId), ...reconciles.map((reconcile) => reconcile.id)])];
    let orphans = 0;
    for (let round = 1; ; round++) {
      const loaded = await this.loadStates(ids, heartbeat);
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
      const conflicts = await this.mergeAndSave(roundInputs, loaded, round === 1 ? sorted.deadLetters : null);
      if (round === 1) deps.metrics.recordsIn.inc({ topic: records[0]!.topic }, records.length);
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
  }

  /**
   * One merge round: the pure merge, then produce changes (with the batch's
   * dead letters, first round only: `null` after), schedule enrichment, save.
   * Returns the ids whose save was refused.
   */
  private async mergeAndSave(
    inputs: DedupeInput[],
    loaded: LoadedStates,
    firstRoundDeadLetters: OutgoingRecord[] | null,
  ): Promise<string[]> {
    const { deps } = this;
    const outcome = dedupeBatch(inputs, loaded.states, {
      granularityMs: deps.config.MERGE_GRANULARITY_MS,
      defaultTlpOf: deps.defaultTlpOf,
      score: deps.score,
      providerVersions: deps.providerVersions,
      now: Date.now(),
      changesTopic: deps.names.topics.changes,
    });
    await deps.producer.send([...outcome.changes, ...(firstRoundDeadLetters ?? [])]);
    faultPoint(FAULT_POINTS.deduplicatorAfterProduce);
    if (deps.queue)
      await enqueueEnrichment(
        deps.queue,
        outcome.toEnrich,
        deps.providerVersions,
        deps.config.ENRICHMENT_BATCH_SIZE,
      );
    const conflicts = await this.store.save(
      outcome.statesToSave.map((state) => ({ state, expected: loaded.revisions.get(state.id) ?? '' })),
    );
    // Unchanged inputs are counted once: only the first round has the whole batch.
    if (firstRoundDeadLetters !== null) deps.metrics.dropped.inc(outcome.unchanged);
    deps.metrics.recordsOut.inc({ target: 'changes' }, outcome.changes.length);
    return conflicts;
  }

  /** Decodes every record; what does not decode is dead-lettered with its reject code. */
  private sort(records: ConsumedRecord[]): SortedBatch {
    const { deps } = this;
    const sorted: SortedBatch = { inputs: [], reconciles: [], deadLetters: [] };
    const rejected: { code: string; offset: string; correlationId: string | null }[] = [];
    for (const record of records) {
      const decoded = decode(record);
      if ('error' in decoded) {
        sorted.deadLetters.push(
          deadLetterRecord({
            record,
            stage: 'deduplicator',
            rejects: [{ reason: decoded.code, message: decoded.error, value: null, location: 'message' }],
            correlationId: decoded.correlationId,
            topic: deps.names.topics.deadLetter,
          }),
        );
        deps.metrics.rejected.inc({ reason: decoded.code });
        rejected.push({ code: decoded.code, offset: record.offset, correlationId: decoded.correlationId });
      } else if (decoded.type === 'reconcile') sorted.reconciles.push(decoded);
      else sorted.inputs.push(decoded);
    }
    if (rejected.length > 0)
      deps.logger.warn(
        { records: rejected.length, first: rejected.slice(0, 10) },
        'records on the merge input topic refused: dead-lettered',
      );
    return sorted;
  }

  private async loadStates(ids: string[], heartbeat: () => Promise<void>): Promise<LoadedStates> {
    let loaded = await this.store.load(ids);
    if (!loaded.intact) {
      if (loaded.stale)
        this.deps.logger.warn(
          'merge cache belongs to another index (deleted and recreated?): it will be cleared',
        );
      await this.recover(heartbeat);
      loaded = await this.store.load(ids);
    }
    const missing = ids.filter((id) => loaded.states.get(id) === null);
    if (missing.length > 0) {
      const recovered = await statesFromIndex(this.deps.elasticsearch, this.deps.names.index.alias, missing);
      for (const [id, state] of recovered) loaded.states.set(id, state);
    }
    return loaded;
  }

  /** The cache was wiped or belongs to another index: one instance rebuilds it, the others wait. */
  private async recover(heartbeat: () => Promise<void>): Promise<void> {
    const { deps } = this;
    this.recovering++;
    deps.metrics.recovering.set(1);
    try {
      await this.store.recover(
        () =>
          waitForIndexerToDrain({
            indexerGroup: deps.names.groups.indexer,
            changesTopic: deps.names.topics.changes,
            kafka: deps.kafka,
            logger: deps.logger,
            isStopping: deps.isStopping,
            heartbeat,
            timeoutMs: deps.config.RECOVERY_DRAIN_TIMEOUT_MS,
            refresh: () => refreshIndex(deps.elasticsearch, deps.names.index.alias),
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
      this.recovering--;
      if (this.recovering === 0) deps.metrics.recovering.set(0);
    }
  }
}
