/**
 * One pass of `pnpm bench --instances N` (bench/scaling.ts runs one per N, each
 * in its own process): N processes of every pipeline service, enrichment on,
 * against the stack the environment names, in this process's namespace
 * (set by pipeline.bench.ts before it imports this module). It pushes a fixed
 * generated feed, waits until every distinct indicator is indexed and
 * enriched, and measures wall time, each process's CPU and peak RSS from
 * /proc, and Redis memory per merge state.
 */
import { loadavg } from 'node:os';
import { names } from '@dragnet/contracts';
import { deleteIndicatorIndex, ensureIndicatorIndex } from '@dragnet/elasticsearch';
import { generateIndicators, toCsvLine } from '@dragnet/feedgen';
import { createBatchProducer, deleteTopics, ensureTopics } from '@dragnet/kafka';
import { loadRegistry, planTopics } from '@dragnet/partners';
import {
  requireStack,
  type ServiceProcess,
  startService,
  testElasticsearch,
  testKafka,
  testRedis,
} from '@dragnet/test-kit';
import { log, progress, rate } from './report.js';
import { ResourceWatcher } from './resources.js';
import {
  type RedisMemory,
  SCALED_SERVICES,
  type ScaledService,
  type ScalingResult,
  type ServiceCost,
} from './scaling-table.js';

const PARTNERS = ['synthetic-a', 'synthetic-b', 'synthetic-c'];
/** A stage that moves nothing for this long has stalled: the pass stops with its counts. */
const STALL_MS = 180_000;

export interface ScalingOptions {
  size: number;
  duplicates: number;
  partitions: number;
  instances: number;
  seed: number;
  linesPerMessage: number;
  runtime: 'dist' | 'tsx';
  nodeArgs: string[];
}

type Names = ReturnType<typeof names>;

/** CSV messages per partner topic and the number of distinct indicators they hold. */
export function buildFeed(options: ScalingOptions, topicOf: (partner: string) => string) {
  const messages = new Map<string, Buffer[]>();
  const pending = new Map<string, string[]>(PARTNERS.map((partner) => [partner, []]));
  const distinct = new Set<string>();
  const flush = (partner: string, lines: string[]) => {
    const topic = topicOf(partner);
    messages.set(topic, [...(messages.get(topic) ?? []), Buffer.from(`${lines.join('\n')}\n`)]);
  };
  for (const indicator of generateIndicators({
    count: options.size,
    duplicateRatio: options.duplicates,
    seed: options.seed,
    partners: PARTNERS,
  })) {
    distinct.add(`${indicator.kind}:${indicator.value}`);
    const lines = pending.get(indicator.partner)!;
    lines.push(toCsvLine(indicator));
    if (lines.length === options.linesPerMessage) {
      flush(indicator.partner, [...lines]);
      lines.length = 0;
    }
  }
  for (const [partner, lines] of pending) if (lines.length) flush(partner, lines);
  return { messages, documents: distinct.size };
}

async function produce(kafka: ReturnType<typeof testKafka>, messages: Map<string, Buffer[]>): Promise<void> {
  const producer = await createBatchProducer(kafka);
  for (const [topic, values] of messages)
    for (let start = 0; start < values.length; start += 20)
      await producer.send(values.slice(start, start + 20).map((value) => ({ topic, key: null, value })));
  await producer.disconnect();
}

function assertRunning(processes: readonly ServiceProcess[]): void {
  const gone = processes.find((service) => service.child.exitCode !== null);
  if (gone) throw new Error(`${gone.name} exited with ${gone.child.exitCode}; see ${gone.logFile}`);
}

