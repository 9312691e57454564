import { randomUUID } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { consumerGroupLag } from './admin.js';
import { type ConsumedRecord, toConsumedRecord } from './consumed-record.js';
import { type KafkaClient, kafkaDriver } from './driver.js';
import { withAdmin } from './with-admin.js';

/** Where a partition's retained records start (`low`) and where the next one will go (`high`). */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** Connects, authenticates and asks for the cluster's brokers once: a probe for `dragnet` preflight and tests. */
export function describeBrokers(kafka: KafkaClient): Promise<{ brokers: number }> {
  return withAdmin(kafka, async (admin) => ({ brokers: (await admin.describeCluster()).brokers.length }));
}

/** The offsets of every partition of `topic`; null when the topic does not exist. */
export function topicOffsets(kafka: KafkaClient, topic: string): Promise<PartitionOffsets[] | null> {
  return withAdmin(kafka, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return null;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map(({ partition, low, high }) => ({ partition, low, high }));
  });
}

export interface WaitForGroupOptions {
  groupId: string;
  topic: string;
  /** Offsets to reach per partition (default: the topic's high watermarks when the wait starts). */
  targets?: PartitionOffsets[];
  /** Gives up after this long (default 5 min) and says so: the caller decides what that means. */
  timeoutMs?: number;
  pollMs?: number;
  /** Called between polls (heartbeats; throw to stop waiting). */
  onPoll?: () => Promise<void>;
}

export interface WaitForGroupOutcome {
  reached: boolean;
  /** Partitions whose committed offset was still below its target at the end. */
  partitionsBehind: number;
  partitions: number;
  waitedMs: number;
}

/**
 * Waits until consumer group `groupId` has committed, on every partition of
 * `topic`, at least the target offset: everything produced before the wait
 * began has been consumed (the deduplicator's cache recovery waits for the
 * indexer so). A group without a commit on a partition counts as offset 0.
 */
export async function waitForGroupOffsets(
  kafka: KafkaClient,
  options: WaitForGroupOptions,
): Promise<WaitForGroupOutcome> {
  const started = Date.now();
  const targets = options.targets ?? (await topicOffsets(kafka, options.topic)) ?? [];
  for (;;) {
    const lags = await consumerGroupLag(kafka, options.groupId, [options.topic]);
    const behind = targets.filter((target) => {
      const committed = lags.find((lag) => lag.partition === target.partition)?.committed ?? '0';
      return BigInt(committed) < BigInt(target.high);
    }).length;
    const waitedMs = Date.now() - started;
    const outcome = { partitionsBehind: behind, partitions: targets.length, waitedMs };
    if (behind === 0) return { reached: true, ...outcome };
    if (waitedMs > (options.timeoutMs ?? 300_000)) return { reached: false, ...outcome };
    await options.onPoll?.();
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}

/** Offsets `from` (inclusive) to `until` (exclusive) of one partition. */
export interface OffsetRange {
  partition: number;
  from: string;
  until: string;
}

/**
 * Reads the records of `topic` in `ranges` (default: everything retained
 * now, low to high watermark of each partition) with a throw-away consumer
 * group, deleted afterwards, so nobody's offsets move. Rejects after
 * `timeoutMs` (default 30 s) with how far it got. Records come in offset
 * order per partition.
 */
export async function readTopicRange(
  kafka: KafkaClient,
  topic: string,
  options: {
    ranges?: OffsetRange[];
    timeoutMs?: number;
    /** The throw-away group's name starts so; the reader's ACLs name a prefix (the operator's: `dragnet-cli-`). */
    groupIdPrefix?: string;
  } = {},
): Promise<ConsumedRecord[]> {
  const collector = rangeCollector(topic, options.ranges ?? (await retainedRanges(kafka, topic)));
  if (collector.remaining.size === 0) return collector.records;
  const groupId = `${options.groupIdPrefix ?? 'dragnet-read-'}${randomUUID()}`;
  const consumer = kafkaDriver(kafka).consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await collectUntilComplete(consumer, collector, options.timeoutMs ?? 30_000);
  } finally {
    await consumer.disconnect();
    await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
  return collector.records;
}

/** Everything retained now: low to high watermark of each partition. */
async function retainedRanges(kafka: KafkaClient, topic: string): Promise<OffsetRange[]> {
  return ((await topicOffsets(kafka, topic)) ?? []).map(({ partition, low, high }) => ({
    partition,
    from: low,
    until: high,
  }));
}

/** Gathers the records of `ranges` from messages that may come more than once or out of range. */
interface RangeCollector {
  topic: string;
  records: ConsumedRecord[];
  /** Ranges not read to their end yet, by partition. */
  remaining: Map<number, OffsetRange>;
  /** Keeps `message` if it is the next one of its range; true once every range is complete. */
  accept(partition: number, message: KafkaMessage): boolean;
}

function rangeCollector(topic: string, ranges: OffsetRange[]): RangeCollector {
  const remaining = new Map(
    ranges
      .filter((range) => BigInt(range.until) > BigInt(range.from))
      .map((range) => [range.partition, range] as const),
  );
  const next = new Map([...remaining.values()].map((range) => [range.partition, BigInt(range.from)]));
  const records: ConsumedRecord[] = [];
  return {
    topic,
    records,
    remaining,
    accept(partition, message) {
      const range = remaining.get(partition);
      const offset = BigInt(message.offset);
      // Before the seek lands, records may come from the start, then again from `from`: keep each once.
      if (!range || offset < (next.get(partition) ?? 0n) || offset >= BigInt(range.until)) return false;
      next.set(partition, offset + 1n);
      records.push(toConsumedRecord(topic, partition, message));
      if (offset + 1n >= BigInt(range.until)) remaining.delete(partition);
      return remaining.size === 0;
    },
  };
}

/** Runs `consumer` from each range's start until `collector` is complete; rejects after `timeoutMs` with how far it got. */
function collectUntilComplete(
  consumer: Consumer,
  collector: RangeCollector,
  timeoutMs: number,
): Promise<void> {
  const { topic, records, remaining } = collector;
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`read ${records.length} records of ${topic} in ${timeoutMs} ms, not all`)),
      timeoutMs,
    );
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          if (!collector.accept(partition, message)) return;
          clearTimeout(timer);
          resolve();
        },
      })
      .then(() => {
        for (const range of remaining.values())
          consumer.seek({ topic, partition: range.partition, offset: range.from });
      })
      .catch((error: unknown) => {
        clearTimeout(timer);
        reject(error);
      });
  });
}
