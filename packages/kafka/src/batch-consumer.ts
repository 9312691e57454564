import type { DeadLetter } from '@dragnet/contracts';
import type { Logger } from '@dragnet/logger';
import type { Consumer, ConsumerConfig, ConsumerRunConfig, EachBatchPayload } from 'kafkajs';
import { type ConsumedRecord, toConsumedRecord } from './consumed-record.js';
import { stageErrorDeadLetter } from './dead-letter.js';
import { METADATA_MAX_AGE_MS } from './defaults.js';
import { type KafkaClient, kafkaDriver } from './driver.js';
import {
  backoffDelayMs,
  DEFAULT_ISOLATION_POLICY,
  type FailureKind,
  groupMembershipAnswer,
  type IsolationOutcome,
  type IsolationPolicy,
  isGroupMembershipError,
  isInfrastructureError,
  settleBatch,
} from './isolation.js';
import type { BatchProducer } from './producer.js';

export type { ConsumedRecord } from './consumed-record.js';

export interface BatchContext {
  topic: string;
  partition: number;
  /** Call during long work so the group does not consider this member dead. */
  heartbeat(): Promise<void>;
}

/**
 * Processes records of one partition, in offset order. When it resolves,
 * everything they produced must be durable: the consumer commits their offsets
 * after. It may be called again with some of the same records (a retry, or a
 * half of a batch while a poison record is isolated), so it must be
 * idempotent — which at-least-once delivery demands anyway.
 *
 * Bad input is the handler's to reject (dead letter with a reason code), not
 * to throw on. When it throws anyway:
 * - an infrastructure fault (`InfrastructureError`, a connection error: see
 *   `isInfrastructureError`) — the same records are retried with capped
 *   backoff until it clears; nothing is dead-lettered and the stage reports
 *   not ready meanwhile;
 * - anything else — the batch is retried, then bisected; each record that
 *   throws on its own is dead-lettered with reason `stage_error` and the
 *   others are processed.
 */
export type BatchHandler = (records: ConsumedRecord[], context: BatchContext) => Promise<void>;

/** What the consumer tells the stage's health (readiness, metrics); `@dragnet/runtime`'s `StageHealth` fits. */
export interface BatchHealthListener {
  /** A handler call threw. */
  failed(kind: FailureKind, error: unknown): void;
  /** A handler call succeeded: the stage is making progress. */
  succeeded(): void;
  /** Records isolated as poison and dead-lettered with `stage_error`. */
  deadLettered(count: number): void;
}

export interface BatchConsumerOptions {
  kafka: KafkaClient;
  groupId: string;
  topics: string[];
  handler: BatchHandler;
  logger: Logger;
  /** Partitions processed at once by this process (default 1). Each is a separate batch. */
  partitionsConsumedConcurrently?: number;
  /** Upper bound on bytes fetched per partition per request; bounds batch size and memory (default 1 MiB). */
  maxBytesPerPartition?: number;
  /** How long the broker may wait to fill `minBytes` (default 100 ms): larger batches under load, low latency when idle. */
  maxWaitTimeMs?: number;
  minBytes?: number;
  /** Start from the earliest offset when the group has no committed offset (default true: never skip a feed). */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  /** Where records whose handler throws on them alone go: a `stage_error` dead letter of `stage` via `producer`. */
  deadLetters: {
    stage: DeadLetter['stage'];
    producer: BatchProducer;
    /** The namespace's `names().topics.deadLetter` (`startConsumeStage` passes it); without it, the environment's (deprecated). */
    topic?: string;
    /** The partner a record came from, for the letter (normalizer). */
    partnerOf?: (record: ConsumedRecord) => string | null;
    /** A second topic that gets a copy of the letter, e.g. the partner's own rejects topic (normalizer). */
    copyTo?: (record: ConsumedRecord) => string | null;
  };
  /** Infrastructure faults (retried, never dead-lettered); default `isInfrastructureError`. */
  isRetriable?: (error: unknown) => boolean;
  /** Retry and backoff of failing handler calls; default `DEFAULT_ISOLATION_POLICY` (3 tries, 200 ms doubling, 30 s cap). */
  isolation?: Partial<IsolationPolicy>;
  health?: BatchHealthListener;
  onBatchDone?: (info: {
    topic: string;
    partition: number;
    records: number;
    durationMs: number;
    lag: number;
  }) => void;
}

export interface RunningConsumer {
  /** Stops fetching, lets the batch in hand finish and commit, then leaves the group. */
  stop(): Promise<void>;
  /** Called each time this member (re)joins the group, after every rebalance. */
  onGroupJoin(listener: () => void): void;
}

