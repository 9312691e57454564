import { CompressionTypes, Partitioners, type Producer } from 'kafkajs';
import { METADATA_MAX_AGE_MS } from './defaults.js';
import { type KafkaClient, kafkaDriver } from './driver.js';

export interface OutgoingRecord {
  topic: string;
  key: string | Buffer | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer>;
}

export interface BatchProducer {
  /**
   * Sends records, grouped by topic, in one request per broker and resolves
   * once every broker acknowledged all of them (acks=all). Callers commit
   * their input offsets only after this resolves.
   */
  send(records: OutgoingRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export async function createBatchProducer(
  kafka: KafkaClient,
  options: { idempotent?: boolean; maxRequestBytes?: number } = {},
): Promise<BatchProducer> {
  const idempotent = options.idempotent ?? true;
  const maxRequestBytes = options.maxRequestBytes ?? 900_000;
  // The idempotent producer removes duplicates caused by the producer's own
  // retries; kafkajs requires maxInFlightRequests = 1 for it.
  const producer: Producer = kafkaDriver(kafka).producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : 5,
    allowAutoTopicCreation: false,
    // Added partitions get keys within this long (kafkajs' default is 5 min).
    metadataMaxAge: METADATA_MAX_AGE_MS,
    // murmur2 of the key (the indicator id), as the Java client does.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async send(records) {
      // Brokers refuse requests over message.max.bytes (1 MiB by default):
      // send in chunks, one after another, each acknowledged before the next.
      for (const chunk of chunksByBytes(records, maxRequestBytes)) await sendChunk(producer, chunk);
    },
    disconnect: () => producer.disconnect(),
  };
}

type Message = {
  key: string | Buffer | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer>;
};

async function sendChunk(producer: Producer, records: OutgoingRecord[]): Promise<void> {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    let messages = byTopic.get(record.topic);
    if (!messages) {
      messages = [];
      byTopic.set(record.topic, messages);
    }
    messages.push(
      record.headers
        ? { key: record.key, value: record.value, headers: record.headers }
        : { key: record.key, value: record.value },
    );
  }
  await producer.sendBatch({
    acks: -1,
    compression: CompressionTypes.None,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  });
}

const sizeOf = (part: string | Buffer | null) =>
  part === null ? 0 : typeof part === 'string' ? part.length * 3 : part.length;

export function* chunksByBytes(records: OutgoingRecord[], maxBytes: number): Generator<OutgoingRecord[]> {
  let chunk: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = sizeOf(record.key) + sizeOf(record.value) + 64;
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
