/**
 * `pnpm bench`: end-to-end throughput, replay cost, produce-to-searchable
 * latency, the machine's own ceilings (Elasticsearch bulk, raw Kafka) and
 * per-process resources, on the local stack. A benchmark, not a test: it
 * prints figures and writes them to bench-results/.
 *
 *   pnpm bench [--size 1000000] [--duplicates 0.3] [--partitions 6] [--instances 1] [--seed 42] [--latency-seconds 20]
 *              [--runtime dist|tsx] [--cpu-prof] [--heap-mb 192] [--node-args '--flag …']
 *              [--security both|secured|open] [--rounds 1] [--skip-build]
 *   pnpm bench --instances 1,2,4 [--size 100000] [--partitions 6] [--lines-per-message 500] [--skip-build]
 *
 * Scaling (`--instances` given, one count or a list): one pass per count on
 * the stack the environment names, N processes of every service, and a table
 * of throughput, CPU per 1,000 indicators, peak RSS and Redis memory per
 * merge state (bench/scaling.ts). Without `--instances`:
 *
 * The cost of security: by default every round runs a pass on the secured
 * shared stack and one on an open stack the benchmark starts on its own ports
 * (bench/security-cost.ts), each pass in its own process over the same
 * records, and prints the throughput ratio secured / open.
 *
 * Services run as the bundles operators deploy (`--runtime dist`, rebuilt
 * first); `--cpu-prof` has each write a V8 CPU profile and prints where its
 * time went.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeProfiles } from './cpu-profile.js';
import { checkStack } from './preflight.js';
import { log, machine, percentile as percentileOf, progress, rate, writeResult } from './report.js';
import { compareInstances, parseInstanceList } from './scaling.js';
import { compareSecurity, type PassLabel } from './security-cost.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1000000' },
    duplicates: { type: 'string', default: '0.3' },
    partitions: { type: 'string', default: '6' },
    /** Given: the scaling benchmark, one pass per count (`1,2,4`); absent: the security comparison, 1 instance. */
    instances: { type: 'string' },
    seed: { type: 'string', default: '42' },
    'latency-seconds': { type: 'string', default: '20' },
    /** Default 5000; 500 for scaling passes, so a small feed still gives every instance messages to read. */
    'lines-per-message': { type: 'string' },
    runtime: { type: 'string', default: 'dist' },
    'cpu-prof': { type: 'boolean', default: false },
    // As docker-compose.yml runs the services (NODE_OPTIONS there); 0 leaves Node's default.
    'heap-mb': { type: 'string', default: '192' },
    /** More `node` flags for every service, space-separated (GC experiments). */
    'node-args': { type: 'string', default: '' },
    /** Which passes: both (the cost of security), or one of them. */
    security: { type: 'string', default: 'both' },
    /** How many times the passes alternate (the ratio reported is the median). */
    rounds: { type: 'string', default: '1' },
    /** Run the bundles already in dist/ (built by an earlier `pnpm build`) instead of rebuilding them. */
    'skip-build': { type: 'boolean', default: false },
    // Internal, set by compareSecurity for the child process that runs one pass.
    pass: { type: 'string' },
    'pass-result': { type: 'string' },
  },
});
const RUNTIME = values.runtime === 'tsx' ? 'tsx' : 'dist';
const SCALING = values.instances !== undefined;
if (values.pass === undefined) {
  const modes: PassLabel[] =
    values.security === 'secured' ? ['secured'] : values.security === 'open' ? ['open'] : ['secured', 'open'];
  let counts: number[] = [];
  try {
    counts = SCALING ? parseInstanceList(values.instances!) : [];
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exit(2);
  }
  // The environment's stack first (the open one is the benchmark's own): down is one line, at once.
  if (SCALING || modes.includes('secured')) {
    const problem = await checkStack();
    if (problem !== null) {
      process.stderr.write(`${problem}\n`);
      process.exit(1);
    }
  }
  if (RUNTIME === 'dist' && !values['skip-build'])
    execFileSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'bundle.mjs')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  if (SCALING) await compareInstances(process.argv.slice(2), counts);
  else await compareSecurity(process.argv.slice(2), Math.max(1, Number(values.rounds)), modes);
  process.exit(0);
}
const SIZE = Number(values.size);
const DUPLICATES = Number(values.duplicates);
const PARTITIONS = Number(values.partitions);
const INSTANCES = Number(values.instances ?? '1');
const LINES_PER_MESSAGE = Number(values['lines-per-message'] ?? (SCALING ? '500' : '5000'));
process.env.DRAGNET_NAMESPACE = `bench-${Date.now().toString(36)}`;
if (values.pass === 'scaling') {
  // Imported after the namespace is set, as everything below.
  const { runScalingPass } = await import('./scaling-pass.js');
  const result = await runScalingPass({
    size: SIZE,
    duplicates: DUPLICATES,
    partitions: PARTITIONS,
    instances: INSTANCES,
    seed: Number(values.seed),
    linesPerMessage: LINES_PER_MESSAGE,
    runtime: RUNTIME,
    nodeArgs: [
      ...(Number(values['heap-mb']) > 0 ? [`--max-old-space-size=${Number(values['heap-mb'])}`] : []),
      ...(values['node-args'] ?? '').split(' ').filter(Boolean),
    ],
  });
  writeFileSync(values['pass-result']!, JSON.stringify(result));
  process.exit(0);
}

