import type { Kafka } from 'kafkajs';

/**
 * A connection to the brokers (from `createKafka` / `kafkaFromConfig`). What
 * it does is this package's operations: `ensureTopics`, `runBatchConsumer`,
 * `createBatchProducer`, `waitForGroupOffsets`, `readTopic`, …; kafkajs stays
 * inside the package.
 */
export interface KafkaClient {
  readonly [kafkaClientBrand]: 'KafkaClient';
}
declare const kafkaClientBrand: unique symbol;

/** The kafkajs client behind a `KafkaClient`: for this package, and tests through `@dragnet/kafka/driver`. */
export const kafkaDriver = (client: KafkaClient): Kafka => client as unknown as Kafka;
export const asKafkaClient = (kafka: Kafka): KafkaClient => kafka as unknown as KafkaClient;
export type { Kafka } from 'kafkajs';
