// A report's correlation id through enrichment, on the real Kafka, Redis and
// Elasticsearch: the deduplicator schedules the enrichment job, the enricher's
// worker (BullMQ) publishes the result on the merge input topic, and the
// deduplicator's change built from that result still names the report.
import { vi } from 'vitest';

// Before any import reads it: this file's own topics, queues, index and Redis keys.
vi.hoisted(() => {
  process.env.DRAGNET_NAMESPACE = `int-corr-${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 6)}`;
});

import { HEADERS, mergeStateKey, names, QUEUES } from '@dragnet/contracts';
import { decodeMergeInput, encodeMergeInput } from '@dragnet/contracts/merge-input';
import { concreteIndexUuid, deleteIndicatorIndex, ensureIndicatorIndex } from '@dragnet/elasticsearch';
import type { IndicatorReport } from '@dragnet/indicators';
import { type BatchProducer, createBatchProducer, deleteTopics, ensureTopics } from '@dragnet/kafka';
import { type JobQueue, openQueue } from '@dragnet/queue';
import { createStageMetrics } from '@dragnet/runtime';
import {
  readTopic,
  requireStack,
  stack,
  testElasticsearch,
  testKafka,
  testKeyStore,
  testLogger,
  testRedis,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrichmentWorker } from '../../enricher/src/worker.js';
import { createDeduplicator } from './handler.js';

// The queue adapter still names its queues from the environment's namespace (set above); everything else takes these.
const NAMES = names(process.env.DRAGNET_NAMESPACE);
const { topics: TOPICS, index: INDEX, redisKeys: REDIS_KEYS } = NAMES;
const kafka = testKafka();
const elasticsearch = testElasticsearch();
const redis = testRedis();
const keys = testKeyStore();
const connection = { url: stack.REDIS_URL, maxRetriesPerRequest: null } as const;
const VERSIONS = { ip: 1 };
const ID = 'ipv4-addr--4c7f0a6e-2b1d-5e8a-9c3f-7d6e5b4a3c21';
const CORRELATION_ID = 'report-7e1c9a';
let indexUuid = '';
const context = { topic: TOPICS.mergeInput, partition: 0, heartbeat: async () => undefined };

const report: IndicatorReport = {
  id: ID,
  kind: 'ipv4',
  value: '198.51.100.23',
  provider: 'synthetic-a',
  feedName: 'Synthetic A',
  firstSeen: Date.UTC(2026, 10, 1),
  lastSeen: Date.UTC(2026, 10, 1),
  confidence: 70,
  tlp: 'green',
  tags: [],
  threatNames: [],
  description: null,
  reference: null,
  validUntil: null,
  provenance: { topic: 'feeds.synthetic-a', partition: 0, offset: '0', recordId: null },
};

