/**
 * Failover on the cluster topology (3 Kafka brokers, 3 Elasticsearch nodes,
 * Redis primary + replica under Sentinel): one pipeline (one process per
 * stage) ingests throughout while a node is killed with SIGKILL mid-ingest and
 * brought back. After each fault, the independent checker (test/checker)
 * compares every pushed (partner, observable) report with the index: none
 * lost, none listed twice, nothing extra. The figures (reports, lost,
 * duplicated, seconds until indexing moved again, seconds until everything
 * was indexed) are printed as a table at the end.
 */
import { CONSUMER_GROUPS, DEAD_LETTER_HEADERS, INDEX, TOPICS } from '@dragnet/contracts';
import { addPartitions, consumerGroupLag, METADATA_MAX_AGE_MS } from '@dragnet/kafka';
import {
  eventually,
  readTopic,
  requireStack,
  testElasticsearch,
  testKafka,
  testRedis,
} from '@dragnet/test-kit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CheckResult,
  checkIndex,
  describeCheck,
  isClean,
  readIndexedFacts,
} from '../checker/checker.js';
import { type ExpectedReport, generateFeeds, loadVectors, toMessages } from '../checker/feeds.js';
import {
  createPipelineResources,
  dropPipelineResources,
  Pipeline,
  pushMessages,
  registry,
  serviceEnv,
  startLookupApi,
  waitForIdle,
} from '../pipeline-kit.js';
import { esNodeNumber, groupCoordinator, killNode, restartMissing, stopNode } from './cluster-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PARTNERS = ['synthetic-a', 'synthetic-b', 'synthetic-c'];
/** Three pushes per fault, six faults and a few extra pushes: within the checker's 6,000 vectors. */
const VECTORS_PER_PUSH = 300;

const vectors = loadVectors();
const partnerTopics = PARTNERS.map((id) => registry.byId.get(id)!.topic);
let nextVector = 0;
const expected: ExpectedReport[] = [];
const table: Record<string, unknown>[] = [];

async function push(seed: number, count = VECTORS_PER_PUSH): Promise<void> {
  const slice = vectors.slice(nextVector, nextVector + count);
  expect(slice, 'the checker has vectors left').toHaveLength(count);
  nextVector += count;
  const feeds = generateFeeds(slice, PARTNERS, seed);
  for (const [partner, lines] of feeds.lines)
    if (lines.length > 0) await pushRetrying(partner, toMessages(lines, 50));
  expected.push(...feeds.expected);
}

/**
 * A partner's client retries while a dead leader is still in the metadata (the
 * controller fences a broker after its session, 9 s). A retry may send some
 * messages twice: a partner repeating a report must still be one source, which
 * the checker checks.
 */
async function pushRetrying(partner: string, messages: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pushMessages(kafka, partner, messages);
      return;
    } catch (error) {
      if (attempt >= 6) throw error;
      await sleep(3_000);
    }
  }
}

async function indexedCount(): Promise<number> {
  await elasticsearch.indices.refresh({ index: INDEX.alias });
  return (await elasticsearch.count({ index: INDEX.alias })).count;
}

/** Polls the index count in the background: when did it first grow past `baseline` (indexing moving again)? */
function watchProgress(baseline: number, since: number) {
  let movedAt = Number.NaN;
  let running = true;
  const done = (async () => {
    while (running && Number.isNaN(movedAt)) {
      const count = await indexedCount().catch(() => baseline);
      if (count > baseline) movedAt = Date.now();
      else await sleep(500);
    }
  })();
  return {
    /** Resolves once the count grew (NaN if `stop` came first). */
    async secondsUntilMoved(): Promise<number> {
      await done;
      return Math.round((movedAt - since) / 100) / 10;
    },
    stop: () => {
      running = false;
    },
  };
}

/** Idle, then the checker; an unclean result is checked again after another idle wait (a real loss stays). */
async function settleAndCheck(step: string): Promise<CheckResult> {
  let result: CheckResult | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    await waitForIdle(kafka, PARTNERS, 180_000);
    await sleep(1_000);
    await waitForIdle(kafka, PARTNERS, 60_000);
    result = checkIndex(expected, await readIndexedFacts(elasticsearch, INDEX.alias));
    if (isClean(result)) break;
    await sleep(3_000);
  }
  console.log(describeCheck(step, result!));
  if (!isClean(result!))
    console.log(`${step}: dead letters by stage/code/source: ${await deadLetterSummary()}`);
  return result!;
}

