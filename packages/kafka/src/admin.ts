import type { Admin } from 'kafkajs';
import type { KafkaClient } from './driver.js';
import {
  type DurabilityRequest,
  durabilityConfig,
  type TopicDurability,
  topicDurability,
} from './durability.js';
import type { TopicSpec } from './topics.js';
import { withAdmin } from './with-admin.js';

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** Existing topics with fewer partitions than asked for; partitions were added. */
  grown: string[];
  /** What created topics got (a spec's own `replicationFactor` / config wins), with the warning to show. */
  durability: TopicDurability;
}

export interface EnsureTopicsOptions {
  /** Explicit replication settings (`KAFKA_REPLICATION_FACTOR`, `KAFKA_MIN_INSYNC_REPLICAS`); unset: from the broker count. */
  durability?: DurabilityRequest;
}

/**
 * Creates missing topics and grows partition counts; idempotent, so every
 * service and the CLI may call it at start. kafkajs cannot subscribe to a topic
 * that does not exist yet on KRaft, hence topics come first.
 */
export async function ensureTopics(
  kafka: KafkaClient,
  specs: TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<EnsureTopicsResult> {
  return withAdmin(kafka, async (admin) => {
    const { brokers } = await admin.describeCluster();
    const durability = topicDurability(brokers.length, options.durability);
    // On a cluster, a topic just created may be unknown for a moment to the broker asked next
    // (UNKNOWN_TOPIC_OR_PARTITION, retriable): the whole step is idempotent, so do it again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await ensureTopicsWith(admin, specs, durability);
      } catch (error) {
        if (attempt >= 5 || (error as { retriable?: boolean }).retriable !== true) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  });
}

async function ensureTopicsWith(
  admin: Admin,
  specs: TopicSpec[],
  durability: TopicDurability,
): Promise<EnsureTopicsResult> {
  const existingNames = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existingNames.has(spec.topic));
  const present = specs.filter((spec) => existingNames.has(spec.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor ?? durability.replicationFactor,
        configEntries: Object.entries({ ...durabilityConfig(durability), ...spec.config }).map(
          ([name, value]) => ({ name, value }),
        ),
      })),
    });
  }
  const grown: string[] = [];
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.topic) });
    const toGrow = present.filter((spec) => {
      const current = metadata.topics.find((topic) => topic.name === spec.topic)?.partitions.length ?? 0;
      return current < spec.partitions;
    });
    if (toGrow.length > 0) {
      await admin.createPartitions({
        topicPartitions: toGrow.map((spec) => ({ topic: spec.topic, count: spec.partitions })),
      });
      grown.push(...toGrow.map((spec) => spec.topic));
    }
  }
  return {
    created: missing.map((spec) => spec.topic),
    existing: present.map((spec) => spec.topic),
    grown,
    durability,
  };
}

export async function deleteTopics(kafka: KafkaClient, topics: string[]): Promise<void> {
  return withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const toDelete = topics.filter((topic) => existing.has(topic));
    if (toDelete.length > 0) await admin.deleteTopics({ topics: toDelete, timeout: 30_000 });
  });
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: string;
  high: string;
  lag: number;
}

/** Committed offset vs high watermark per partition, for status and `/metrics`. */
export async function consumerGroupLag(
  kafka: KafkaClient,
  groupId: string,
  topics: string[],
): Promise<PartitionLag[]> {
  return withAdmin(kafka, async (admin) => {
    const lags: PartitionLag[] = [];
    const committedByTopic = await admin.fetchOffsets({ groupId, topics });
    for (const { topic, partitions } of committedByTopic) {
      const highs = await admin.fetchTopicOffsets(topic);
      for (const { partition, offset } of partitions) {
        const high = highs.find((entry) => entry.partition === partition)?.high ?? '0';
        const committed =
          offset === '-1' ? (highs.find((e) => e.partition === partition)?.low ?? '0') : offset;
        lags.push({
          topic,
          partition,
          committed,
          high,
          lag: Math.max(0, Number(BigInt(high) - BigInt(committed))),
        });
      }
    }
    return lags;
  });
}

/**
 * Grows `topic` to `count` partitions (Kafka cannot shrink a topic). Keys
 * hash to other partitions afterwards: fine for partner and canonical topics,
 * not for the changes topic (docs/adr/0001-no-lost-update.md, Limits).
 */
export async function addPartitions(kafka: KafkaClient, topic: string, count: number): Promise<void> {
  return withAdmin(kafka, async (admin) => {
    await admin.createPartitions({ topicPartitions: [{ topic, count }] });
  });
}