describe('correlation id through enrichment (real Kafka, Redis, Elasticsearch, BullMQ)', () => {
  let producer: BatchProducer;
  let queue: JobQueue<'enrichment'>;

  const createTestDeduplicator = async () =>
    createDeduplicator({
      kafka,
      redis: keys,
      elasticsearch,
      producer,
      queue,
      logger: testLogger,
      metrics: createStageMetrics('deduplicator-correlation-test'),
      names: NAMES,
      config: {
        MERGE_GRANULARITY_MS: 3_600_000,
        MERGE_STATE_TTL_SECONDS: 600,
        ENRICHMENT_BATCH_SIZE: 500,
        RECOVERY_LOCK_TTL_MS: 5_000,
        RECOVERY_DRAIN_TIMEOUT_MS: 5_000,
      },
      defaultTlpOf: () => 'green',
      score: () => ({ score: 50, baseScore: 50, expired: false, expiresAt: null }),
      providerVersions: VERSIONS,
      indexUuid: await concreteIndexUuid(elasticsearch, INDEX.alias),
      isStopping: () => false,
    });

  beforeAll(async () => {
    await requireStack();
    await ensureTopics(
      kafka,
      [TOPICS.mergeInput, TOPICS.changes, TOPICS.deadLetter].map((topic) => ({ topic, partitions: 1 })),
    );
    await ensureIndicatorIndex(elasticsearch, INDEX);
    // A cache whose epoch marker is in place: this test is about one state, not recovery.
    indexUuid = await concreteIndexUuid(elasticsearch, INDEX.alias);
    await redis.set(`${REDIS_KEYS.mergeState}epoch`, indexUuid);
    producer = await createBatchProducer(kafka);
    queue = openQueue('enrichment', connection);
  });

  afterAll(async () => {
    await queue?.obliterate();
    await queue?.close();
    await producer?.disconnect();
    await deleteTopics(kafka, [TOPICS.mergeInput, TOPICS.changes, TOPICS.deadLetter]).catch(() => undefined);
    await deleteIndicatorIndex(elasticsearch, INDEX).catch(() => undefined);
    await redis.del(`${REDIS_KEYS.mergeState}epoch`, mergeStateKey(REDIS_KEYS.mergeState, indexUuid, ID));
    redis.disconnect();
    keys.disconnect();
    await elasticsearch.close();
  });

  it("a report's correlation id reaches its enrichment result on the merge input topic, and the change built from it", async () => {
    expect(QUEUES.enrichment).toContain(process.env.DRAGNET_NAMESPACE);
    const deduplicator = await createTestDeduplicator();

    // The report as the normalizer produces it, read back from Kafka as the deduplicator consumes it.
    await producer.send([
      { topic: TOPICS.mergeInput, ...encodeMergeInput({ kind: 'report', record: report }, CORRELATION_ID) },
    ]);
    const [reportRecord] = await readTopic(kafka, TOPICS.mergeInput, 1);
    await deduplicator.handle([reportRecord!], context);

    const worker = createEnrichmentWorker({
      enrich: () => ({ dragnet: { ip_class: 'documentation' } }),
      versions: VERSIONS,
      producer,
      names: NAMES,
      connection,
      concurrency: 1,
    });
    try {
      const onTopic = await readTopic(kafka, TOPICS.mergeInput, 2);
      const result = onTopic.find((record) => record.headers[HEADERS.recordKind] === 'enrichment');
      expect(result?.key?.toString()).toBe(ID);
      // The wire header itself, then what the deduplicator's decoder makes of the record.
      expect(result?.headers['dragnet-correlation-id']).toBe(CORRELATION_ID);
      const decoded = decodeMergeInput(result!);
      expect(decoded).toMatchObject({
        ok: true,
        input: { kind: 'enrichment', record: { id: ID, versions: VERSIONS } },
        correlationId: CORRELATION_ID,
      });

      await deduplicator.handle([result!], context);
      const changes = await readTopic(kafka, TOPICS.changes, 2);
      expect(changes.map((change) => change.headers['dragnet-correlation-id'])).toEqual([
        CORRELATION_ID,
        CORRELATION_ID,
      ]);
      const enriched = JSON.parse(String(changes[1]!.value)) as { dragnet: { enrichment?: unknown } };
      expect(enriched.dragnet.enrichment).toMatchObject({ ip_class: 'documentation' });
    } finally {
      await worker.close();
    }
  });

  it("dead-letters bad input with the codec's code per failure (a bad JSON record is not `invalid_avro`)", async () => {
    const deduplicator = await createTestDeduplicator();
    const record = (kind: string, value: string, offset: string) => ({
      topic: TOPICS.mergeInput,
      partition: 0,
      offset,
      key: Buffer.from(ID),
      value: Buffer.from(value),
      headers: { 'dragnet-record-type': kind, 'dragnet-correlation-id': `bad-${offset}` },
      timestamp: Date.now(),
    });
    await deduplicator.handle(
      [
        record('refresh', '{"id":', '10'),
        record('enrichment', `{"id":"${ID}","versions":{"ip":"1"},"result":{}}`, '11'),
        record('sighting', '{}', '12'),
        record('report', '{"not":"avro"}', '13'),
      ],
      context,
    );
    const letters = (await readTopic(kafka, TOPICS.deadLetter, 4)).map((letter) =>
      JSON.parse(String(letter.value)),
    );
    expect(letters.map((letter) => [letter.stage, letter.code, letter.correlationId])).toEqual([
      ['deduplicator', 'invalid_refresh_record', 'bad-10'],
      ['deduplicator', 'invalid_enrichment_record', 'bad-11'],
      ['deduplicator', 'unknown_record_kind', 'bad-12'],
      ['deduplicator', 'invalid_avro', 'bad-13'],
    ]);
  });
});
