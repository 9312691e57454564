import type { ConsumedRecord, KafkaClient } from '@dragnet/kafka';
import { kafkaDriver } from '@dragnet/kafka/driver';
import { uniqueName } from './stack.js';

/** Reads a topic from the beginning until `count` records arrived (or fails after `timeoutMs`). */
export async function readTopic(
  kafka: KafkaClient,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  const consumer = kafkaDriver(kafka).consumer({ groupId: uniqueName('test-reader'), maxWaitTimeInMs: 100 });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`read ${records.length} of ${count} records from ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      if (count === 0) {
        clearTimeout(timer);
        resolve();
      }
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {}))
            if (value !== undefined) headers[name] = String(value);
          records.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers,
            timestamp: Number(message.timestamp),
          });
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
