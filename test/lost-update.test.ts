// Interleavings that used to lose a partner's report, driven by hand: the
// deduplicator's and the indexer's real handlers, in this process, against the
// real Kafka, Redis and Elasticsearch (namespaced per file), with the moment of
// each step chosen by the test. See docs/adr/0001-no-lost-update.md.
import { mergeStateKey, names } from '@dragnet/contracts';
import { concreteIndexUuid, getIndicators } from '@dragnet/elasticsearch';
import {
  type BatchProducer,
  type ConsumedRecord,
  createBatchProducer,
  type OutgoingRecord,
} from '@dragnet/kafka';
import { createLogger } from '@dragnet/logger';
import { createStageMetrics } from '@dragnet/runtime';
import { requireStack, testElasticsearch, testKafka, testKeyStore, testRedis } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeduplicator } from '../services/deduplicator/src/handler.js';
import { createIndexer } from '../services/indexer/src/handler.js';
import { normalizeBatch } from '../services/normalizer/src/normalize.js';
import { createPipelineResources, dropPipelineResources, registry } from './pipeline-kit.js';

// This file's namespace (test/namespace.setup.ts), as the services get it in their context.
const NAMES = names(process.env.DRAGNET_NAMESPACE);
const { topics: TOPICS, index: INDEX, redisKeys: REDIS_KEYS } = NAMES;
const kafka = testKafka();
const elasticsearch = testElasticsearch();
const redis = testRedis();
const keys = testKeyStore();
const logger = createLogger({ service: 'lost-update-test', level: 'silent', pretty: false });
const PARTNERS = ['synthetic-a', 'synthetic-b', 'synthetic-c', 'eset-hashes'] as const;
let producer: BatchProducer;
let offset = 0;

/** A canonical record as the normalizer would put it on the canonical topic (one partner's CSV line); each test its own value. */
function canonicalReport(partner: (typeof PARTNERS)[number], value: string): ConsumedRecord {
  const topic = registry.byId.get(partner)!.topic;
  const normalized = normalizeBatch(
    [
      {
        topic,
        partition: 0,
        offset: String(offset++),
        key: null,
        value: Buffer.from(`${value},ipv4,2026-11-01T00:00:00Z\n`),
        headers: {},
        timestamp: Date.parse('2026-11-02T00:00:00Z'),
      },
    ],
    registry,
    NAMES,
  );
  const out = normalized.outgoing.find((record) => record.topic === TOPICS.mergeInput);
  if (!out) throw new Error(`no canonical record for ${partner}`);
  return asConsumed(out);
}

function asConsumed(record: OutgoingRecord): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers ?? {})) headers[name] = value.toString();
  return {
    topic: record.topic,
    partition: 0,
    offset: String(offset++),
    key: record.key === null ? null : Buffer.from(record.key),
    value: record.value === null ? null : Buffer.from(record.value),
    headers,
    timestamp: Date.now(),
  };
}

/**
 * A real producer that also hands each sent record to the test, so the test
 * decides when the next stage sees it; `gate` holds a send back (a paused
 * process) until released.
 */
function tappedProducer(sent: OutgoingRecord[], gate?: { wait: Promise<void> }): BatchProducer {
  return {
    async send(records) {
      if (gate) await gate.wait;
      await producer.send(records);
      sent.push(...records);
    },
    disconnect: async () => undefined,
  };
}

async function deduplicator(sent: OutgoingRecord[], gate?: { wait: Promise<void> }) {
  return createDeduplicator({
    kafka,
    redis: keys,
    elasticsearch,
    producer: tappedProducer(sent, gate),
    queue: null,
    logger,
    metrics: createStageMetrics('deduplicator-test'),
    names: NAMES,
    config: {
      MERGE_GRANULARITY_MS: 3_600_000,
      MERGE_STATE_TTL_SECONDS: 3_600,
      ENRICHMENT_BATCH_SIZE: 500,
      RECOVERY_LOCK_TTL_MS: 5_000,
      RECOVERY_DRAIN_TIMEOUT_MS: 5_000,
    },
    defaultTlpOf: () => 'green',
    score: () => ({ score: 50, baseScore: 50, expired: false, expiresAt: null }),
    providerVersions: {},
    indexUuid: await concreteIndexUuid(elasticsearch, INDEX.alias),
    isStopping: () => false,
  });
}

function indexer(sent: OutgoingRecord[]) {
  return createIndexer({
    elasticsearch,
    producer: tappedProducer(sent),
    logger,
    metrics: createStageMetrics('indexer-test'),
    names: NAMES,
    bulkBytes: 1_048_576,
    bulkConcurrency: 1,
    maxAttempts: 3,
  });
}

const context = { topic: TOPICS.mergeInput, partition: 0, heartbeat: async () => undefined };
const changesOf = (sent: OutgoingRecord[]) => sent.filter((record) => record.topic === TOPICS.changes);
const canonicalOf = (sent: OutgoingRecord[]) => sent.filter((record) => record.topic === TOPICS.mergeInput);

async function indexedProviders(id: string): Promise<string[]> {
  const [stored] = await getIndicators(elasticsearch, INDEX.alias, [id]);
  const sources = (stored?.document.dragnet as { sources?: { provider: string }[] } | undefined)?.sources;
  return (sources ?? []).map((source) => source.provider).sort();
}

/** Runs the deduplicator and indexer handlers until neither has anything left to pass on. */
async function settle(
  dedupe: Awaited<ReturnType<typeof deduplicator>>,
  dedupeSent: OutgoingRecord[],
  index: ReturnType<typeof indexer>,
  indexSent: OutgoingRecord[],
): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const changes = changesOf(dedupeSent).splice(0);
    dedupeSent.length = 0;
    if (changes.length > 0) await index.handle(changes.map(asConsumed), context);
    const reconciles = canonicalOf(indexSent).splice(0);
    indexSent.length = 0;
    if (changes.length === 0 && reconciles.length === 0) return;
    if (reconciles.length > 0) await dedupe.handle(reconciles.map(asConsumed), context);
  }
  throw new Error('deduplicator and indexer did not settle in 10 rounds');
}