export async function runBatchConsumer(options: BatchConsumerOptions): Promise<RunningConsumer> {
  const { kafka, groupId, topics, logger } = options;
  const consumer = kafkaDriver(kafka).consumer(consumerConfig(options));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
  const run: ConsumerRun = {
    consumer,
    options,
    isRetriable: options.isRetriable ?? isInfrastructureError,
    policy: { ...DEFAULT_ISOLATION_POLICY, ...options.isolation },
    stopping: false,
  };
  // kafkajs' stop() does not wait for a batch's own commit: track batches in
  // hand so that stopping finishes and commits them first.
  const inFlight = new Set<Promise<void>>();
  const runConfig: ConsumerRunConfig = {
    autoCommit: false,
    // Offsets are resolved by hand, only for batches that were processed: an
    // auto-resolved batch that was skipped (stale after a rebalance, or while
    // stopping) would be jumped over by the next commit.
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatch: async (payload) => {
      if (run.stopping) return;
      const work = processBatch(run, payload);
      inFlight.add(work);
      try {
        await work;
      } finally {
        inFlight.delete(work);
      }
    },
  };
  await consumer.run(runConfig);
  rejoinAfterCrash(run, runConfig);
  logger.info({ groupId, topics: topics.length }, 'consumer running');
  return {
    onGroupJoin(listener) {
      consumer.on(consumer.events.GROUP_JOIN, listener);
    },
    async stop() {
      run.stopping = true;
      await Promise.allSettled([...inFlight]);
      await consumer.stop();
      await consumer.disconnect();
    },
  };
}

/** What every batch of one running consumer shares. */
interface ConsumerRun {
  consumer: Consumer;
  options: BatchConsumerOptions;
  isRetriable: (error: unknown) => boolean;
  policy: IsolationPolicy;
  /** Set once by `stop()`: batches in hand finish, no new one starts. */
  stopping: boolean;
}

/** The steps of one batch share these: where it comes from, whether to go on, how to wait. */
interface BatchSteps {
  where: { topic: string; partition: number };
  shouldContinue(): boolean;
  sleep(ms: number): Promise<void>;
  /** The group's heartbeat; a membership answer (see `isGroupMembershipError`) ends the batch. */
  heartbeat(): Promise<void>;
  /** Records that the batch's member may have lost its partitions: the batch is given up. */
  loseMembership(error: unknown): void;
  /** The membership answer that ended the batch, if one did. */
  membershipLost(): unknown;
}

function consumerConfig(options: BatchConsumerOptions): ConsumerConfig {
  return {
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: 3_000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
    minBytes: options.minBytes ?? 1,
    allowAutoTopicCreation: false,
    // Partitions added to a topic (`dragnet setup --partitions`) are seen at the next metadata
    // refresh, which then rebalances the group: 30 s instead of kafkajs' 5 minutes.
    metadataMaxAge: METADATA_MAX_AGE_MS,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
  };
}

/**
 * kafkajs gives up on errors it classes as not retriable — UNKNOWN_MEMBER_ID when the group
 * coordinator's broker died (test/cluster/failover.test.ts) — and leaves the process running
 * without a consumer: a stage that silently stops. Rejoin instead; uncommitted batches come again.
 */
function rejoinAfterCrash(run: ConsumerRun, runConfig: ConsumerRunConfig): void {
  const { consumer } = run;
  const { logger, groupId } = run.options;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || run.stopping) return;
    logger.error(
      { err: payload.error, groupId },
      'consumer stopped on an error kafkajs does not retry; rejoining',
    );
    const rejoin = (attempt: number) =>
      setTimeout(
        () => {
          if (run.stopping) return;
          consumer
            .connect()
            .then(() => consumer.run(runConfig))
            .catch((error: unknown) => {
              logger.warn({ err: error, groupId, attempt }, 'rejoining the consumer group failed; retrying');
              rejoin(attempt + 1);
            });
        },
        Math.min(10_000, 1_000 * attempt),
      );
    rejoin(1);
  });
}

/**
 * Handles one fetched batch, then commits past it — only once everything it
 * produced, dead letters included, is durable. Gives up without committing
 * when stopping or when the partition went to another member: the records
 * are fetched again.
 */
async function processBatch(run: ConsumerRun, payload: EachBatchPayload): Promise<void> {
  const { batch, isRunning, isStale } = payload;
  if (!isRunning() || isStale() || batch.messages.length === 0) return;
  const started = performance.now();
  const records = batch.messages.map((message) => toConsumedRecord(batch.topic, batch.partition, message));
  const steps = batchSteps(run, payload);
  const outcome = await settleRecords(run, payload, records, steps);
  // A batch handled in full is committed even while stopping (stop() waits for it); not after the
  // member may have lost its partitions.
  if (!outcome.settled || steps.membershipLost() !== null) return giveUp(steps);
  if (outcome.poisoned.length > 0 && !(await deadLetterPoisoned(run, outcome.poisoned, steps)))
    return giveUp(steps);
  await commitBatch(run, payload, records.length, started);
}

/**
 * Leaves the batch uncommitted: its records are fetched again. When the
 * member lost its partitions, the coordinator's answer is thrown on to kafkajs,
 * which rejoins the group at once (and finds the coordinator again).
 */
function giveUp(steps: BatchSteps): void {
  const lost = steps.membershipLost();
  if (lost !== null) throw lost;
}