// Imported after the namespace is set: every name below is the benchmark's own.
const { CONSUMER_GROUPS, INDEX, REDIS_KEYS, TOPICS, NAMESPACE } = await import('@dragnet/contracts');
const { deleteIndicatorIndex, ensureIndicatorIndex, indexingCount, writeVersioned } = await import(
  '@dragnet/elasticsearch'
);
const { generateIndicators, toCsvLine } = await import('@dragnet/feedgen');
const { createBatchProducer, deleteTopics, ensureTopics } = await import('@dragnet/kafka');
const { loadRegistry, planTopics } = await import('@dragnet/partners');
const { REPO_ROOT, requireStack, startService, testElasticsearch, testKafka, testRedis, uniqueName } =
  await import('@dragnet/test-kit');
const { ResourceWatcher } = await import('./resources.js');

const PARTNERS = ['synthetic-a', 'synthetic-b', 'synthetic-c'];
const SERVICES = ['normalizer', 'deduplicator', 'indexer'] as const;
const registry = loadRegistry();
const kafka = testKafka('dragnet-bench');
const elasticsearch = testElasticsearch();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function count(): Promise<number> {
  await elasticsearch.indices.refresh({ index: INDEX.alias });
  return (await elasticsearch.count({ index: INDEX.alias })).count;
}

const stoppedOnPurpose = new Set<unknown>();
/** A service that exited would leave the benchmark waiting forever: stop with its log instead. */
function assertServicesRunning(): void {
  const gone = processes.find((service) => service.child.exitCode !== null && !stoppedOnPurpose.has(service));
  if (gone) throw new Error(`${gone.name} exited with ${gone.child.exitCode}; see ${gone.logFile}`);
}

async function waitForCount(expected: number, label: string, started: number): Promise<void> {
  // Polled every 500 ms (the end-to-end time is only as exact as that); a plain log gets a line every 5 s.
  let printedAt = 0;
  for (;;) {
    const current = await count();
    if (process.stderr.isTTY || current >= expected || Date.now() - printedAt >= 5_000) {
      progress(label, current, expected, started);
      printedAt = Date.now();
    }
    if (current >= expected) break;
    assertServicesRunning();
    await sleep(500);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
}

async function groupLag(groupId: string, topics: string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let lag = 0;
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
    for (const high of await admin.fetchTopicOffsets(topic)) {
      const offset = partitions.find((entry) => entry.partition === high.partition)?.offset ?? '-1';
      lag += Number(BigInt(high.high) - (BigInt(offset) < 0n ? BigInt(high.low) : BigInt(offset)));
    }
  }
  await admin.disconnect();
  return lag;
}

