import { CompressionTypes, Partitioners, type Producer } from 'kafkajs';
import { METADATA_MAX_AGE_MS } from './defaults.js';
import { type KafkaClient, kafkaDriver } from './driver.js';
import { InfrastructureError } from './isolation.js';

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
  const connect = async (): Promise<ProducerConnection> => {
    // The idempotent producer removes duplicates caused by the producer's own
    // retries; kafkajs requires maxInFlightRequests = 1 for it.
    const producer = kafkaDriver(kafka).producer({
      idempotent,
      maxInFlightRequests: idempotent ? 1 : 5,
      allowAutoTopicCreation: false,
      // Added partitions get keys within this long (kafkajs' default is 5 min).
      metadataMaxAge: METADATA_MAX_AGE_MS,
      // murmur2 of the key (the indicator id), as the Java client does.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return { send: (records) => sendChunk(producer, records), disconnect: () => producer.disconnect() };
  };
  return serialisedProducer(await connect(), connect, maxRequestBytes);
}

/** One connected driver producer, as the send discipline sees it: one acknowledged send of one chunk. */
export interface ProducerConnection {
  send(records: OutgoingRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * The send discipline, apart from the driver so that it is testable: one send
 * at a time (kafkajs' idempotent producer numbers each partition's batches
 * before it sends them; two sends in flight to one partition — the batches of
 * two partitions being consumed at once, or a dead letter — can leave its
 * numbering behind the broker's after a leader change, and then every later
 * send there fails); a producer the broker no longer accepts is replaced; and
 * every failure that is not the records' own is an `InfrastructureError`, so
 * the consumer retries it and never dead-letters good records for it.
 */
export function serialisedProducer(
  first: ProducerConnection,
  connect: () => Promise<ProducerConnection>,
  maxRequestBytes: number,
): BatchProducer {
  let producer: ProducerConnection | null = first;
  let queue: Promise<unknown> = Promise.resolve();
  const sendAll = async (records: OutgoingRecord[]) => {
    producer ??= await connect().catch((error: unknown) => {
      throw new InfrastructureError('Kafka producer could not connect', { cause: error });
    });
    try {
      // Brokers refuse requests over message.max.bytes (1 MiB by default):
      // send in chunks, one after another, each acknowledged before the next.
      for (const chunk of chunksByBytes(records, maxRequestBytes)) await producer.send(chunk);
    } catch (error) {
      const verdict = classifyProduceError(error);
      if (verdict === 'records') throw error;
      if (verdict === 'replace-producer') {
        // A fresh producer id restarts every partition's numbering; the batch is sent again
        // (some of it a second time: consumers downstream are idempotent).
        const stale = producer;
        producer = null;
        await stale.disconnect().catch(() => undefined);
      }
      throw new InfrastructureError(`Kafka did not acknowledge the records: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  };
  return {
    send(records) {
      const sent = queue.then(() => sendAll(records));
      queue = sent.catch(() => undefined);
      return sent;
    },
    async disconnect() {
      await queue;
      await producer?.disconnect();
      producer = null;
    },
  };
}

/** Broker answers caused by the records themselves: dead-lettering them is right. */
const RECORD_FAULTS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

/** Answers after which the broker no longer accepts this producer's numbering: only a new producer id helps. */
const PRODUCER_STATE_LOST = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

export type ProduceErrorVerdict = 'records' | 'replace-producer' | 'infrastructure';

/**
 * Whose fault a failed send is. Only an answer about the records themselves
 * (too large, invalid) is theirs; a lost producer state needs a new producer;
 * everything else — unreachable brokers, missing grants, retries exhausted —
 * is the infrastructure's, retried until it clears.
 */
export function classifyProduceError(error: unknown): ProduceErrorVerdict {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const { type } = current as Error & { type?: unknown };
    if (typeof type === 'string') {
      if (RECORD_FAULTS.has(type)) return 'records';
      if (PRODUCER_STATE_LOST.has(type)) return 'replace-producer';
    }
    current = current.cause;
  }
  return 'infrastructure';
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

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