function batchSteps(
  run: ConsumerRun,
  { batch, heartbeat, isRunning, isStale }: EachBatchPayload,
): BatchSteps {
  let lost: unknown = null;
  const loseMembership = (error: unknown) => {
    lost ??= error;
  };
  // A rebalance being prepared is not visible in `isRunning`/`isStale`: only the heartbeat's answer says it.
  const shouldContinue = () => lost === null && !run.stopping && isRunning() && !isStale();
  const groupHeartbeat = async () => {
    try {
      await heartbeat();
    } catch (error) {
      if (isGroupMembershipError(error)) loseMembership(error);
      throw error;
    }
  };
  return {
    where: { topic: batch.topic, partition: batch.partition },
    shouldContinue,
    heartbeat: groupHeartbeat,
    loseMembership,
    membershipLost: () => lost,
    // Sleeps in short steps, heartbeating, so that a long backoff neither
    // costs the group membership nor delays a stop.
    async sleep(ms) {
      const until = Date.now() + ms;
      while (shouldContinue() && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, until - Date.now())));
        await groupHeartbeat();
      }
    },
  };
}

/** Runs the handler over `records`, retrying infrastructure faults and isolating the records it throws on alone. */
function settleRecords(
  run: ConsumerRun,
  { batch }: EachBatchPayload,
  records: ConsumedRecord[],
  steps: BatchSteps,
): Promise<IsolationOutcome<ConsumedRecord>> {
  const { handler, health, logger } = run.options;
  const context: BatchContext = {
    topic: batch.topic,
    partition: batch.partition,
    heartbeat: steps.heartbeat,
  };
  return settleBatch(
    records,
    {
      handle: (part) => handler(part, context),
      // A membership answer is the group's state, not the records' fault (it ends the batch: `onFailure`).
      isRetriable: (error) => isGroupMembershipError(error) || run.isRetriable(error),
      shouldContinue: steps.shouldContinue,
      sleep: steps.sleep,
      onFailure: (kind, error, count) => {
        // However the handler came by it (its heartbeat, a wrapped cause), the records are not at
        // fault; kafkajs is handed the coordinator's own answer, which it knows to rejoin on.
        const answer = groupMembershipAnswer(error);
        if (answer) steps.loseMembership(answer);
        health?.failed(kind, error);
        logger.warn({ ...steps.where, kind, records: count, err: error }, 'batch handler failed');
      },
      onSuccess: () => health?.succeeded(),
    },
    run.policy,
  );
}

/**
 * Sends a `stage_error` dead letter (and its copy, if any) for each poisoned
 * record, retrying until acknowledged: the letters must be durable before the
 * offsets move past them. False when the batch was given up meanwhile.
 */
async function deadLetterPoisoned(
  run: ConsumerRun,
  poisoned: { record: ConsumedRecord; error: unknown }[],
  steps: BatchSteps,
): Promise<boolean> {
  const { deadLetters, health, logger } = run.options;
  const letters = poisoned.flatMap(({ record, error }) => {
    const letter = stageErrorDeadLetter(record, error, {
      stage: deadLetters.stage,
      ...(deadLetters.topic ? { topic: deadLetters.topic } : {}),
      partner: deadLetters.partnerOf?.(record) ?? null,
    });
    const copy = deadLetters.copyTo?.(record);
    return copy ? [letter, { ...letter, topic: copy }] : [letter];
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await deadLetters.producer.send(letters);
      break;
    } catch (error) {
      health?.failed('infrastructure', error);
      logger.warn({ ...steps.where, err: error }, 'dead letters not acknowledged; retrying');
      await steps.sleep(backoffDelayMs(attempt, run.policy, Math.random));
      if (!steps.shouldContinue()) return false;
    }
  }
  health?.deadLettered(poisoned.length);
  logger.error(
    { ...steps.where, offsets: poisoned.map(({ record }) => record.offset) },
    'records isolated: the handler threw on them alone; dead-lettered as stage_error',
  );
  return true;
}

/** Commits past the batch's last offset, then reports the batch done. */
async function commitBatch(
  run: ConsumerRun,
  { batch, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload,
  records: number,
  started: number,
): Promise<void> {
  const next = (BigInt(batch.lastOffset()) + 1n).toString();
  // One attempt, through the group's own offset manager — not `consumer.commitOffsets`, which
  // retries (the client's `retry`, about a minute) against the coordinator found at the last
  // join. When that broker restarts and the group has moved to another one, every retry gets
  // NOT_COORDINATOR from the same broker, and the stage stalls while its process runs
  // (test/cluster/failover.test.ts, the coordinator's kill -9). Thrown at once, the error ends
  // the batch uncommitted; kafkajs rejoins, finding the coordinator again, and the batch is
  // fetched and processed again (idempotent), then committed to the right broker.
  await commitOffsetsIfNecessary({
    topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
  });
  resolveOffset(batch.lastOffset());
  run.options.onBatchDone?.({
    topic: batch.topic,
    partition: batch.partition,
    records,
    durationMs: performance.now() - started,
    lag: Number(batch.offsetLag()),
  });
}