/** Where records went instead of the index: the dead-letter topic counted by stage, code and source topic. */
async function deadLetterSummary(): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(TOPICS.deadLetter).finally(() => admin.disconnect());
  const total = offsets.reduce((sum, entry) => sum + Number(entry.high) - Number(entry.low), 0);
  if (total === 0) return 'none';
  const counts = new Map<string, number>();
  for (const letter of await readTopic(kafka, TOPICS.deadLetter, total, 60_000)) {
    const header = (name: string) => letter.headers[name] ?? '?';
    const key = [DEAD_LETTER_HEADERS.stage, DEAD_LETTER_HEADERS.code, DEAD_LETTER_HEADERS.sourceTopic]
      .map(header)
      .join('/');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${key} ${count}`).join(', ');
}

/** Push, fault mid-ingest, push during the fault, heal, push again; then check every report. */
async function runFault(name: string, seed: number, fault: () => Promise<void>, heal: () => Promise<void>) {
  // The stages must be consuming before the fault: a service whose start meets a dead broker exits.
  const before = await indexedCount();
  await push(seed);
  await eventually(indexedCount, (count) => count > before && count < nextVector, {
    timeoutMs: 120_000,
    intervalMs: 250,
    what: 'indexing under way',
  }).catch(() => undefined);
  const faultAt = Date.now();
  await fault();
  const progress = watchProgress(await indexedCount().catch(() => 0), faultAt);
  await push(seed + 1);
  const movedAfterS = await Promise.race([
    progress.secondsUntilMoved(),
    sleep(120_000).then(() => Number.NaN),
  ]);
  progress.stop();
  const healAt = Date.now();
  await heal();
  const healS = Math.round((Date.now() - healAt) / 1000);
  await push(seed + 2);
  const result = await settleAndCheck(name);
  table.push({
    fault: name,
    reports: result.pushed,
    lost: result.lost,
    duplicatedOrExtra: result.extra,
    wrongValue: result.wrongValue,
    indexingMovedAfterS: movedAfterS,
    restartS: healS,
    allIndexedAfterS: Math.round((Date.now() - faultAt) / 1000),
  });
  expect(
    { lost: result.lost, extra: result.extra, wrongValue: result.wrongValue },
    describeCheck(name, result),
  ).toEqual({ lost: 0, extra: 0, wrongValue: 0 });
}

/** The port of the node the Sentinels name primary (asked through a Sentinel-aware connection). */
async function redisPrimaryPort(): Promise<number> {
  const redis = testRedis();
  redis.on('error', () => undefined);
  try {
    return Number(/tcp_port:(\d+)/.exec(await redis.info('server'))?.[1]);
  } finally {
    redis.disconnect();
  }
}

async function busiestLeader(): Promise<number> {
  const topics = [...partnerTopics, TOPICS.mergeInput, TOPICS.changes];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    const led = new Map<number, number>();
    for (const topic of metadata.topics)
      for (const partition of topic.partitions) {
        expect(partition.replicas, `${topic.name}/${partition.partitionId} replicas`).toHaveLength(3);
        led.set(partition.leader, (led.get(partition.leader) ?? 0) + 1);
      }
    return [...led].sort((a, b) => b[1] - a[1])[0]![0];
  } finally {
    await admin.disconnect();
  }
}

describe('failover on the cluster topology, every report checked', () => {
  // A pipeline per fault, so one fault's casualty (a stage that stopped) does not fail the next; the
  // index and the expected reports carry over, so every check covers everything pushed so far.
  let pipeline: Pipeline | undefined;

  beforeAll(async () => {
    await requireStack();
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
  });
  beforeEach(() => {
    pipeline = new Pipeline(serviceEnv({ KAFKA_SESSION_TIMEOUT_MS: '10000' }));
    pipeline.startAll();
  });
  afterEach(async () => {
    await pipeline?.stopAll();
  });
  afterAll(async () => {
    await dropPipelineResources(kafka, elasticsearch).catch(() => undefined);
    console.table(table);
  });

  it('topics have 3 replicas and min.insync.replicas 2; the index has a replica', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: 2,
          name: TOPICS.mergeInput,
          configNames: ['min.insync.replicas', 'unclean.leader.election.enable'],
        },
      ],
    });
    await admin.disconnect();
    const configs = Object.fromEntries(
      resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue]),
    );
    expect(configs).toEqual({ 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' });
    await busiestLeader();
    const health = await elasticsearch.cluster.health({
      index: INDEX.alias,
      wait_for_status: 'green',
      timeout: '60s',
    });
    expect(health.active_shards).toBe(health.active_primary_shards * 2);
  });

  it('kill -9 of an Elasticsearch node holding primaries mid-ingest, then restarted', async () => {
    const shards = await elasticsearch.cat.shards({ index: INDEX.alias, format: 'json' });
    const primary = shards.find((shard) => shard.prirep === 'p' && shard.state === 'STARTED');
    expect(primary?.node).toBeDefined();
    const node = esNodeNumber(primary!.node!);
    await runFault(
      `Elasticsearch node ${node} (primary of the index) kill -9`,
      201,
      () => killNode('elasticsearch', node),
      restartMissing,
    );
  });

  it('kill -9 of the Redis primary mid-ingest: Sentinel promotes the replica', async () => {
    const port = await redisPrimaryPort();
    const node = port - 26_379 + 1;
    expect([1, 2]).toContain(node);
    let failoverS = Number.NaN;
    await runFault(
      `Redis primary (redis-${node}) kill -9, Sentinel failover`,
      301,
      async () => {
        const killedAt = Date.now();
        await killNode('redis', node);
        // The old primary stays down until the Sentinels have promoted the replica.
        await eventually(redisPrimaryPort, (now) => now !== port, {
          timeoutMs: 60_000,
          intervalMs: 250,
          what: 'Sentinel to promote the replica',
        });
        failoverS = Math.round((Date.now() - killedAt) / 100) / 10;
      },
      restartMissing,
    );
    table.at(-1)!.sentinelFailoverS = failoverS;
    expect(await redisPrimaryPort(), 'the primary stays on the promoted replica').not.toBe(port);
  });
  it('partitions of the partner and merge-input topics increased mid-run (3 → 6)', async () => {
    // A second deduplicator: the added partitions move keys to another owner mid-run.
    pipeline!.start('deduplicator', 1);
    await runFault(
      'partitions of partner topics and merge input 3 → 6',
      401,
      async () => {
        for (const topic of [...partnerTopics, TOPICS.mergeInput]) await addPartitions(kafka, topic, 6);
      },
      async () => undefined,
    );
    // The stages' producers see the new partitions at their next metadata refresh: past it, one
    // more push must reach the merge input's new partitions too (keys moving to other owners).
    await sleep(METADATA_MAX_AGE_MS + 2_000);
    await push(410, 100);
    const after = await settleAndCheck('after the metadata refresh');
    expect({ lost: after.lost, extra: after.extra, wrongValue: after.wrongValue }).toEqual({
      lost: 0,
      extra: 0,
      wrongValue: 0,
    });
    // The groups took the new partitions on: records landed there and were consumed.
    const normalizer = await consumerGroupLag(kafka, CONSUMER_GROUPS.normalizer, partnerTopics);
    const added = normalizer.filter((lag) => lag.partition >= 3);
    // Only partitions the group has offsets for are listed (a new partition no record reached
    // yet may be absent), so the check is that records went there and nothing is left behind.
    expect(added.some((lag) => BigInt(lag.high) > 0n)).toBe(true);
    expect(added.every((lag) => lag.lag === 0)).toBe(true);
    const merge = await consumerGroupLag(kafka, CONSUMER_GROUPS.deduplicator, [TOPICS.mergeInput]);
    expect(merge.filter((lag) => lag.partition >= 3 && BigInt(lag.high) > 0n).length).toBeGreaterThan(0);
    expect(merge.every((lag) => lag.lag === 0)).toBe(true);
  });

  it('a rolling restart of every broker while ingest and lookups run', async () => {
    const { api, base, key } = await startLookupApi();
    if (nextVector === 0) await push(500, 100);
    const known = vectors[0]!.value;
    const lookup = () =>
      fetch(`${base}/v1/indicators/${encodeURIComponent(known)}`, {
        headers: { authorization: `Bearer ${key}` },
      }).then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      });
    await eventually(lookup, (status) => status === 200, { timeoutMs: 120_000, what: `${known} indexed` });
    const answers = { ok: 0, failed: [] as string[] };
    let looking = true;
    const lookups = (async () => {
      while (looking) {
        const status = await lookup().catch((error: Error) => error.message);
        if (status === 200) answers.ok++;
        else answers.failed.push(String(status));
        await sleep(250);
      }
    })();
    try {
      await runFault(
        'rolling restart of the 3 brokers (SIGTERM, one at a time)',
        501,
        async () => {
          for (const broker of [1, 2, 3]) {
            await stopNode('kafka', broker, 'SIGTERM', 90_000);
            await push(510 + broker, 100);
            await restartMissing();
          }
        },
        async () => undefined,
      );
    } finally {
      looking = false;
      await lookups;
      await api.kill('SIGTERM');
    }
    table.at(-1)!.lookupsAnswered = answers.ok;
    table.at(-1)!.lookupsFailed = answers.failed.length;
    expect(answers.ok).toBeGreaterThan(10);
    expect(answers.failed, 'lookups that failed during the rolling restart').toEqual([]);
  });

  it('kill -9 of the broker coordinating the normalizer group mid-ingest, then restarted', async () => {
    // The coordinator, not just any leader: when it comes back, the group lives on another broker,
    // and a consumer that keeps committing to the one it knew stalls while its process runs (kafkajs
    // retries a commit against the coordinator of the last join). Here every broker leads partitions too.
    const broker = await groupCoordinator(kafka, CONSUMER_GROUPS.normalizer);
    await runFault(
      `Kafka broker ${broker} (coordinator of the normalizer group) kill -9`,
      101,
      () => killNode('kafka', broker),
      restartMissing,
    );
  });
});