let indexUuid = '';
/** The cached state of one indicator, as the deduplicator keys it for this index. */
const stateKey = (id: string) => mergeStateKey(REDIS_KEYS.mergeState, indexUuid, id);

describe('no lost update: fenced state writes and reconciled version conflicts', () => {
  beforeAll(async () => {
    await requireStack();
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
    producer = await createBatchProducer(kafka);
    // A cache whose epoch marker is in place: these tests are about individual states, not recovery.
    indexUuid = await concreteIndexUuid(elasticsearch, INDEX.alias);
    await redis.set(`${REDIS_KEYS.mergeState}epoch`, indexUuid);
  });
  afterAll(async () => {
    await producer.disconnect();
    await dropPipelineResources(kafka, elasticsearch);
    redis.disconnect();
    keys.disconnect();
  });

  it('Redis losing its last write (an older state comes back) does not lose the next report', async () => {
    const dedupeSent: OutgoingRecord[] = [];
    const indexSent: OutgoingRecord[] = [];
    const dedupe = await deduplicator(dedupeSent);
    const index = indexer(indexSent);
    const first = canonicalReport('synthetic-a', '198.51.100.77');
    const id = first.key!.toString();

    await dedupe.handle([first], context);
    await settle(dedupe, dedupeSent, index, indexSent);
    const snapshot = await redis.get(stateKey(id));
    expect(snapshot).not.toBeNull();

    await dedupe.handle([canonicalReport('synthetic-b', '198.51.100.77')], context);
    await settle(dedupe, dedupeSent, index, indexSent);
    expect(await indexedProviders(id)).toEqual(['synthetic-a', 'synthetic-b']);

    // Redis loses the last write (AOF everysec, async replica promoted, older snapshot restored).
    await redis.set(stateKey(id), snapshot!);

    // The next report is merged on top of the older state: its change carries a revision the
    // index already has, and Elasticsearch refuses it.
    await dedupe.handle([canonicalReport('synthetic-c', '198.51.100.77')], context);
    await settle(dedupe, dedupeSent, index, indexSent);

    expect(await indexedProviders(id)).toEqual(['synthetic-a', 'synthetic-b', 'synthetic-c']);
  });

  it('a paused deduplicator (zombie) that wakes up after the new owner saved never overwrites it', async () => {
    const ownerSent: OutgoingRecord[] = [];
    const zombieSent: OutgoingRecord[] = [];
    const indexSent: OutgoingRecord[] = [];
    let release!: () => void;
    const gate = { wait: new Promise<void>((resolve) => (release = resolve)) };
    const owner = await deduplicator(ownerSent);
    const zombie = await deduplicator(zombieSent, gate);
    const index = indexer(indexSent);
    const base = canonicalReport('synthetic-a', '198.51.100.78');
    const id = base.key!.toString();
    await owner.handle([base], context);
    await settle(owner, ownerSent, index, indexSent);

    // The zombie has read the state and merged its batch, and is paused before producing.
    const zombieBatch = zombie.handle([canonicalReport('synthetic-b', '198.51.100.78')], context);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Meanwhile the partition moved to the new owner, which processes its own records.
    await owner.handle([canonicalReport('synthetic-c', '198.51.100.78')], context);
    await settle(owner, ownerSent, index, indexSent);
    release();
    await zombieBatch;
    // Right after the zombie's batch, before anything downstream could repair it: the cache holds
    // the owner's statement and the zombie's, merged, not the zombie's older view.
    const cached = JSON.parse((await redis.get(stateKey(id)))!.replace(/^\d+\|/, '')) as {
      sources: { provider: string }[];
    };
    expect(cached.sources.map((source) => source.provider).sort()).toEqual([
      'synthetic-a',
      'synthetic-b',
      'synthetic-c',
    ]);
    await settle(zombie, zombieSent, index, indexSent);
    await settle(owner, ownerSent, index, indexSent);
    expect(await indexedProviders(id)).toEqual(['synthetic-a', 'synthetic-b', 'synthetic-c']);
  });

  it('after a cache rollback, changes that pile up before the indexer runs (one batch, several revisions) lose nothing', async () => {
    const dedupeSent: OutgoingRecord[] = [];
    const indexSent: OutgoingRecord[] = [];
    const dedupe = await deduplicator(dedupeSent);
    const index = indexer(indexSent);
    const first = canonicalReport('synthetic-a', '198.51.100.79');
    const id = first.key!.toString();
    await dedupe.handle([first], context);
    const snapshot = await redis.get(stateKey(id));
    // B's change is produced, then the cache loses it; two later batches build on the older state.
    await dedupe.handle([canonicalReport('synthetic-b', '198.51.100.79')], context);
    await redis.set(stateKey(id), snapshot!);
    await dedupe.handle([canonicalReport('synthetic-c', '198.51.100.79')], context);
    // Two reports in one batch: still one revision for the change.
    await dedupe.handle(
      [canonicalReport('eset-hashes', '198.51.100.79'), canonicalReport('synthetic-c', '198.51.100.79')],
      context,
    );
    // The indexer meets all four changes in one batch: the highest lacks B, the one it supersedes has it.
    await settle(dedupe, dedupeSent, index, indexSent);
    expect(await indexedProviders(id)).toEqual(['eset-hashes', 'synthetic-a', 'synthetic-b', 'synthetic-c']);
  });
});
