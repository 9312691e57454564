import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';

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

export async function createBatchProducer(kafka: Kafka, options: { idempotent?: boolean } = {}): Promise<BatchProducer> {
  const idempotent = options.idempotent ?? true;
  // The idempotent producer removes duplicates caused by the producer's own
  // retries; kafkajs requires maxInFlightRequests = 1 for it.
  const producer: Producer = kafka.producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : 5,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return {
    async send(records) {
      if (records.length === 0) return;
      const byTopic = new Map<string, { key: string | Buffer | null; value: Buffer | string | null; headers?: Record<string, string | Buffer> }[]>();
      for (const record of records) {
        let messages = byTopic.get(record.topic);
        if (!messages) {
          messages = [];
          byTopic.set(record.topic, messages);
        }
        messages.push(record.headers ? { key: record.key, value: record.value, headers: record.headers } : { key: record.key, value: record.value });
      }
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    },
    disconnect: () => producer.disconnect(),
  };
}
