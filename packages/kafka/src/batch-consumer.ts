import type { Logger } from '@dragnet/logger';
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker timestamp, epoch ms. */
  timestamp: number;
}

export interface BatchContext {
  topic: string;
  partition: number;
  /** Call during long work so the group does not consider this member dead. */
  heartbeat(): Promise<void>;
}

/**
 * Processes one partition's batch. When it resolves, everything the batch
 * produced must be durable: the consumer commits the batch's offsets right
 * after. Throwing means "infrastructure fault": nothing is committed and the
 * batch is fetched again (at-least-once; handlers are idempotent).
 */
export type BatchHandler = (records: ConsumedRecord[], context: BatchContext) => Promise<void>;

export interface BatchConsumerOptions {
  kafka: Kafka;
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
  readonly consumer: Consumer;
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export async function runBatchConsumer(options: BatchConsumerOptions): Promise<RunningConsumer> {
  const { kafka, groupId, topics, handler, logger } = options;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: 3_000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
    minBytes: options.minBytes ?? 1,
    allowAutoTopicCreation: false,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
  // kafkajs' stop() does not wait for a batch's own commit: track batches in
  // hand so that stopping finishes and commits them first.
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  await consumer.run({
    autoCommit: false,
    // Offsets are resolved by hand, only for batches that were processed: an
    // auto-resolved batch that was skipped (stale after a rebalance, or while
    // stopping) would be jumped over by the next commit.
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatch: async (payload) => {
      if (stopping) return;
      const work = processBatch(payload);
      inFlight.add(work);
      try {
        await work;
      } finally {
        inFlight.delete(work);
      }
    },
  });
  async function processBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const started = performance.now();
    const records: ConsumedRecord[] = batch.messages.map((message) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers: headersToStrings(message.headers),
      timestamp: Number(message.timestamp),
    }));
    await handler(records, { topic: batch.topic, partition: batch.partition, heartbeat });
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    resolveOffset(batch.lastOffset());
    options.onBatchDone?.({
      topic: batch.topic,
      partition: batch.partition,
      records: records.length,
      durationMs: performance.now() - started,
      lag: Number(batch.offsetLag()),
    });
  }
  logger.info({ groupId, topics: topics.length }, 'consumer running');
  return {
    consumer,
    async stop() {
      stopping = true;
      await Promise.allSettled([...inFlight]);
      await consumer.stop();
      await consumer.disconnect();
    },
  };
}
