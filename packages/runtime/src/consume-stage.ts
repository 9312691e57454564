import type { DeadLetter } from '@dragnet/contracts';
import {
  type BatchHandler,
  type BatchProducer,
  type ConsumedRecord,
  createBatchProducer,
  type KafkaConfigVariables,
  kafkaFromConfig,
  runBatchConsumer,
} from '@dragnet/kafka';
import { recordBatch } from './metrics.js';
import type { ServiceContext, ServiceHandle } from './service.js';

/** The Kafka client of a stage, as `@dragnet/kafka` makes it; given to code that needs the client itself (admin reads). */
export type StageKafka = ReturnType<typeof kafkaFromConfig>;

/** What a stage's handler is built with: the stage's own producer and client, and whether it is stopping. */
export interface StageIo {
  producer: BatchProducer;
  kafka: StageKafka;
  /** True once shutdown began: long waits inside the handler give up (nothing is committed, the batch comes again). */
  isStopping(): boolean;
}

export interface ConsumeStageOptions {
  /** The stage's name: its dead letters' `stage`, its Kafka client id (`dragnet-<stage>`). */
  stage: DeadLetter['stage'];
  config: KafkaConfigVariables & { KAFKA_SESSION_TIMEOUT_MS: number };
  groupId: string;
  topics: string[];
  /** Partitions processed at once by this process. */
  concurrency: number;
  maxBytesPerPartition?: number;
  /** Builds the batch handler once the producer is connected. */
  handler(io: StageIo): BatchHandler;
  /** Copies and partner attribution of `stage_error` dead letters (the normalizer's partner rejects). */
  deadLetters?: {
    partnerOf?: (record: ConsumedRecord) => string | null;
    copyTo?: (record: ConsumedRecord) => string | null;
  };
  /** More readiness than "consuming" (the deduplicator is not ready while it recovers its cache). */
  isReady?(): boolean;
}

/**
 * The consuming half of every pipeline stage: client, producer and batch
 * consumer, with dead letters to the namespace's dead-letter topic, batch
 * metrics and the stage's health. Shutdown (registered here, so it runs
 * before the closers the service registered earlier, e.g. its Elasticsearch
 * or Redis clients) goes: stop fetching → let the batches in hand finish and
 * commit → leave the group → close the producer; then the service's own
 * clients close, all within `SHUTDOWN_TIMEOUT_MS` (the ShutdownRegistry's
 * deadline). Register the clients the handler uses *before* calling this.
 */
export async function startConsumeStage(
  context: ServiceContext,
  options: ConsumeStageOptions,
): Promise<ServiceHandle> {
  const { logger, metrics, shutdown, health, names } = context;
  const kafka = kafkaFromConfig(options.config, options.stage, logger);
  const producer = await createBatchProducer(kafka);
  shutdown.register(`${options.stage}-producer`, () => producer.disconnect());
  let stopping = false;
  const handler = options.handler({ producer, kafka, isStopping: () => stopping });
  const consumer = await runBatchConsumer({
    kafka,
    logger,
    groupId: options.groupId,
    topics: options.topics,
    partitionsConsumedConcurrently: options.concurrency,
    sessionTimeoutMs: options.config.KAFKA_SESSION_TIMEOUT_MS,
    ...(options.maxBytesPerPartition ? { maxBytesPerPartition: options.maxBytesPerPartition } : {}),
    handler,
    onBatchDone: recordBatch(metrics),
    deadLetters: { stage: options.stage, producer, topic: names.topics.deadLetter, ...options.deadLetters },
    health,
  });
  shutdown.register(`${options.stage}-consumer`, async () => {
    stopping = true;
    await consumer.stop();
  });
  return { isReady: () => !stopping && (options.isReady?.() ?? true) };
}
