import { loadConfig } from '@dragnet/config';
import { CONSUMER_GROUPS } from '@dragnet/contracts';
import { createBatchProducer, kafkaFromConfig, runBatchConsumer } from '@dragnet/kafka';
import { loadRegistry } from '@dragnet/partners';
import { FAULT_POINTS, faultPoint, recordBatch, runService } from '@dragnet/runtime';
import { normalizerEnv } from './config.js';
import { normalizeBatch } from './normalize.js';

const config = loadConfig(normalizerEnv);

await runService({
  name: 'normalizer',
  config,
  async start({ logger, metrics, shutdown, health }) {
    const registry = loadRegistry(config.PARTNERS_FILE);
    const kafka = kafkaFromConfig(config, 'normalizer', logger);
    const producer = await createBatchProducer(kafka);
    shutdown.register('producer', () => producer.disconnect());
    let running = false;
    const consumer = await runBatchConsumer({
      kafka,
      logger,
      groupId: CONSUMER_GROUPS.normalizer,
      topics: registry.partners.map((partner) => partner.topic),
      partitionsConsumedConcurrently: config.NORMALIZER_CONCURRENCY,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      handler: async (records) => {
        const batch = normalizeBatch(records, registry);
        faultPoint(FAULT_POINTS.normalizerBeforeProduce);
        await producer.send(batch.outgoing);
        faultPoint(FAULT_POINTS.normalizerAfterProduce);
        metrics.recordsIn.inc({ topic: records[0]!.topic }, records.length);
        metrics.recordsOut.inc({ target: 'canonical' }, batch.indicators);
        for (const [reason, count] of batch.rejectsByReason) metrics.rejected.inc({ reason }, count);
      },
      onBatchDone: recordBatch(metrics),
      deadLetters: {
        stage: 'normalizer',
        producer,
        partnerOf: (record) => registry.byTopic.get(record.topic)?.id ?? null,
        // A message the normalizer could not process at all is a reject its partner should see too.
        copyTo: (record) => registry.byTopic.get(record.topic)?.rejectsTopic ?? null,
      },
      health,
    });
    running = true;
    shutdown.register('consumer', async () => {
      running = false;
      await consumer.stop();
    });
    return { isReady: () => running };
  },
});