async function waitIdle(): Promise<void> {
  const partnerTopics = PARTNERS.map((id) => registry.byId.get(id)!.topic);
  for (;;) {
    const lag =
      (await groupLag(CONSUMER_GROUPS.normalizer, partnerTopics)) +
      (await groupLag(CONSUMER_GROUPS.deduplicator, [TOPICS.mergeInput])) +
      (await groupLag(CONSUMER_GROUPS.indexer, [TOPICS.changes]));
    if (lag === 0) return;
    assertServicesRunning();
    await sleep(1_000);
  }
}

function serverPids(): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const [name, file] of [
    ['kafka', 'kafka/kafka.pid'],
    ['elasticsearch', 'elasticsearch/es.pid'],
    ['redis', 'redis/redis.pid'],
  ] as const) {
    try {
      const stateDir = process.env.DRAGNET_STACK_DIR || join(REPO_ROOT, '.stack');
      pids[name] = Number(readFileSync(join(stateDir, file), 'utf8').trim());
    } catch {
      // An external server: not measured.
    }
  }
  return pids;
}

await requireStack();
log(
  `${values.pass} pass, namespace ${NAMESPACE}; ${SIZE.toLocaleString('en')} indicators, ${DUPLICATES * 100}% duplicates, ${PARTITIONS} partitions, ${INSTANCES} instance(s) per service`,
);
const plan = planTopics(registry, PARTITIONS).map((topic) =>
  topic.topic.includes('.feeds.') ? { ...topic, partitions: PARTITIONS } : topic,
);
await ensureTopics(kafka, plan);
await ensureIndicatorIndex(elasticsearch);

// 1. The feed: CSV messages per partner, and the number of distinct indicators it holds.
const messagesByPartner = new Map<string, Buffer[]>(PARTNERS.map((partner) => [partner, []]));
const pendingLines = new Map<string, string[]>(PARTNERS.map((partner) => [partner, []]));
const distinct = new Set<string>();
for (const indicator of generateIndicators({
  count: SIZE,
  duplicateRatio: DUPLICATES,
  seed: Number(values.seed),
  partners: PARTNERS,
})) {
  distinct.add(`${indicator.kind}:${indicator.value}`);
  const lines = pendingLines.get(indicator.partner)!;
  lines.push(toCsvLine(indicator));
  if (lines.length === LINES_PER_MESSAGE) {
    messagesByPartner.get(indicator.partner)!.push(Buffer.from(`${lines.join('\n')}\n`));
    lines.length = 0;
  }
}
for (const [partner, lines] of pendingLines)
  if (lines.length) messagesByPartner.get(partner)!.push(Buffer.from(`${lines.join('\n')}\n`));
const expectedDocuments = distinct.size;
distinct.clear();
const totalMessages = [...messagesByPartner.values()].reduce((sum, list) => sum + list.length, 0);
log(`feed: ${totalMessages} messages, ${expectedDocuments.toLocaleString('en')} distinct indicators`);

async function produceFeed(): Promise<void> {
  const producer = await createBatchProducer(kafka);
  for (const [partner, messages] of messagesByPartner) {
    const topic = registry.byId.get(partner)!.topic;
    for (let start = 0; start < messages.length; start += 20) {
      await producer.send(messages.slice(start, start + 20).map((value) => ({ topic, key: null, value })));
    }
  }
  await producer.disconnect();
}

// 2. Raw Kafka ceiling: the same messages to a scratch topic and back.
const scratch = `${NAMESPACE}.bench-scratch`;
await ensureTopics(kafka, [
  { topic: scratch, partitions: PARTITIONS, config: { 'max.message.bytes': '10485760' } },
]);
let started = Date.now();
{
  const producer = await createBatchProducer(kafka);
  const all = [...messagesByPartner.values()].flat();
  for (let start = 0; start < all.length; start += 20)
    await producer.send(all.slice(start, start + 20).map((value) => ({ topic: scratch, key: null, value })));
  await producer.disconnect();
}
const kafkaProduceMs = Date.now() - started;
started = Date.now();
{
  const consumer = kafka.consumer({ groupId: uniqueName('bench-raw'), maxBytesPerPartition: 10_485_760 });
  await consumer.connect();
  await consumer.subscribe({ topic: scratch, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= totalMessages) resolve();
      },
    });
  });
  await consumer.disconnect();
}
const kafkaConsumeMs = Date.now() - started;
await deleteTopics(kafka, [scratch]);

