/**
 * Fault tests for infrastructure trouble and hostile messages, end to end:
 * Elasticsearch down or answering 429 (through a fault proxy), Redis
 * restarted empty or from an older snapshot (a private redis-server), hostile
 * messages in every partner format, and a message over the broker's limit.
 * Each ends with the index compared to a pure fold of what was pushed, and
 * the dead-letter topic read back.
 */

import type { DeadLetter } from '@dragnet/contracts';
import { INDEX } from '@dragnet/contracts';
import { createBatchProducer } from '@dragnet/kafka';
import {
  eventually,
  requireStack,
  type ServiceProcess,
  stack,
  testElasticsearch,
  testKafka,
} from '@dragnet/test-kit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assertExactFor,
  createPipelineResources,
  dropPipelineResources,
  type ExactOutcome,
  Pipeline,
  registry,
  SYNTHETIC_PARTNERS,
  serviceEnv,
  waitForIdle,
} from './pipeline-kit.js';
import { readDeadLetters, stageErrors } from './support/dead-letters.js';
import { pushFeed } from './support/feeds.js';
import { type FaultProxy, startFaultProxy } from './support/http-fault-proxy.js';
import { logLines, opsPort, peakRssMiB, readiness } from './support/ops.js';
import { goodMessages, type PoisonMessage, poisonMessages } from './support/poison-messages.js';
import { type PrivateRedis, startPrivateRedis } from './support/private-redis.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One row of the report printed at the end: what each fault did to the data. */
const report: Record<string, unknown>[] = [];
function record(fault: string, outcome: ExactOutcome, letters: DeadLetter[], started: number, extra = {}) {
  report.push({
    fault,
    indicators: outcome.expected,
    lost: outcome.lost,
    unexpected: outcome.unexpected,
    deadLettered: letters.length,
    stageErrors: stageErrors(letters).length,
    seconds: Math.round((Date.now() - started) / 1000),
    ...extra,
  });
}

async function countIndexed(): Promise<number> {
  await elasticsearch.indices.refresh({ index: INDEX.alias });
  return (await elasticsearch.count({ index: INDEX.alias })).count;
}

/** Polls a service's /readyz until `wanted` (200 or 503); resolves with the answer and how long it took. */
async function readyzBecomes(service: ServiceProcess, wanted: number, timeoutMs: number) {
  const port = await opsPort(service);
  const since = Date.now();
  const answer = await eventually(
    () => readiness(port),
    (seen) => seen.status === wanted,
    {
      timeoutMs,
      intervalMs: 250,
      what: `${service.name} /readyz to answer ${wanted}`,
    },
  );
  return { ...answer, afterMs: Date.now() - since };
}

/** Polls /readyz in the background; remembers the first 503 answer and when it came. */
async function watchNotReady(service: ServiceProcess, since: number) {
  const port = await opsPort(service);
  let first: string | null = null;
  let firstAt = Number.NaN;
  let running = true;
  void (async () => {
    while (running && first === null) {
      const answer = await readiness(port).catch(() => null);
      if (answer && answer.status === 503) {
        first = `503 ${answer.body.trim()}`;
        firstAt = Date.now();
      }
      await sleep(250);
    }
  })();
  return {
    stop: () => {
      running = false;
    },
    first: () => first,
    firstAfterMs: () => firstAt - since,
  };
}

