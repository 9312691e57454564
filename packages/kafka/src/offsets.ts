import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { consumerGroupLag } from './admin.js';
import type { ConsumedRecord } from './batch-consumer.js';
import { type KafkaClient, kafkaDriver } from './driver.js';
import { headersToStrings } from './headers.js';

/** Where a partition's retained records start (`low`) and where the next one will go (`high`). */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

async function withAdmin<T>(kafka: KafkaClient, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaDriver(kafka).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
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
  const ranges =
    options.ranges ??
    ((await topicOffsets(kafka, topic)) ?? []).map(({ partition, low, high }) => ({
      partition,
      from: low,
      until: high,
    }));
  const remaining = new Map(
    ranges
      .filter((range) => BigInt(range.until) > BigInt(range.from))
      .map((range) => [range.partition, range] as const),
  );
  const next = new Map([...remaining.values()].map((range) => [range.partition, BigInt(range.from)]));
  const records: ConsumedRecord[] = [];
  if (remaining.size === 0) return records;
  const groupId = `${options.groupIdPrefix ?? 'dragnet-read-'}${randomUUID()}`;
  const consumer = kafkaDriver(kafka).consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 30_000;
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} records of ${topic} in ${timeoutMs} ms, not all`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const range = remaining.get(partition);
            const offset = BigInt(message.offset);
            // Before the seek lands, records may come from the start, then again from `from`: keep each once.
            if (!range || offset < (next.get(partition) ?? 0n) || offset >= BigInt(range.until)) return;
            next.set(partition, offset + 1n);
            records.push({
              topic,
              partition,
              offset: message.offset,
              key: message.key,
              value: message.value,
              headers: headersToStrings(message.headers),
              timestamp: Number(message.timestamp),
            });
            if (offset + 1n >= BigInt(range.until)) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
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
  } finally {
    await consumer.disconnect();
    await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
  return records;
}