// 3. End to end.
const watcher = new ResourceWatcher();
for (const [name, pid] of Object.entries(serverPids())) watcher.watch(name, pid);
const env = { DRAGNET_NAMESPACE: NAMESPACE, ENRICHMENT_ENABLED: 'false', LOG_LEVEL: 'warn' };
if (RUNTIME === 'dist' && !values['skip-build'])
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'bundle.mjs')], { cwd: REPO_ROOT });
const profileDir = join(REPO_ROOT, 'bench-results', `profiles-${NAMESPACE}`);
if (values['cpu-prof']) mkdirSync(profileDir, { recursive: true });
const startOptions = {
  runtime: RUNTIME,
  nodeArgs: [
    ...(Number(values['heap-mb']) > 0 ? [`--max-old-space-size=${Number(values['heap-mb'])}`] : []),
    ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...(values['node-args'] ?? '').split(' ').filter(Boolean),
  ],
} as const;
const processes = SERVICES.flatMap((name) =>
  Array.from({ length: INSTANCES }, (_, instance) => startService(name, env, instance, startOptions)),
);
processes.forEach((process, index) =>
  watcher.watch(`${process.name}#${index % INSTANCES}`, process.child.pid!),
);
watcher.start();
await sleep(8_000); // services connect and join their groups before the clock starts
started = Date.now();
await produceFeed();
const producedMs = Date.now() - started;
await waitForCount(expectedDocuments, 'indexed', started);
const endToEndMs = Date.now() - started;
await waitIdle();

// 4. Replay: the normalizer re-reads every partner record.
const writesBefore = await indexingCount(elasticsearch, INDEX.alias);
const normalizers = processes.filter((process) => process.name === 'normalizer');
for (const normalizer of normalizers) stoppedOnPurpose.add(normalizer);
await Promise.all(normalizers.map((process) => process.kill('SIGTERM')));
{
  const admin = kafka.admin();
  await admin.connect();
  for (const partner of PARTNERS)
    await admin.resetOffsets({
      groupId: CONSUMER_GROUPS.normalizer,
      topic: registry.byId.get(partner)!.topic,
      earliest: true,
    });
  await admin.disconnect();
}
for (let instance = 0; instance < INSTANCES; instance++) {
  const restarted = startService('normalizer', env, instance, startOptions);
  processes.push(restarted);
  watcher.watch(`normalizer#${instance}(replay)`, restarted.child.pid!);
}
started = Date.now();
await sleep(2_000);
await waitIdle();
const replayMs = Date.now() - started;
const replayWrites = (await indexingCount(elasticsearch, INDEX.alias)) - writesBefore;