/** Waits until each consumer group has all its members and is stable: the clock starts on a settled pipeline. */
async function waitForGroups(
  kafka: ReturnType<typeof testKafka>,
  groups: string[],
  members: number,
  processes: readonly ServiceProcess[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const deadline = Date.now() + STALL_MS; ; ) {
      const described = await admin.describeGroups(groups);
      if (described.groups.every((group) => group.state === 'Stable' && group.members.length === members))
        return;
      assertRunning(processes);
      if (Date.now() > deadline)
        throw new Error(
          `consumer groups not stable with ${members} members after ${STALL_MS / 1_000} s: ${described.groups.map((group) => `${group.groupId} ${group.state} ${group.members.length}`).join(', ')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Polls a count until it reaches `expected`; fails when it stops moving for STALL_MS. */
async function waitForCount(
  label: string,
  expected: number,
  count: () => Promise<number>,
  started: number,
  processes: readonly ServiceProcess[],
): Promise<void> {
  let last = -1;
  let movedAt = Date.now();
  let printedAt = 0;
  for (;;) {
    // A count that fails (a shared node too busy to answer in time) is no progress, not the end of the pass.
    const current = await count().catch(() => last);
    if (current !== last) [last, movedAt] = [current, Date.now()];
    if (current >= expected || Date.now() - printedAt >= 5_000) {
      progress(label, current, expected, started);
      printedAt = Date.now();
    }
    if (current >= expected) return;
    assertRunning(processes);
    if (Date.now() - movedAt > STALL_MS)
      throw new Error(`${label}: stuck at ${current} of ${expected} for ${STALL_MS / 1_000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const usedMemory = async (redis: ReturnType<typeof testRedis>): Promise<number> =>
  Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? Number.NaN);

/** Counts this namespace's merge-state keys and measures up to 1,000 of them with MEMORY USAGE. */
async function measureStates(redis: ReturnType<typeof testRedis>, prefix: string) {
  let cursor = '0';
  let states = 0;
  const sample: string[] = [];
  do {
    // Indicator ids hold `--` (`ipv4-addr--…`); the epoch marker and recovery lock do not.
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*--*`, 'COUNT', 5_000);
    cursor = next;
    states += keys.length;
    sample.push(...keys.slice(0, Math.max(0, 1_000 - sample.length)));
  } while (cursor !== '0');
  let bytes = 0;
  for (const key of sample) bytes += Number(await redis.memory('USAGE', key)) || 0;
  return { states, sampledBytesPerState: sample.length ? bytes / sample.length : 0 };
}

async function unlinkMatching(redis: ReturnType<typeof testRedis>, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** The pass's topics, groups, index, merge states and queues: nothing of it stays on the shared stack. */
async function cleanUp({ own, kafka, elasticsearch, redis }: Clients, topics: string[]): Promise<void> {
  await deleteTopics(kafka, topics);
  const admin = kafka.admin();
  await admin.connect();
  await admin
    .deleteGroups([own.groups.normalizer, own.groups.deduplicator, own.groups.indexer])
    .catch(() => undefined);
  await admin.disconnect();
  await deleteIndicatorIndex(elasticsearch, own.index);
  await unlinkMatching(redis, `${own.redisKeys.mergeState}*`);
  // BullMQ's default key prefix `bull:` before each queue name.
  for (const queue of Object.values(own.queues)) await unlinkMatching(redis, `bull:${queue}:*`);
}

function serviceCosts(
  resources: ReturnType<ResourceWatcher['stop']>,
  indicators: number,
): Record<ScaledService, ServiceCost> {
  const costs = {} as Record<ScaledService, ServiceCost>;
  for (const service of SCALED_SERVICES) {
    const mine = resources.filter((entry) => entry.name.startsWith(`${service}#`));
    const cpuSeconds = mine.reduce((sum, entry) => sum + entry.cpuSeconds, 0);
    costs[service] = {
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      cpuSecondsPer1000: Number(((cpuSeconds / indicators) * 1_000).toFixed(3)),
      peakRssMb: Math.round(Math.max(0, ...mine.map((entry) => entry.peakRssMb))),
    };
  }
  return costs;
}

interface Clients {
  own: Names;
  kafka: ReturnType<typeof testKafka>;
  elasticsearch: ReturnType<typeof testElasticsearch>;
  redis: ReturnType<typeof testRedis>;
}

/** N processes of every service, in the pass's namespace, enrichment on (the services' defaults). */
function startPipeline({ own }: Clients, options: ScalingOptions, processes: ServiceProcess[]): void {
  const env = { DRAGNET_NAMESPACE: own.namespace, LOG_LEVEL: 'warn' };
  for (const service of SCALED_SERVICES)
    for (let instance = 0; instance < options.instances; instance++)
      processes.push(
        startService(service, env, instance, { runtime: options.runtime, nodeArgs: options.nodeArgs }),
      );
}

/** Produces the feed into the settled pipeline and waits until every document is indexed, then enriched. */
async function measureFeed(
  clients: Clients,
  feed: ReturnType<typeof buildFeed>,
  processes: readonly ServiceProcess[],
  instances: number,
) {
  const { own, elasticsearch, redis } = clients;
  const memoryBefore = await usedMemory(redis);
  // Watched from here: start-up CPU (loading, connecting, joining) is not the feed's cost.
  const watcher = new ResourceWatcher();
  processes.forEach((service, index) => {
    watcher.watch(`${service.name}#${index % instances}`, service.child.pid!);
  });
  watcher.start();
  const loadStart = loadavg()[0]!;
  // No explicit refresh: polled every 500 ms, the index refreshes itself each second (1 s of precision);
  // a forced refresh per poll cost the shared node more than the pass itself on a loaded machine.
  const count = async (query?: object) =>
    (await elasticsearch.count({ index: own.index.alias, ...(query ? { query } : {}) })).count;
  const started = Date.now();
  await produce(clients.kafka, feed.messages);
  await waitForCount('indexed', feed.documents, () => count(), started, processes);
  const indexedMs = Date.now() - started;
  const enriched = () => count({ term: { 'dragnet.enriched': true } });
  await waitForCount('enriched', feed.documents, enriched, started, processes);
  const completeMs = Date.now() - started;
  const resources = watcher.stop();
  const memoryDelta = (await usedMemory(redis)) - memoryBefore;
  const { states, sampledBytesPerState } = await measureStates(redis, own.redisKeys.mergeState);
  const perMillion = (bytes: number) => Number(((bytes * 1_000_000) / 2 ** 20).toFixed(0));
  const memory: RedisMemory = {
    mergeStates: states,
    usedMemoryDeltaBytes: memoryDelta,
    sampledBytesPerState: Math.round(sampledBytesPerState),
    infoMbPerMillionStates: states ? perMillion(memoryDelta / states) : 0,
    sampledMbPerMillionStates: perMillion(sampledBytesPerState),
  };
  return { indexedMs, completeMs, resources, memory, loadAverage: { start: loadStart, end: loadavg()[0]! } };
}

export async function runScalingPass(options: ScalingOptions): Promise<ScalingResult> {
  const own = names(process.env.DRAGNET_NAMESPACE ?? '');
  const clients: Clients = {
    own,
    kafka: testKafka('dragnet-bench-scaling'),
    elasticsearch: testElasticsearch(),
    redis: testRedis(),
  };
  await requireStack();
  const partitions = Math.max(options.partitions, options.instances);
  const registry = loadRegistry();
  // Partner topics get the internal topics' partition count: N normalizers each need one to read.
  const plan = planTopics(registry, partitions).map((topic) =>
    topic.topic.startsWith(own.partnerTopicPrefix) ? { ...topic, partitions } : topic,
  );
  log(
    `scaling pass, namespace ${own.namespace}: ${options.instances} instance(s) of ${SCALED_SERVICES.join(', ')}; ${options.size.toLocaleString('en')} indicators, ${partitions} partitions per topic`,
  );
  const feed = buildFeed(options, (partner) => registry.byId.get(partner)!.topic);
  const processes: ServiceProcess[] = [];
  try {
    await ensureTopics(clients.kafka, plan);
    await ensureIndicatorIndex(clients.elasticsearch, own.index);
    startPipeline(clients, options, processes);
    // The three Kafka-consuming stages (the enricher takes its jobs from BullMQ).
    const groups = [own.groups.normalizer, own.groups.deduplicator, own.groups.indexer];
    await waitForGroups(clients.kafka, groups, options.instances, processes);
    const measured = await measureFeed(clients, feed, processes, options.instances);
    return {
      instances: options.instances,
      partitions,
      indicators: options.size,
      documents: feed.documents,
      indexedMs: measured.indexedMs,
      completeMs: measured.completeMs,
      indicatorsPerSecond: rate(options.size, measured.completeMs),
      services: serviceCosts(measured.resources, options.size),
      redis: measured.memory,
      loadAverage: measured.loadAverage,
    };
  } finally {
    await Promise.all(processes.map((service) => service.kill('SIGTERM')));
    const topics = plan.map((topic) => topic.topic);
    await cleanUp(clients, topics).catch((error: unknown) =>
      log(`scaling pass: clean-up failed: ${(error as Error).message}`),
    );
    clients.redis.disconnect();
    await clients.elasticsearch.close();
  }
}