describe('faults: infrastructure trouble and hostile messages', () => {
  let pipeline: Pipeline | undefined;
  let proxy: FaultProxy | undefined;
  let redis: PrivateRedis | undefined;

  beforeAll(requireStack);
  beforeEach(async () => {
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
  });
  afterEach(async () => {
    await pipeline?.stopAll();
    await proxy?.close();
    await redis?.stop();
    pipeline = undefined;
    proxy = undefined;
    redis = undefined;
    await dropPipelineResources(kafka, elasticsearch);
  });
  afterAll(() => {
    console.table(report);
  });

  it('Elasticsearch unreachable for 30 s: stages report not ready, nothing is dead-lettered, the index ends exact', async () => {
    const started = Date.now();
    proxy = await startFaultProxy(stack.ELASTICSEARCH_URL, stack.ELASTICSEARCH_CA_FILE);
    pipeline = new Pipeline(serviceEnv({ ELASTICSEARCH_URL: proxy.url }));
    pipeline.startAll();
    await pushFeed(kafka, 1_500, 41);
    await waitForIdle(kafka, SYNTHETIC_PARTNERS);
    const before = await countIndexed();
    expect(before).toBeGreaterThan(0);

    // The outage: the same observables seen again later (cached states that must be written
    // again, so the indexer has work) and new ones (cache misses the deduplicator reads from the index).
    await proxy.setMode({ kind: 'down' });
    const downAt = Date.now();
    await pushFeed(kafka, 1_500, 41, 3);
    await pushFeed(kafka, 1_000, 42);
    const [indexer] = pipeline.running('indexer');
    const [deduplicator] = pipeline.running('deduplicator');
    const notReady = {
      indexer: await watchNotReady(indexer!, downAt),
      deduplicator: await watchNotReady(deduplicator!, downAt),
    };
    await sleep(Math.max(0, 30_000 - (Date.now() - downAt)));
    expect(await countIndexed()).toBe(before);
    notReady.indexer.stop();
    notReady.deduplicator.stop();

    await proxy.setMode({ kind: 'pass' });
    const outcome = await assertExactFor(kafka, elasticsearch, SYNTHETIC_PARTNERS);
    await readyzBecomes(indexer!, 200, 30_000);
    await readyzBecomes(deduplicator!, 200, 30_000);
    const letters = await readDeadLetters(kafka);
    expect(letters.map((letter) => `${letter.stage}:${letter.code}`)).toEqual([]);
    expect(pipeline.running('indexer')).toHaveLength(1);
    const failedCalls = logLines(indexer!, 'batch handler failed').length;
    record('Elasticsearch down 30 s', outcome, letters, started, {
      indexerNotReadyAfterS: notReady.indexer.firstAfterMs() / 1000,
      deduplicatorNotReadyAfterS: notReady.deduplicator.firstAfterMs() / 1000,
      indexerFailedCalls: failedCalls,
    });
    // docs/operations.md: during an infrastructure fault "/readyz answers 503 meanwhile".
    expect(String(notReady.indexer.first()), 'indexer /readyz during the 30 s outage').toMatch(
      /^503 not ready: stage indexer failing: \d+ handler calls in a row failed over \d+ s, last infrastructure/,
    );
    expect(String(notReady.deduplicator.first()), 'deduplicator /readyz during the 30 s outage').toMatch(
      /^503 .*infrastructure/,
    );
  });

  it('Elasticsearch answering 429 (whole bulk requests, then a quarter of the items): retried, never dead-lettered, exact', async () => {
    const started = Date.now();
    proxy = await startFaultProxy(stack.ELASTICSEARCH_URL, stack.ELASTICSEARCH_CA_FILE);
    pipeline = new Pipeline(serviceEnv({ ELASTICSEARCH_URL: proxy.url }));
    pipeline.startAll();
    const [indexer] = pipeline.running('indexer');
    await readyzBecomes(indexer!, 200, 90_000);
    await proxy.setMode({ kind: 'reject-bulk' });
    await pushFeed(kafka, 2_000, 43);
    const notReady = await readyzBecomes(indexer!, 503, 60_000);
    expect(notReady.body).toMatch(/last infrastructure: .*429|es_rejected_execution_exception/);
    expect(await countIndexed()).toBe(0);

    await proxy.setMode({ kind: 'throttle-items', fraction: 0.25 });
    await pushFeed(kafka, 2_000, 43, 2);
    const outcome = await assertExactFor(kafka, elasticsearch, SYNTHETIC_PARTNERS);
    expect(proxy.stats.bulkRequestsRejected).toBeGreaterThan(0);
    expect(proxy.stats.itemsThrottled).toBeGreaterThan(0);
    const letters = await readDeadLetters(kafka);
    expect(letters.map((letter) => `${letter.stage}:${letter.code}`)).toEqual([]);
    record('Elasticsearch 429 (bulk, then 25% of items)', outcome, letters, started, { ...proxy.stats });
  });

  it('Redis killed -9 and restarted empty mid-ingest: the cache is rebuilt from the index, exact', async () => {
    const started = Date.now();
    redis = await startPrivateRedis();
    pipeline = new Pipeline(serviceEnv({ REDIS_URL: redis.url }));
    await pushFeed(kafka, 2_500, 51);
    pipeline.startAll();
    await eventually(countIndexed, (count) => count > 200, {
      timeoutMs: 120_000,
      what: 'indexing under way',
    });
    await redis.kill();
    await pushFeed(kafka, 1_000, 51, 2);
    await sleep(3_000);
    await redis.start();
    await pushFeed(kafka, 1_000, 52);
    const outcome = await assertExactFor(kafka, elasticsearch, SYNTHETIC_PARTNERS);
    const letters = await readDeadLetters(kafka);
    expect(letters.map((letter) => `${letter.stage}:${letter.code}`)).toEqual([]);
    record('Redis kill -9, restart empty', outcome, letters, started);
  });

  it('Redis restarted from an older snapshot (epoch marker intact, last writes lost): fenced writes and reconcile keep every report', async () => {
    const started = Date.now();
    redis = await startPrivateRedis();
    pipeline = new Pipeline(serviceEnv({ REDIS_URL: redis.url }));
    pipeline.startAll();
    await pushFeed(kafka, 2_000, 53);
    await waitForIdle(kafka, SYNTHETIC_PARTNERS);
    const snapshot = await redis.snapshot();

    // Every state moves on after the snapshot (later sightings), then Redis loses that.
    await pushFeed(kafka, 2_000, 53, 2);
    await waitForIdle(kafka, SYNTHETIC_PARTNERS);
    await redis.kill();
    await redis.start({ fromSnapshot: snapshot });
    const client = redis.client();
    const epoch = await client.keys('*epoch*');
    client.disconnect();
    expect(epoch.length, 'the restored cache still carries its epoch marker').toBeGreaterThan(0);

    // Reports merged onto the old states: their documents must not lose the lost writes' content.
    await pushFeed(kafka, 2_000, 53, 4);
    const outcome = await assertExactFor(kafka, elasticsearch, SYNTHETIC_PARTNERS);
    const reconciled = pipeline.processes
      .filter((process) => process.name === 'indexer')
      .flatMap((process) => logLines(process, 'sent back to the deduplicator'));
    expect(
      reconciled.length,
      'the indexer found refused documents with content the index lacked',
    ).toBeGreaterThan(0);
    const letters = await readDeadLetters(kafka);
    expect(letters.map((letter) => `${letter.stage}:${letter.code}`)).toEqual([]);
    record('Redis restored from older snapshot', outcome, letters, started, {
      reconcileLogLines: reconciled.length,
    });
  });

  it('hostile messages in every format among good ones: the stream goes on, good records are indexed, each bad one is dead-lettered with its reasons', async () => {
    const started = Date.now();
    pipeline = new Pipeline(serviceEnv({ NODE_OPTIONS: '--max-old-space-size=192' }));
    pipeline.startAll();
    // Everything on partition 0 of each topic: the good messages after a hostile one wait behind it.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent: (PoisonMessage & { topic: string; offset: string })[] = [];
    const good = new Set<string>();
    const send = async (partner: string, value: Buffer) => {
      const topic = registry.byId.get(partner)!.topic;
      const [ack] = await producer.send({ topic, acks: -1, messages: [{ value, partition: 0 }] });
      return { topic, offset: ack!.baseOffset! };
    };
    const pushGood = async (round: number) => {
      for (const message of goodMessages(round)) {
        await send(message.partner, message.value);
        for (const value of message.good) good.add(value);
      }
    };
    await pushGood(0);
    for (const [index, poison] of poisonMessages().entries()) {
      sent.push({ ...poison, ...(await send(poison.partner, poison.value)) });
      for (const value of poison.good) good.add(value);
      await pushGood(index + 1);
    }
    // A message near the topic's 10 MiB limit: 170,000 bad lines around two good ones.
    const junk = Array.from(
      { length: 85_000 },
      (_, line) => `not a value ${line} ${'z'.repeat(30)},domain,`,
    ).join('\n');
    const large = Buffer.from(
      `large-good-1.example,domain,2026-01-01T00:00:00Z\n${junk}\nlarge-good-2.example,domain,2026-01-01T00:00:00Z\n${junk}\n`,
    );
    expect(large.length).toBeGreaterThan(9 * 1024 * 1024);
    sent.push({
      partner: 'synthetic-a',
      name: `CSV message of ${(large.length / 1024 / 1024).toFixed(1)} MiB`,
      value: large,
      good: ['large-good-1.example', 'large-good-2.example'],
      reasons: ['invalid_domain'],
      ...(await send('synthetic-a', large)),
    });
    good.add('large-good-1.example').add('large-good-2.example');
    await pushGood(99);
    await producer.disconnect();

    const partners = ['eset', 'unit42', 'cert-demo', 'synthetic-a'];
    const outcome = await assertExactFor(kafka, elasticsearch, partners);
    // Independent of the parsers: every good value written by hand is indexed under that value.
    await elasticsearch.indices.refresh({ index: INDEX.alias });
    const found = await elasticsearch.search<{ dragnet: { value: string } }>({
      index: INDEX.alias,
      size: 1_000,
      query: { terms: { 'dragnet.value': [...good] } },
      _source: ['dragnet.value'],
    });
    const indexedValues = new Set(found.hits.hits.map((hit) => hit._source!.dragnet.value));
    expect(
      [...good].filter((value) => !indexedValues.has(value)),
      'good values not indexed',
    ).toEqual([]);
    const all = await elasticsearch.search<{ dragnet: { value: string } }>({
      index: INDEX.alias,
      size: 1_000,
      _source: ['dragnet.value'],
    });
    const notGood = all.hits.hits
      .map((hit) => hit._source!.dragnet.value)
      .filter((value) => !good.has(value));
    expect(notGood, 'indexed values that only hostile records carried').toEqual([]);
    expect(outcome.expected).toBe(good.size);

    const letters = await readDeadLetters(kafka);
    expect(stageErrors(letters).map((letter) => letter.reason)).toEqual([]);
    for (const message of sent) {
      const letter = letters.find(
        (candidate) =>
          candidate.source.topic === message.topic &&
          candidate.source.partition === 0 &&
          candidate.source.offset === message.offset,
      );
      expect(letter, `dead letter of ${message.name}`).toBeDefined();
      expect(letter!.stage).toBe('normalizer');
      const codes = (letter!.rejectCounts ?? letter!.rejects).map((entry) => entry.reason);
      expect(new Set(codes), message.name).toEqual(new Set(message.reasons));
      expect(letter!.reason.length).toBeGreaterThan(0);
      expect(JSON.stringify(letter).length).toBeLessThan(900_000);
    }
    expect(letters).toHaveLength(sent.length);
    const largeLetter = letters.find((letter) => letter.originalLength === large.length)!;
    expect(largeLetter).toMatchObject({
      originalTruncated: true,
      rejectCounts: [{ reason: 'invalid_domain', count: 170_000 }],
    });
    expect(largeLetter.rejectsOmitted).toBe(170_000 - largeLetter.rejects.length);
    const [normalizer] = pipeline.running('normalizer');
    expect(normalizer, 'the normalizer never crashed').toBeDefined();
    const rss = peakRssMiB(normalizer!.child.pid!);
    expect(rss).toBeLessThan(768);
    record('hostile messages (4 formats) + 9.6 MiB message', outcome, letters, started, {
      poisonMessages: sent.length,
      normalizerPeakRssMiB: Math.round(rss),
    });
  });

  it('a 50 MiB feed message is refused by the broker with a clear error (limit: 10 MiB per partner topic)', async () => {
    const started = Date.now();
    const topic = registry.byId.get('synthetic-a')!.topic;
    const admin = kafka.admin();
    await admin.connect();
    const [resource] = (
      await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: topic, configNames: ['max.message.bytes'] }],
      })
    ).resources;
    await admin.disconnect();
    const limit = Number(
      resource!.configEntries.find((entry) => entry.configName === 'max.message.bytes')!.configValue,
    );
    expect(limit).toBe(10 * 1024 * 1024);
    const producer = await createBatchProducer(kafka);
    const huge = Buffer.alloc(50 * 1024 * 1024, 'a');
    const refusal = await producer.send([{ topic, key: null, value: huge }]).then(
      () => null,
      (error: Error) => error,
    );
    await producer.disconnect();
    expect(refusal, 'the broker accepted a 50 MiB message').not.toBeNull();
    expect(`${refusal!.name}: ${refusal!.message}`).toMatch(/larger than the max message size/);
    const admin2 = kafka.admin();
    await admin2.connect();
    const offsets = await admin2.fetchTopicOffsets(topic);
    await admin2.disconnect();
    expect(offsets.every((entry) => entry.high === entry.low)).toBe(true);
    report.push({
      fault: '50 MiB message',
      refusal: `${refusal!.name}: ${refusal!.message}`.slice(0, 120),
      seconds: Math.round((Date.now() - started) / 1000),
    });
  });
});