// 5. Latency at half the measured rate: new indicators, one line per message, sampled.
const offeredPerSecond = Math.max(1, Math.round(rate(SIZE, endToEndMs) / 2));
const latencySeconds = Number(values['latency-seconds']);
const latencies: number[] = [];
{
  const producer = await createBatchProducer(kafka);
  const topic = registry.byId.get('synthetic-a')!.topic;
  const sent = new Map<string, number>();
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((offeredPerSecond * tickMs) / 1_000));
  const samplesEvery = Math.max(1, Math.round((perTick * (latencySeconds * 1_000)) / tickMs / 500));
  let sequence = 0;
  const stopAt = Date.now() + latencySeconds * 1_000;
  const poller = (async () => {
    while (Date.now() < stopAt + 15_000 && (Date.now() < stopAt || sent.size > 0)) {
      const ids = [...sent.keys()].slice(0, 1_000);
      if (ids.length) {
        const found = await elasticsearch.search({
          index: INDEX.alias,
          size: ids.length,
          _source: ['dragnet.value'],
          query: { terms: { 'dragnet.value': ids } },
        });
        for (const hit of found.hits.hits) {
          const value = (hit._source as { dragnet: { value: string } }).dragnet.value;
          const at = sent.get(value);
          if (at !== undefined) {
            latencies.push(Date.now() - at);
            sent.delete(value);
          }
        }
      }
      await sleep(50);
    }
  })();
  while (Date.now() < stopAt) {
    const tickStart = Date.now();
    const lines: string[] = [];
    for (let i = 0; i < perTick; i++) {
      // 223.x.y.z: outside the generator's range, so each sample is a new indicator.
      const value = `223.${(sequence >> 16) & 255}.${(sequence >> 8) & 255}.${sequence & 255}`;
      lines.push(`${value},ipv4,2026-06-01T00:00:00Z`);
      if (sequence % samplesEvery === 0) sent.set(value, Date.now());
      sequence++;
    }
    await producer.send(lines.map((line) => ({ topic, key: null, value: `${line}\n` })));
    await sleep(Math.max(0, tickMs - (Date.now() - tickStart)));
  }
  await producer.disconnect();
  await poller;
}
latencies.sort((a, b) => a - b);
const percentile = (p: number) => percentileOf(latencies, p);

const resources = watcher.stop();
await Promise.all(processes.map((process) => process.kill('SIGTERM')));
// Profiles are written at exit; the replayed normalizer's profile covers the replay only.
const profiles = values['cpu-prof'] ? summarizeProfiles(profileDir, REPO_ROOT) : [];

// 6. Elasticsearch ceiling: the same final documents, written directly with the same client
// (read page by page; only the bulk writes are timed).
const ceilingNames = {
  alias: `${INDEX.alias}-ceiling`,
  concrete: `${INDEX.alias}-ceiling-v1`,
  pattern: `${INDEX.alias}-ceiling-v*`,
  template: `${INDEX.template}-ceiling`,
};
await ensureIndicatorIndex(elasticsearch, ceilingNames);
await elasticsearch.indices.putSettings({
  index: ceilingNames.concrete,
  settings: { refresh_interval: '-1' },
});
let ceilingMs = 0;
let ceilingDocuments = 0;
{
  let after: unknown[] | undefined;
  for (;;) {
    const page = await elasticsearch.search({
      index: INDEX.alias,
      size: 5_000,
      sort: [{ 'dragnet.id': 'asc' }],
      ...(after ? { search_after: after as string[] } : {}),
    });
    const documents = page.hits.hits.map((hit: { _id?: string; _source?: unknown }) => ({
      id: hit._id!,
      version: 1,
      document: hit._source as Record<string, unknown>,
    }));
    const writeStarted = Date.now();
    await writeVersioned(elasticsearch, documents, {
      index: ceilingNames.alias,
      concurrency: 2,
      flushBytes: 5_242_880,
    });
    ceilingMs += Date.now() - writeStarted;
    ceilingDocuments += documents.length;
    if (page.hits.hits.length < 5_000) break;
    after = page.hits.hits.at(-1)!.sort as unknown[];
  }
}
const refreshStarted = Date.now();
await elasticsearch.indices.refresh({ index: ceilingNames.concrete });
ceilingMs += Date.now() - refreshStarted;
await deleteIndicatorIndex(elasticsearch, ceilingNames);

