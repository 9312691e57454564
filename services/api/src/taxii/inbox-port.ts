import { type DeadLetter, decodeDeadLetter, HEADERS, type Names } from '@dragnet/contracts';
import {
  type BatchProducer,
  consumerGroupLag,
  type KafkaClient,
  type OffsetRange,
  readTopicRange,
  topicOffsets,
} from '@dragnet/kafka';
import type { KeyStore } from '@dragnet/redis';
import { bundleMessage, outcomeOf, type PartitionEnd, passedAll, type StatusRecord } from './inbox.js';

/** The inbox's I/O: the post onto Kafka, its status in Redis, the normalizer's outcome from Kafka. */
export interface InboxPort {
  /** Writes the post as one message to the partner's topic (acknowledged), then stores its pending status. */
  submit(post: {
    statusId: string;
    keyId: string;
    partner: string;
    objects: unknown[];
  }): Promise<StatusRecord>;
  /** The status, brought up to date with the normalizer's outcome; null when unknown or expired. */
  status(statusId: string): Promise<StatusRecord | null>;
}

export interface InboxPortDependencies {
  kafka: KafkaClient;
  producer: BatchProducer;
  store: KeyStore;
  names: Pick<Names, 'partnerTopic' | 'partnerRejectsTopic' | 'groups' | 'redisKeys'>;
  /** How long a status is kept (from the post, renewed when it completes). */
  statusTtlMs: number;
  /** Longest read of a rejects topic for one status. */
  readTimeoutMs?: number;
}

const endsOf = (offsets: { partition: number; high: string }[]): PartitionEnd[] =>
  offsets.map(({ partition, high }) => ({ partition, high }));

export function createInboxPort(deps: InboxPortDependencies): InboxPort {
  const { kafka, names, store } = deps;
  const keyOf = (statusId: string) => `${names.redisKeys.taxiiStatus}${statusId}`;
  const ends = async (topic: string): Promise<PartitionEnd[]> => {
    const offsets = await topicOffsets(kafka, topic);
    if (!offsets) throw new Error(`topic ${topic} does not exist`);
    return endsOf(offsets);
  };
  const save = (record: StatusRecord) =>
    store.set(keyOf(record.id), JSON.stringify(record), { ttlMs: deps.statusTtlMs });
  return {
    async submit({ statusId, keyId, partner, objects }) {
      const topic = names.partnerTopic(partner);
      // Before the send: the normalizer's letter for this message can only come after these ends.
      const rejectsFrom = await ends(names.partnerRejectsTopic(partner));
      const requestTimestamp = new Date().toISOString();
      await deps.producer.send([
        {
          topic,
          key: statusId,
          value: bundleMessage(statusId, objects),
          // The normalizer keeps a valid correlation id on every report and dead letter of the message.
          headers: { [HEADERS.correlationId]: statusId },
        },
      ]);
      const messageBefore = await ends(topic);
      const record: StatusRecord = {
        id: statusId,
        keyId,
        partner,
        requestTimestamp,
        totalCount: objects.length,
        messageBefore,
        rejectsFrom,
      };
      await save(record);
      return record;
    },

    async status(statusId) {
      const stored = await store.get(keyOf(statusId));
      if (stored === null) return null;
      const record = JSON.parse(stored) as StatusRecord;
      if (record.outcome) return record;
      const topic = names.partnerTopic(record.partner);
      const lags = await consumerGroupLag(kafka, names.groups.normalizer, [topic]);
      const committed = new Map(lags.map((lag) => [lag.partition, lag.committed]));
      if (!passedAll(record.messageBefore, committed)) return record;
      const letters = await lettersOf(deps, record);
      const done: StatusRecord = { ...record, outcome: outcomeOf(letters, record.totalCount) };
      await save(done);
      return done;
    },
  };
}

/** The normalizer's letters for one post: on the partner's rejects topic since the post, carrying its status id. */
async function lettersOf(deps: InboxPortDependencies, record: StatusRecord): Promise<DeadLetter[]> {
  const rejectsTopic = deps.names.partnerRejectsTopic(record.partner);
  const now = (await topicOffsets(deps.kafka, rejectsTopic)) ?? [];
  const from = new Map(record.rejectsFrom.map((end) => [end.partition, end.high]));
  const ranges: OffsetRange[] = now
    .map(({ partition, high }) => ({ partition, from: from.get(partition) ?? '0', until: high }))
    .filter((range) => BigInt(range.until) > BigInt(range.from));
  // Nothing added to the rejects topic since the post: no letter, every object went through.
  if (ranges.length === 0) return [];
  const records = await readTopicRange(deps.kafka, rejectsTopic, {
    ranges,
    timeoutMs: deps.readTimeoutMs ?? 30_000,
    groupIdPrefix: deps.names.groups.apiReaderPrefix,
  });
  const source = deps.names.partnerTopic(record.partner);
  const letters: DeadLetter[] = [];
  for (const { value } of records) {
    if (!value) continue;
    let letter: DeadLetter;
    try {
      letter = decodeDeadLetter(value);
    } catch {
      continue; // not a letter of ours: the rejects topic is written by the normalizer only
    }
    if (letter.correlationId === record.id && letter.source.topic === source) letters.push(letter);
  }
  return letters;
}