// Clean up the benchmark's own topics, groups and index.
await deleteTopics(
  kafka,
  plan.map((topic) => topic.topic),
);
{
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups(Object.values(CONSUMER_GROUPS)).catch(() => undefined);
  await admin.disconnect();
}
await deleteIndicatorIndex(elasticsearch, INDEX);
{
  // The benchmark's merge states (its namespace prefix only).
  const redis = testRedis();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_KEYS.mergeState}*`, 'COUNT', 5_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

const esCeilingRate = rate(ceilingDocuments, ceilingMs);
const pipelineDocumentRate = rate(expectedDocuments, endToEndMs);
const result = {
  at: new Date().toISOString(),
  pass: values.pass,
  machine: machine(),
  options: {
    size: SIZE,
    duplicates: DUPLICATES,
    partitions: PARTITIONS,
    instances: INSTANCES,
    linesPerMessage: LINES_PER_MESSAGE,
    runtime: RUNTIME,
    heapMb: Number(values['heap-mb']),
    nodeArgs: values['node-args'],
  },
  endToEnd: {
    indicators: SIZE,
    documents: expectedDocuments,
    produceMs: producedMs,
    totalMs: endToEndMs,
    indicatorsPerSecond: rate(SIZE, endToEndMs),
    documentsPerSecond: pipelineDocumentRate,
  },
  replay: {
    totalMs: replayMs,
    indicatorsPerSecond: rate(SIZE, replayMs),
    speedupVsFirstIngest: Number((endToEndMs / replayMs).toFixed(1)),
    elasticsearchWrites: replayWrites,
  },
  latency: {
    offeredPerSecond,
    samples: latencies.length,
    p50Ms: percentile(50),
    p95Ms: percentile(95),
    p99Ms: percentile(99),
  },
  ceilings: {
    elasticsearchBulkDocumentsPerSecond: esCeilingRate,
    pipelineShareOfElasticsearchCeiling: Number((pipelineDocumentRate / esCeilingRate).toFixed(2)),
    kafkaProduceIndicatorsPerSecond: rate(SIZE, kafkaProduceMs),
    kafkaConsumeIndicatorsPerSecond: rate(SIZE, kafkaConsumeMs),
  },
  resources,
  profiles,
};

const rows: [string, string][] = [
  [
    'end to end',
    `${result.endToEnd.indicatorsPerSecond.toLocaleString('en')} indicators/s (${expectedDocuments.toLocaleString('en')} documents in ${(endToEndMs / 1_000).toFixed(1)} s, ${pipelineDocumentRate.toLocaleString('en')} docs/s)`,
  ],
  [
    'replay',
    `${result.replay.indicatorsPerSecond.toLocaleString('en')} indicators/s, ${result.replay.speedupVsFirstIngest}× first ingest, ${replayWrites} Elasticsearch writes`,
  ],
  [
    'latency',
    `p50 ${result.latency.p50Ms} ms · p95 ${result.latency.p95Ms} ms · p99 ${result.latency.p99Ms} ms at ${offeredPerSecond.toLocaleString('en')}/s (${latencies.length} samples)`,
  ],
  [
    'ES bulk ceiling',
    `${esCeilingRate.toLocaleString('en')} docs/s → pipeline at ${result.ceilings.pipelineShareOfElasticsearchCeiling} of it`,
  ],
  [
    'Kafka raw',
    `produce ${result.ceilings.kafkaProduceIndicatorsPerSecond.toLocaleString('en')}/s · consume ${result.ceilings.kafkaConsumeIndicatorsPerSecond.toLocaleString('en')}/s (indicators in ${LINES_PER_MESSAGE}-line messages)`,
  ],
  ...resources.map((entry): [string, string] => [
    entry.name,
    `cpu ${entry.cpuSeconds.toFixed(1)} s · peak RSS ${entry.peakRssMb.toFixed(0)} MB · first/last minute ${entry.firstMinuteRssMb.toFixed(0)}/${entry.lastMinuteRssMb.toFixed(0)} MB`,
  ]),
];
const width = Math.max(...rows.map(([name]) => name.length));
console.log(rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n'));
for (const profile of profiles) {
  console.log(
    `\nCPU profile ${profile.file} (${(profile.sampledMs / 1_000).toFixed(1)} s sampled), self time:`,
  );
  for (const entry of profile.top)
    console.log(
      `  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${String(entry.selfMs).padStart(7)} ms  ${entry.function}  ${entry.location}`,
    );
}
const file = writeResult(`pipeline-${values.pass}`, result);
if (values['pass-result']) writeFileSync(values['pass-result'], JSON.stringify(result));
console.log(`\nwritten ${file}`);
await elasticsearch.close();
process.exit(0);
